import { debugArg, quietArg, sessionRefArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { writeOut } from "../../stdout.ts";

export default defineSynapseCommand({
  meta: { name: "export", description: "Write a session to stdout, as JSON (for import) or Markdown" },
  args: {
    ...sessionRefArg,
    format: { type: "enum", options: ["json", "markdown", "md"], default: "json", valueHint: "json|markdown|md", description: "json (default, for import) or markdown (md for short)" },
    ...quietArg, ...debugArg,
  },
  examples: ["synapse sessions export 3f2c9a4e > trip.json", "synapse sessions export 3f2c9a4e --format md > trip.md", 'synapse sessions export "Trip planning" --format markdown | glow -'],
  async run({ args }) {
    const { withStore } = await import("../../open-store.ts");
    const { resolveSession } = await import("../../../sessions/refs.ts");
    const { exportJson, exportMarkdown } = await import("../../../sessions/export.ts");
    const { withFileData } = await import("../../../sessions/attachment-data.ts");
    await withStore(async (store) => {
      const session = await resolveSession(store, args.session);
      const messages = await store.getMessages(session.id);
      if (args.format === "markdown" || args.format === "md") writeOut(exportMarkdown(session, messages));
      else writeOut(exportJson(session, await withFileData(store, messages), await store.sessionOrigin(session.id)));
    });
  },
});
