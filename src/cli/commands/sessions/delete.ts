import { debugArg, quietArg, parseDuration, yesArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { UsageError } from "../../errors.ts";

export default defineSynapseCommand({
  variadic: true,
  meta: { name: "delete", description: "Delete sessions and all their messages" },
  args: {
    session: { type: "positional", required: false, valueHint: "id", description: "Sessions to delete: ids, unique starts of ids, or titles" },
    "older-than": { type: "string", valueHint: "duration", description: "Also delete every session unused for this long: 12h, 30d, 2w" },
    ...yesArg,
    ...quietArg, ...debugArg,
  },
  examples: ["synapse sessions delete 3f2c9a4e", "synapse sessions delete 3f2c9a4e 7b1d0e22 --yes", "synapse sessions delete --older-than 30d"],
  async run({ args }) {
    const command = "synapse sessions delete";
    const refs = args._.map(String);
    const olderThan = args["older-than"] === undefined ? undefined : parseDuration(args["older-than"], command);
    if (refs.length === 0 && olderThan === undefined) throw new UsageError("name the sessions to delete, or give --older-than", command);
    const { withStore } = await import("../../open-store.ts");
    const { deleteSessions } = await import("../../../sessions/delete.ts");
    const { confirm } = await import("../../confirm.ts");
    const { log } = await import("../../../log.ts");
    const ask = async (names: string[]) => {
      const what = `${names.length} session${names.length === 1 ? "" : "s"} (${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""})`;
      return args.yes === true || confirm(`delete ${what} and all their messages?`);
    };
    const outcome = await withStore((store) => deleteSessions(store, { refs, olderThanMs: olderThan, confirm: ask }));
    if (outcome.status === "none") return log.info("no sessions are that old; nothing deleted");
    if (outcome.status === "declined") return log.info("nothing deleted");
    const { deleted, kept } = outcome;
    log.info(`deleted ${deleted} session${deleted === 1 ? "" : "s"}${kept > 0 ? `; ${kept} used since then ${kept === 1 ? "was" : "were"} kept` : ""}`);
  },
});
