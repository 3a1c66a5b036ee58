import { debugArg, quietArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";
import { UsageError } from "../../errors.ts";

export default defineSynapseCommand({
  meta: { name: "prune", description: "Apply the [session] limits (max_sessions, retention_days) now" },
  args: {
    "dry-run": { type: "boolean", description: "Only show what would be deleted" },
    now: { type: "boolean", description: "Also remove every deleted session's messages before returning, however long it takes" },
    ...quietArg, ...debugArg,
  },
  examples: ["synapse sessions prune --dry-run", "synapse sessions prune", "synapse sessions prune --now"],
  async run({ args }) {
    const dryRun = args["dry-run"] === true;
    const now = args.now === true;
    // A dry run deletes nothing, so there is nothing for --now to finish.
    if (dryRun && now) throw new UsageError("--dry-run deletes nothing, so --now has nothing to finish; give one of them", "synapse sessions prune");
    const { withStore } = await import("../../open-store.ts");
    const { printSessionTable } = await import("../../format.ts");
    const { prune } = await import("../../../sessions/cleanup.ts");
    const { log } = await import("../../../log.ts");
    await withStore(async (store, settings) => {
      const result = await prune(store, settings, { dryRun, now });
      if (!result.limited) return log.info("nothing to prune: max_sessions and retention_days are both 0 (no limits)");
      const limits = `max_sessions = ${settings.maxSessions || "no limit"}, retention_days = ${settings.retentionDays || "no limit"}`;
      const titled = await store.countTitledSessions();
      // Titled sessions are outside the limits: said, so that none seems forgotten.
      const keptTitled = titled === 0 ? "" : `; ${titled} titled session${titled === 1 ? " is" : "s are"} never pruned (only synapse sessions delete removes one)`;
      if (result.sessions.length === 0) return log.info(`nothing to prune (${limits})${keptTitled}`);
      printSessionTable(result.sessions, result.shortIds);
      const counts = `${result.sessions.length} sessions: ${result.byMaxLimit} over max_sessions, ${result.byRetention} past retention_days (${limits})`;
      log.info(`${dryRun ? `would delete ${counts}` : `deleted ${counts}`}${keptTitled}`);
    });
  },
});
