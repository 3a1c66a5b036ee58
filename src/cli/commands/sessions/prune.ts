import { debugArg } from "../../args.ts";
import { defineSynapseCommand } from "../../command.ts";

export default defineSynapseCommand({
  meta: { name: "prune", description: "Apply the [session] limits (max_sessions, retention_days) now" },
  args: {
    "dry-run": { type: "boolean", description: "Only show what would be deleted" },
    ...debugArg,
  },
  examples: ["synapse sessions prune --dry-run", "synapse sessions prune"],
  async run({ args }) {
    const dryRun = args["dry-run"] === true;
    const { withStore } = await import("../../open-store.ts");
    const { printSessionTable } = await import("../../format.ts");
    const { shortIds } = await import("../../../sessions/refs.ts");
    const { log } = await import("../../../log.ts");
    const { cleanUp, planCleanup } = await import("../../../sessions/cleanup.ts");
    await withStore(async (store, settings) => {
      const { maxSessions, retentionDays } = settings;
      if (maxSessions === 0 && retentionDays === 0) {
        // No limits, but what a stopped import or deletion left hidden still goes (said on stderr).
        if (!dryRun) await cleanUp(store, settings);
        return log.info("nothing to prune: max_sessions and retention_days are both 0 (no limits)");
      }
      const limits = `max_sessions = ${maxSessions || "no limit"}, retention_days = ${retentionDays || "no limit"}`;
      if (dryRun) {
        const plan = await planCleanup(store, settings);
        const doomed = [...plan.byMaxLimit, ...plan.byRetention];
        if (doomed.length === 0) return log.info(`nothing to prune (${limits})`);
        printSessionTable(doomed, shortIds(await store.sessionIds()));
        return log.info(`would delete ${doomed.length} sessions: ${plan.byMaxLimit.length} over max_sessions, ${plan.byRetention.length} past retention_days (${limits})`);
      }
      // The cleanup itself decides, under the write lock, so a session used meanwhile is safe.
      const ids = shortIds(await store.sessionIds());
      const result = await cleanUp(store, settings);
      if (result.sessionsDeleted === 0) return log.info(`nothing to prune (${limits})`);
      printSessionTable(result.removed, ids);
      log.info(`deleted ${result.sessionsDeleted} sessions: ${result.byMaxLimit} over max_sessions, ${result.byRetention} past retention_days (${limits})`);
    });
  },
});
