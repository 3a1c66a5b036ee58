import { debugArg, jsonArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { UsageError } from "../../errors.ts";

export default defineSynapseCommand({
  meta: { name: "list", description: "List sessions, most recently used first" },
  args: {
    limit: { type: "string", alias: "n", valueHint: "count", description: "How many to show (default 20)" },
    all: { type: "boolean", description: "Show every session" },
    ...jsonArg,
    ...debugArg,
  },
  examples: ["synapse sessions list", "synapse sessions list -n 50", "synapse sessions list --all --json | jq -r '.[].id'"],
  async run({ args }) {
    const limit = args.all ? undefined : parseCount(args.limit ?? "20");
    if (args.all && args.limit !== undefined) throw new UsageError("--all and --limit do not go together", "synapse sessions list");
    const { withStore } = await import("../../open-store.ts");
    const { printJson, printSessionTable, summaryJson } = await import("../../format.ts");
    const { shortIds } = await import("../../../session-refs.ts");
    const { log } = await import("../../../log.ts");
    await withStore(async (store) => {
      const sessions = await store.listSessions(limit === undefined ? {} : { limit });
      if (args.json) return printJson(sessions.map(summaryJson));
      if (sessions.length === 0) return log.info('no sessions yet; start one with: synapse "Hello"');
      printSessionTable(sessions, shortIds(await store.sessionIds()));
      const total = limit === undefined ? sessions.length : await store.countSessions();
      if (total > sessions.length) {
        log.info(`… and ${total - sessions.length} more; \`synapse sessions list --all\` shows them all`);
      }
    });
  },
});

function parseCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1) throw new UsageError(`--limit takes a whole number of 1 or more, not "${value}"`, "synapse sessions list");
  return count;
}
