/**
 * The session store on the big database (bench/_big-database.ts): reads run on it, writes on a
 * copy. Each read is also timed as one hand-written bun:sqlite query fetching the same rows, and
 * the ratio printed.
 */
import { Database } from "bun:sqlite";
import { copyFileSync, rmSync } from "node:fs";
import * as messagesDb from "../src/db/sqlite/messages.ts";
import * as sessionsDb from "../src/db/sqlite/sessions.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { ensureBigDatabase, longSessionId, longSessionMessages, messagesPerSession, sessionCount, typicalSessionId } from "./_big-database.ts";
import { median, report, timeRuns } from "./_report.ts";

/**
 * Times the store method, the generated query functions it runs (rows only, no Dates or
 * previews), and one hand-written query for the same rows.
 */
async function compare(
  name: string,
  runs: number,
  fns: { store: () => unknown; generated: () => unknown; handWritten: () => unknown },
  detail: Record<string, unknown>,
) {
  const storeMs = median(await timeRuns(runs, fns.store));
  const generatedMs = median(await timeRuns(runs, fns.generated));
  const handMs = median(await timeRuns(runs, fns.handWritten));
  const ratio = (ms: number) => Math.round((ms / handMs) * 100) / 100;
  report({
    name,
    median_ms: storeMs,
    generated_ms: generatedMs,
    hand_written_ms: handMs,
    ratio: ratio(storeMs),
    generated_ratio: ratio(generatedMs),
    runs,
    ...detail,
  });
}

export default async function (): Promise<void> {
  const path = ensureBigDatabase();

  report({ name: "store_open", median_ms: median(await timeRuns(30, () => SqliteStore.open(path).close())), runs: 30, sessions: sessionCount });

  const store = SqliteStore.open(path);
  const raw = new Database(path, { readonly: true, strict: true });
  const listSql = raw.query("SELECT id, name, provider, model, created_at, updated_at, message_count, first_user_message FROM sessions ORDER BY updated_at DESC, id DESC");
  await compare(
    "store_list_sessions",
    30,
    { store: () => store.listSessions(), generated: () => sessionsDb.listSessions(raw, { max: -1 }), handWritten: () => listSql.all() },
    { sessions: sessionCount },
  );

  const sessionSql = raw.query("SELECT id, name, provider, model, system_prompt, created_at, updated_at FROM sessions WHERE id = ?");
  const messagesSql = raw.query("SELECT id, session_id, role, content, timestamp FROM messages WHERE session_id = ? ORDER BY seq");
  for (const [label, id, count] of [
    ["store_load_session_100", typicalSessionId, messagesPerSession],
    ["store_load_session_10000", longSessionId, longSessionMessages],
  ] as const) {
    await compare(
      label,
      label.endsWith("10000") ? 30 : 200,
      {
        store: async () => [await store.getSession(id), await store.getMessages(id)],
        generated: () => [sessionsDb.getSession(raw, { id }), messagesDb.getMessages(raw, { sessionId: id })],
        handWritten: () => [sessionSql.get(id), messagesSql.all(id)],
      },
      { messages: count },
    );
  }
  raw.close();
  await store.close();

  // Writes go to a copy, so the cached database stays as built.
  const scratch = `${path}.scratch`;
  copyFileSync(path, scratch);
  const writable = SqliteStore.open(scratch);
  let n = 0;
  report({
    name: "store_add_message_committed",
    median_ms: median(
      await timeRuns(300, () =>
        writable.addMessage({ id: crypto.randomUUID(), sessionId: typicalSessionId, role: "user", content: `append ${n++} ${"x".repeat(300)}`, timestamp: new Date() }),
      ),
    ),
    runs: 300,
    synchronous: "FULL",
  });
  let keep = sessionCount;
  const cleanupTimes = await timeRuns(
    3,
    () => {
      keep -= 1000;
      return writable.cleanup({ maxSessions: keep, retentionDays: 0, autoCleanup: true });
    },
    0,
  );
  report({ name: "store_cleanup_1000_sessions", median_ms: median(cleanupTimes), runs: 3, messages_per_session: messagesPerSession });
  await writable.close();
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${scratch}${suffix}`, { force: true });
}
