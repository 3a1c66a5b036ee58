import { debugArg, parseDuration, yesArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { UsageError } from "../../errors.ts";

export default defineSynapseCommand({
  variadic: true,
  meta: { name: "delete", description: "Delete sessions and all their messages" },
  args: {
    session: { type: "positional", required: false, valueHint: "id", description: "Sessions to delete: ids, unique starts of ids, or titles" },
    "older-than": { type: "string", valueHint: "duration", description: "Also delete every session unused for this long: 12h, 30d, 2w" },
    ...yesArg,
    ...debugArg,
  },
  examples: ["synapse sessions delete 3f2c9a4e", "synapse sessions delete 3f2c9a4e 7b1d0e22 --yes", "synapse sessions delete --older-than 30d"],
  async run({ args }) {
    const command = "synapse sessions delete";
    const refs = args._.map(String);
    const olderThan = args["older-than"] === undefined ? undefined : parseDuration(args["older-than"], command);
    if (refs.length === 0 && olderThan === undefined) throw new UsageError("name the sessions to delete, or give --older-than", command);
    const { withStore } = await import("../../open-store.ts");
    const { resolveSession, shortIds } = await import("../../../sessions/refs.ts");
    const { confirm } = await import("../../confirm.ts");
    const { log } = await import("../../../log.ts");
    const { StorageError } = await import("../../../storage/errors.ts");
    await withStore(async (store) => {
      // Every reference must name a session before anything is deleted.
      const named = new Set<string>();
      for (const ref of refs) named.add((await resolveSession(store, ref)).id);
      // Refused before anyone is asked; deleteSessions refuses again if one is taken meanwhile.
      const inUse = await store.sessionsInUse([...named]);
      if (inUse.length > 0) throw StorageError.inUse(inUse);
      const cutoff = olderThan === undefined ? undefined : new Date(Date.now() - olderThan);
      const idle = cutoff === undefined ? [] : (await store.sessionsUpdatedBefore(cutoff)).map((s) => s.id).filter((id) => !named.has(id));
      const chosen = [...named, ...idle];
      if (chosen.length === 0) return log.info("no sessions are that old; nothing deleted");
      const short = shortIds(await store.sessionIds());
      const names = chosen.slice(0, 5).map((id) => short.get(id) ?? id);
      const what = `${chosen.length} session${chosen.length === 1 ? "" : "s"} (${names.join(", ")}${chosen.length > 5 ? ", …" : ""})`;
      if (!args.yes && !(await confirm(`delete ${what} and all their messages?`))) {
        return log.info("nothing deleted");
      }
      let deleted = await store.deleteSessions([...named]);
      // One found idle but used while the question was open is kept.
      const idleDeleted = cutoff === undefined ? 0 : await store.deleteSessions(idle, { unusedSince: cutoff });
      deleted += idleDeleted;
      const kept = idle.length - idleDeleted;
      log.info(`deleted ${deleted} session${deleted === 1 ? "" : "s"}${kept > 0 ? `; ${kept} used since then ${kept === 1 ? "was" : "were"} kept` : ""}`);
    });
  },
});
