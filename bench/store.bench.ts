/**
 * The session store on the big database (bench/_big-database.ts): reads run on it, writes on a
 * copy. Each read is also timed as hand-written bun:sqlite code returning the same objects the
 * store returns (Dates, previews, optional fields), and the ratio printed: what the store adds. With a PostgreSQL server (SYNAPSE_BENCH_POSTGRES_URL, or
 * SYNAPSE_TEST_POSTGRES_URL), the same figures for PostgresStore stand beside them on each line.
 */
import { Database } from "bun:sqlite";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as messagesDb from "../src/storage/sqlite/generated/messages.ts";
import * as sessionsDb from "../src/storage/sqlite/generated/sessions.ts";
import { cleanUp, pruneBudgetMs, purgeDeleted } from "../src/sessions/cleanup.ts";
import { previewOf, type Role, type Session, type SessionSummary, type StoredMessage } from "../src/session.ts";
import { fromStoredTime } from "../src/storage/timestamps.ts";
import type { SessionStore } from "../src/storage/session-store.ts";
import { PostgresStore } from "../src/storage/postgres/postgres-store.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { ensureBigPostgres, scratchCopy } from "./_big-postgres.ts";
import { cacheDir, ensureBigDatabase, longSessionId, longSessionMessages, messagesPerSession, sessionCount, typicalSessionId } from "./_big-database.ts";
import { median, report, timeRuns, type BenchResult } from "./_report.ts";

/**
 * Times the store method, the generated query functions it runs (rows only, no Dates or
 * previews), and hand-written code returning the same objects as the store.
 */
async function compare(
  name: string,
  runs: number,
  fns: { store: () => unknown; generated: () => unknown; handWritten: () => unknown },
  detail: Record<string, unknown>,
): Promise<BenchResult> {
  const storeMs = median(await timeRuns(runs, fns.store));
  const generatedMs = median(await timeRuns(runs, fns.generated));
  const handMs = median(await timeRuns(runs, fns.handWritten));
  const ratio = (ms: number) => Math.round((ms / handMs) * 100) / 100;
  return {
    name,
    median_ms: storeMs,
    generated_ms: generatedMs,
    hand_written_ms: handMs,
    ratio: ratio(storeMs),
    generated_ratio: ratio(generatedMs),
    runs,
    ...detail,
  };
}

/** The figures both adapters share, measured through the SessionStore interface alone. */
async function writes(store: SessionStore, results: Map<string, number>): Promise<void> {
  let n = 0;
  results.set(
    "store_add_message_committed",
    median(
      await timeRuns(300, () =>
        store.addMessage({ id: crypto.randomUUID(), sessionId: typicalSessionId, role: "user", content: `append ${n++} ${"x".repeat(300)}`, timestamp: new Date() }),
      ),
    ),
  );
  // What `sessions prune` makes a person wait for: the sessions hidden, and rows reclaimed for its
  // budget (on PostgreSQL, where prune reclaims everything, all of it). The rest is the deferred
  // purge, timed on its own: the work a later run does, when nobody waits.
  let keep = sessionCount;
  const cleanupTimes: number[] = [];
  const purgeTimes: number[] = [];
  for (let run = 0; run < 3; run++) {
    keep -= 1000;
    let start = Bun.nanoseconds();
    await cleanUp(store, { maxSessions: keep, retentionDays: 0 }, { purgeBudgetMs: store.shared ? Infinity : pruneBudgetMs });
    cleanupTimes.push((Bun.nanoseconds() - start) / 1e6);
    start = Bun.nanoseconds();
    await purgeDeleted(store);
    purgeTimes.push((Bun.nanoseconds() - start) / 1e6);
  }
  results.set("store_cleanup_1000_sessions", median(cleanupTimes));
  results.set("store_cleanup_1000_sessions_deferred_purge", median(purgeTimes));
  // Linear in the session's length on both engines (PostgreSQL was quadratic: issue 10, item 7).
  for (const count of importSizes) results.set(`store_import_${count}_messages`, await importTime(store, count));
}

const importSizes = [2_000, 16_000, 100_000] as const;

/** One import of a new session of `count` short messages, as `sessions import` or `copy` does it. */
async function importTime(store: SessionStore, count: number): Promise<number> {
  const id = crypto.randomUUID();
  const start = Date.parse("2026-01-01T00:00:00.000Z");
  const session = { id, title: null, provider: "anthropic", model: "claude-test", systemPrompt: null, createdAt: new Date(start), updatedAt: new Date(start + count) };
  const messages = Array.from({ length: count }, (_, i) => ({
    id: crypto.randomUUID(),
    sessionId: id,
    role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
    content: `message ${i} ${"lorem ipsum dolor sit amet ".repeat(8)}`,
    timestamp: new Date(start + i),
  }));
  return median(await timeRuns(1, () => store.importSession(session, messages), 0));
}

async function reads(store: SessionStore, results: Map<string, number>): Promise<void> {
  results.set("store_list_sessions", median(await timeRuns(30, () => store.listSessions())));
  results.set("store_load_session_100", median(await timeRuns(200, async () => [await store.getSession(typicalSessionId), await store.getMessages(typicalSessionId)])));
  results.set("store_load_session_10000", median(await timeRuns(30, async () => [await store.getSession(longSessionId), await store.getMessages(longSessionId)])));
  results.set("store_search_common_word", median(await timeRuns(30, () => store.searchMessages("time"))));
}

async function postgresFigures(sqlitePath: string): Promise<Map<string, number> | null> {
  const server = process.env.SYNAPSE_BENCH_POSTGRES_URL ?? process.env.SYNAPSE_TEST_POSTGRES_URL;
  if (server === undefined) return null;
  const url = await ensureBigPostgres(server, sqlitePath);
  const results = new Map<string, number>();
  results.set("store_open", median(await timeRuns(10, async () => (await PostgresStore.open(url)).close())));
  const store = await PostgresStore.open(url);
  await reads(store, results);
  await store.close();
  const scratch = await scratchCopy(server);
  const writable = await PostgresStore.open(scratch.url);
  await writes(writable, results);
  await writable.close();
  await scratch.drop();
  return results;
}

/**
 * The reads as someone would write them by hand on bun:sqlite, returning exactly the objects the
 * store does: the same parsing of stored times (timestamps.ts) and previews (session.ts), which
 * the contract requires, so a ratio is the store's own overhead (generated rows, checks, #run).
 */
function handWritten(raw: Database) {
  const list = raw.query("SELECT id, name, provider, model, created_at, updated_at, message_count, first_user_message FROM sessions WHERE state = 'visible' ORDER BY updated_at DESC, id DESC");
  const session = raw.query("SELECT id, name, provider, model, system_prompt, created_at, updated_at FROM sessions WHERE id = ? AND state = 'visible'");
  const messages = raw.query("SELECT id, session_id, role, content, timestamp, interrupted, input_tokens, output_tokens FROM messages WHERE session_id = ? ORDER BY seq");
  return {
    listSessions: (): SessionSummary[] =>
      list.values().map((r) => ({
        id: r[0] as string,
        title: r[1] as string | null,
        provider: r[2] as string,
        model: r[3] as string,
        createdAt: fromStoredTime(r[4] as string, "session"),
        updatedAt: fromStoredTime(r[5] as string, "session"),
        messageCount: r[6] as number,
        preview: previewOf(r[7] as string | null),
      })),
    getSession: (id: string): Session | null => {
      const r = session.values(id)[0];
      if (r === undefined) return null;
      return {
        id: r[0] as string,
        title: r[1] as string | null,
        provider: r[2] as string,
        model: r[3] as string,
        systemPrompt: r[4] as string | null,
        createdAt: fromStoredTime(r[5] as string, "session"),
        updatedAt: fromStoredTime(r[6] as string, "session"),
      };
    },
    getMessages: (id: string): StoredMessage[] =>
      messages.values(id).map((r) => {
        const message: StoredMessage = { id: r[0] as string, sessionId: r[1] as string, role: r[2] as Role, content: r[3] as string, timestamp: fromStoredTime(r[4] as string, "message") };
        if (r[5]) message.interrupted = true;
        if (r[6] !== null || r[7] !== null) message.usage = { inputTokens: (r[6] as number | null) ?? 0, outputTokens: (r[7] as number | null) ?? 0 };
        return message;
      }),
  };
}

export default async function (): Promise<void> {
  const path = ensureBigDatabase();
  const lines: BenchResult[] = [];
  const plain = (name: string, ms: number, detail: Record<string, unknown>) => lines.push({ name, median_ms: ms, ...detail });

  plain("store_open", median(await timeRuns(30, () => SqliteStore.open(path).close())), { runs: 30, sessions: sessionCount });
  const store = SqliteStore.open(path);
  const raw = new Database(path, { readonly: true, strict: true });
  const hand = handWritten(raw);
  lines.push(
    await compare(
      "store_list_sessions",
      30,
      { store: () => store.listSessions(), generated: () => sessionsDb.listSessions(raw, { max: -1 }), handWritten: hand.listSessions },
      { sessions: sessionCount },
    ),
  );
  for (const [label, id, count] of [
    ["store_load_session_100", typicalSessionId, messagesPerSession],
    ["store_load_session_10000", longSessionId, longSessionMessages],
  ] as const) {
    lines.push(
      await compare(
        label,
        label.endsWith("10000") ? 30 : 200,
        {
          store: async () => [await store.getSession(id), await store.getMessages(id)],
          generated: () => [sessionsDb.getSession(raw, { id }), messagesDb.getMessages(raw, { sessionId: id })],
          handWritten: () => [hand.getSession(id), hand.getMessages(id)],
        },
        { messages: count },
      ),
    );
  }
  plain("store_search_common_word", median(await timeRuns(30, () => store.searchMessages("time"))), { runs: 30, query: "time" });
  raw.close();
  await store.close();

  // Writes go to a copy, so the cached database stays as built.
  const scratch = `${path}.scratch`;
  copyFileSync(path, scratch);
  const writable = SqliteStore.open(scratch);
  const written = new Map<string, number>();
  await writes(writable, written);
  await writable.close();
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${scratch}${suffix}`, { force: true });
  plain("store_add_message_committed", written.get("store_add_message_committed")!, { runs: 300, synchronous: "FULL" });
  plain("store_cleanup_1000_sessions", written.get("store_cleanup_1000_sessions")!, { runs: 3, messages_per_session: messagesPerSession, purge_budget_ms: pruneBudgetMs });
  plain("store_cleanup_1000_sessions_deferred_purge", written.get("store_cleanup_1000_sessions_deferred_purge")!, {
    runs: 3,
    messages_per_session: messagesPerSession,
    total_ms: written.get("store_cleanup_1000_sessions")! + written.get("store_cleanup_1000_sessions_deferred_purge")!,
  });
  for (const count of importSizes) plain(`store_import_${count}_messages`, written.get(`store_import_${count}_messages`)!, { runs: 1, messages: count });

  // Side by side: each line carries PostgreSQL's figure for the same work, when there is a server.
  const postgres = await postgresFigures(path);
  for (const line of lines) {
    const pg = postgres?.get(line.name);
    report(pg === undefined ? line : { ...line, postgres_median_ms: pg });
  }
  await cleanupProcessFigures(path);
}

/** `sessions prune` removing 1,000 sessions × 100 messages, whole process, in the Rust original (issue 12). */
const rustPruneMs = 400;

/**
 * Cleanup as a person meets it, with the compiled binary on a scratch copy of the big database:
 * `sessions prune` removing 1,000 sessions (against the Rust original), then `prune --now`
 * reclaiming what it left (the deferred purge's total cost); and the time from the start of an
 * exchange to its first token when the automatic cleanup has 1,000 sessions to remove, against
 * the same exchange with nothing to remove (the local fake server of cli.bench.ts).
 */
export async function cleanupProcessFigures(path: string): Promise<void> {
  // SYNAPSE_BENCH_BINARY times another build (an earlier commit's, for a before/after table).
  const binary = process.env.SYNAPSE_BENCH_BINARY ?? join(cacheDir, "synapse-cleanup-bench");
  if (process.env.SYNAPSE_BENCH_BINARY === undefined) {
    const built = Bun.spawnSync([process.execPath, join(import.meta.dir, "..", "scripts/build.ts"), binary], { stdout: "pipe", stderr: "pipe" });
    if (built.exitCode !== 0) throw new Error(`bun build failed: ${built.stderr}`);
  }
  const scratch = `${path}.cleanup-scratch`;
  copyFileSync(path, scratch);
  const home = mkdtempSync(join(tmpdir(), "synapse-bench-"));
  const config = join(home, "config.toml");
  const env = { PATH: "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: join(home, "config"), NO_COLOR: "1", SYNAPSE_CONFIG: config, SYNAPSE_DATABASE_URL: `sqlite:${scratch}` };
  const limit = (maxSessions: number) => writeFileSync(config, `[session]\nmax_sessions = ${maxSessions}\nretention_days = 0\n`);
  const timed = async (args: string[], extra: Record<string, string> = {}, firstToken = false) => {
    const start = Bun.nanoseconds();
    const child = Bun.spawn([binary, ...args], { env: { ...env, ...extra }, stdout: "pipe", stderr: "pipe" });
    let first = 0;
    for await (const chunk of child.stdout) if (first === 0 && chunk.length > 0) first = (Bun.nanoseconds() - start) / 1e6;
    const code = await child.exited;
    if (code !== 0) throw new Error(`synapse ${args.join(" ")} failed: ${await new Response(child.stderr).text()}`);
    return firstToken ? first : (Bun.nanoseconds() - start) / 1e6;
  };
  try {
    const counted = new Database(scratch, { readonly: true });
    let count = (counted.query("SELECT count(*) AS n FROM sessions WHERE state = 'visible'").get() as { n: number }).n;
    counted.close();
    const pruneTimes: number[] = [];
    const nowTimes: number[] = [];
    for (let run = 0; run < 3; run++) {
      count -= 1000;
      limit(count);
      pruneTimes.push(await timed(["sessions", "prune"]));
      nowTimes.push(await timed(["sessions", "prune", "--now"]));
    }
    const prune = median(pruneTimes);
    report({ name: "cli_prune_1000_sessions", median_ms: prune, reference_ms: rustPruneMs, ratio: Math.round((prune / rustPruneMs) * 100) / 100, runs: 3, messages_per_session: messagesPerSession, reference: "the Rust original" });
    report({ name: "cli_prune_1000_sessions_deferred_purge", median_ms: median(nowTimes), runs: 3, what: "prune --now after prune: the rest of the 1,000 sessions' rows" });

    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response(fakeReply, { headers: { "content-type": "text/event-stream" } }) });
    const chat = { ANTHROPIC_BASE_URL: `http://127.0.0.1:${server.port}`, ANTHROPIC_API_KEY: "bench-key-0123456789" };
    const withCleanup: number[] = [];
    const without: number[] = [];
    for (let run = 0; run < 5; run++) {
      // Nothing to remove: the limit is above the count (a new session adds one).
      limit(count + 10);
      without.push(await timed(["Benchmark question"], chat, true));
      count += 1;
      // 1,000 to remove: room is made for the new session too.
      limit(count - 999);
      withCleanup.push(await timed(["Benchmark question"], chat, true));
      count -= 999;
    }
    await server.stop(true);
    const cleaned = median(withCleanup);
    const reference = median(without);
    report({ name: "cli_first_token_cleanup_1000_sessions", median_ms: cleaned, reference_ms: reference, delay_ms: Math.round((cleaned - reference) * 1000) / 1000, runs: 5, reference: "the same exchange with nothing to clean up" });
  } finally {
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${scratch}${suffix}`, { force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

const fakeReply = (() => {
  const event = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  let body = event("message_start", { type: "message_start", message: { id: "m", type: "message", role: "assistant", content: [], model: "bench", usage: { input_tokens: 10, output_tokens: 1 } } });
  body += event("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
  body += event("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "first " } });
  body += event("content_block_stop", { type: "content_block_stop", index: 0 });
  body += event("message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 1 } });
  return body + event("message_stop", { type: "message_stop" });
})();
