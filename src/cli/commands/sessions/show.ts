import { debugArg, jsonArg, quietArg, rawArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: { name: "show", description: "Show a session and every message in it (the most recent session when none is named), or only its last reply or the code in it" },
  args: {
    session: {
      type: "positional",
      description: "The session: its id, a unique start of it (at least 4 characters), or its exact title; the one used most recently when left out",
      required: false,
      valueHint: "id",
    },
    last: { type: "boolean", description: "Print only the last reply, exactly as stored: no header, no rendering (for pipes)" },
    extract: { type: "boolean", alias: "x", description: "Print only the fenced code blocks of the last reply, without the fences; exit 1 when it has none" },
    ...jsonArg, ...rawArg, ...quietArg, ...debugArg,
  },
  examples: [
    "synapse sessions show",
    "synapse sessions show 3f2c9a4e",
    'synapse sessions show "Trip planning" --raw',
    "synapse sessions show --last | pbcopy",
    "synapse sessions show -x > script.sh",
    "synapse sessions show 3f2c9a4e --last --json | jq -r .content",
    "synapse sessions show 3f2c9a4e --json",
  ],
  async run({ args }) {
    const { withStore } = await import("../../open-store.ts");
    const { resolveSessionOrLatest } = await import("../../../sessions/refs.ts");
    const { lineageOf } = await import("../../../sessions/lineage.ts");
    await withStore(async (store, _settings, display) => {
      const session = await resolveSessionOrLatest(store, args.session);
      if (args.last === true || args.extract === true) {
        const { showLastReply } = await import("../../last-reply-output.ts");
        await showLastReply(store, session, { extract: args.extract === true, json: args.json === true });
        return;
      }
      const { printSessionPages } = await import("../../format.ts");
      const { messageOutput } = await import("../../reply-output.ts");
      // JSON is never rendered: it is the stored text, for scripts.
      const reply = args.json ? undefined : messageOutput(display.render, args.raw === true);
      // Written as read: the longest session takes no more memory than a short one.
      const lineage = await lineageOf(store, session.id);
      await printSessionPages(session, await store.messagePages(session.id), { json: args.json === true, reply, lineage });
    });
  },
});
