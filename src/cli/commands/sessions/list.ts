import { debugArg, quietArg, jsonArg, parseCount } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { UsageError } from "../../errors.ts";

export default defineSynapseCommand({
  meta: { name: "list", description: "List sessions, most recently used first" },
  args: {
    limit: { type: "string", alias: "n", valueHint: "count", description: "How many to show (default 20; with --json, all)" },
    all: { type: "boolean", description: "Show every session" },
    ...jsonArg,
    ...quietArg, ...debugArg,
  },
  examples: ["synapse sessions list", "synapse sessions list -n 50", "synapse sessions list --all --json | jq -r '.[].id'"],
  async run({ args }) {
    const command = "synapse sessions list";
    if (args.all && args.limit !== undefined) throw new UsageError("--all and --limit do not go together", command);
    // Scripts get every session unless they ask for fewer; people get the most recent 20.
    const limit = args.limit !== undefined ? parseCount(args.limit, command) : args.all || args.json ? undefined : 20;
    const { withStore } = await import("../../open-store.ts");
    const { printJson, printSessionTable, summaryJson } = await import("../../format.ts");
    const { shortIdsOf } = await import("../../../sessions/refs.ts");
    const { log } = await import("../../../log.ts");
    await withStore(async (store) => {
      const sessions = await store.listSessions(limit === undefined ? {} : { limit });
      if (args.json) return printJson(sessions.map(summaryJson));
      if (sessions.length === 0) return log.info('no sessions yet; start one with: synapse "Hello"');
      printSessionTable(sessions, await shortIdsOf(store, sessions.map((s) => s.id)));
      const total = limit === undefined ? sessions.length : await store.countSessions();
      if (total > sessions.length) {
        log.info(`… and ${total - sessions.length} more; \`synapse sessions list --all\` shows them all`);
      }
    });
  },
});
