import { debugArg, jsonArg, quietArg, rawArg, sessionRefArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: { name: "show", description: "Show a session and every message in it" },
  args: { ...sessionRefArg, ...jsonArg, ...rawArg, ...quietArg, ...debugArg },
  examples: ["synapse sessions show 3f2c9a4e", 'synapse sessions show "Trip planning"', "synapse sessions show 3f2c9a4e --raw", "synapse sessions show 3f2c9a4e --json"],
  async run({ args }) {
    const { withStore } = await import("../../open-store.ts");
    const { printSessionPages } = await import("../../format.ts");
    const { resolveSession } = await import("../../../sessions/refs.ts");
    const { lineageOf } = await import("../../../sessions/lineage.ts");
    const { messageOutput } = await import("../../reply-output.ts");
    await withStore(async (store, _settings, display) => {
      const session = await resolveSession(store, args.session);
      // JSON is never rendered: it is the stored text, for scripts.
      const reply = args.json ? undefined : messageOutput(display.render, args.raw === true);
      // Written as read: the longest session takes no more memory than a short one.
      const lineage = await lineageOf(store, session.id);
      await printSessionPages(session, await store.messagePages(session.id), { json: args.json === true, reply, lineage });
    });
  },
});
