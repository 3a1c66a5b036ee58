import { debugArg, quietArg, sessionRefArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: { name: "rename", description: "Give a session a title (an empty one removes it)" },
  args: {
    ...sessionRefArg,
    title: { type: "positional", required: true, description: "The new title", valueHint: "title" },
    ...quietArg, ...debugArg,
  },
  examples: ['synapse sessions rename 3f2c9a4e "Trip planning"', 'synapse -s "Trip planning" "What about trains?"', 'synapse sessions rename 3f2c9a4e ""'],
  async run({ args }) {
    const { withStore } = await import("../../open-store.ts");
    const { normalizeTitle, resolveSession } = await import("../../../sessions/refs.ts");
    const { log } = await import("../../../log.ts");
    await withStore(async (store) => {
      const session = await resolveSession(store, args.session);
      const title = normalizeTitle(args.title);
      await store.renameSession(session.id, title);
      log.info(title === null ? `removed the title of session ${session.id}` : `session ${session.id} is now "${title}"`);
    });
  },
});
