/**
 * `sessions fork` on the big database (bench/_big-database.ts), on a scratch copy of it so the
 * cached file stays as built: a fork of the 10,000-message session (issue 17 aims under 50 ms),
 * of half of it, and of a typical 100-message session. Each fork is one transaction: the new
 * session and an INSERT … SELECT of the messages, their ids made by SQLite, the search index
 * kept by its triggers.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { ensureBigDatabase, longSessionId, longSessionMessages, messagesPerSession, typicalSessionId } from "./_big-database.ts";
import { median, report, timeRuns } from "./_report.ts";

export default async function forkBench(): Promise<void> {
  const path = ensureBigDatabase();
  const dir = mkdtempSync(join(tmpdir(), "synapse-fork-bench-"));
  const scratch = join(dir, "sessions.db");
  copyFileSync(path, scratch);
  try {
    // Opening migrates the copy (a file built before the fork columns gains them).
    const store = SqliteStore.open(scratch);
    try {
      const runs = 20;
      const cases = [
        ["store_fork_session_10000", longSessionId, undefined, longSessionMessages],
        ["store_fork_session_10000_at_5000", longSessionId, longSessionMessages / 2, longSessionMessages / 2],
        ["store_fork_session_100", typicalSessionId, undefined, messagesPerSession],
      ] as const;
      for (const [name, id, at, copied] of cases) {
        const times = await timeRuns(runs, () => store.forkSession(id, { at }));
        report({ name, median_ms: median(times), runs, messages_copied: copied, max_ms: Math.round(Math.max(...times) * 1000) / 1000 });
      }
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
