import { debugArg, quietArg, jsonArg, parseCount } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { UsageError } from "../../errors.ts";

export default defineSynapseCommand({
  variadic: true,
  meta: { name: "search", description: "Search every message by content, best matches first" },
  args: {
    query: {
      type: "positional",
      required: true,
      valueHint: "query",
      description: 'Words to find (all of them); "a phrase" in quotes, OR, NOT and prefix* work as in SQLite FTS5',
    },
    limit: { type: "string", alias: "n", valueHint: "count", description: "How many matches to show (default 20)" },
    ...jsonArg,
    ...quietArg, ...debugArg,
  },
  examples: ["synapse sessions search wal", "synapse sessions search 'sqlite \"busy timeout\"'", "synapse sessions search 'deploy*' -n 5 --json"],
  async run({ args }) {
    const command = "synapse sessions search";
    const limit = parseCount(args.limit ?? "20", command);
    const query = [args.query, ...args._.slice(1)].join(" ");
    if (query.trim() === "") throw new UsageError("the search query is empty; give the words to find", command);
    const { withStore } = await import("../../open-store.ts");
    const { printSearchHits } = await import("../../format.ts");
    const { shortIdsOf } = await import("../../../sessions/refs.ts");
    const { SearchSyntaxError } = await import("../../../storage/errors.ts");
    await withStore(async (store) => {
      let hits;
      try {
        hits = await store.searchMessages(query, { limit });
      } catch (error) {
        // A query the search cannot read is the user's to fix: a usage error, not a failure.
        if (error instanceof SearchSyntaxError) throw new UsageError(error.message, command);
        throw error;
      }
      printSearchHits(hits, args.json ? new Map() : await shortIdsOf(store, hits.map((h) => h.sessionId)), { json: args.json === true });
    });
  },
});
