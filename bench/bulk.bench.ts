/**
 * Bulk work and the write lock: a 300,000-message import, then deleting that session, on SQLite
 * (and PostgreSQL when there is a server: SYNAPSE_BENCH_POSTGRES_URL or SYNAPSE_TEST_POSTGRES_URL),
 * while a second process keeps taking the write lock (bench/_lock-prober.ts). Each line gives
 * the time the work took and the longest the other process waited for the lock, which is the
 * longest write transaction the work held. SYNAPSE_BENCH_BULK_MESSAGES changes the size.
 */
import { Database } from "bun:sqlite";
import { SQL } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoredMessage } from "../src/session.ts";
import { cleanUp } from "../src/sessions/cleanup.ts";
import { PostgresStore } from "../src/storage/postgres/postgres-store.ts";
import type { SessionStore } from "../src/storage/session-store.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { report } from "./_report.ts";

const count = Number(process.env.SYNAPSE_BENCH_BULK_MESSAGES ?? 300_000);
/** The cleanup measured: this many sessions of 100 messages over max_sessions = 1. */
const cleanupSessions = 1000;
const words = "the a of to and in is it that for on with as was at by be this from or have an they which one you were all her she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now".split(" ");

/** One long session of short-to-medium messages, as a big export holds them (deterministic). */
function bigSession() {
  let state = 42;
  const next = () => (state = (state * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const id = "0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20";
  const start = Date.parse("2026-01-01T00:00:00.000Z");
  const messages: StoredMessage[] = Array.from({ length: count }, (_, i) => {
    let content = "";
    const length = 20 + Math.floor(next() * 300);
    while (content.length < length) content += `${words[Math.floor(next() * words.length)]} `;
    return { id: crypto.randomUUID(), sessionId: id, role: i % 2 === 0 ? "user" : "assistant", content, timestamp: new Date(start + i * 1000) };
  });
  const session = { id, title: "Big export", provider: "anthropic", model: "claude-sonnet-4-5", systemPrompt: null, createdAt: new Date(start), updatedAt: new Date(start + count * 1000) };
  return { session, messages };
}

/** Runs `work` while the prober takes the lock again and again; the time, and its longest wait. */
async function withProber(target: string, work: () => Promise<unknown>) {
  const prober = Bun.spawn([process.execPath, join(import.meta.dir, "_lock-prober.ts"), target], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reader = prober.stdout.getReader();
  let text = "";
  while (!text.includes("probing\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the lock prober stopped");
    text += new TextDecoder().decode(value);
  }
  const started = performance.now();
  await work();
  const ms = Math.round(performance.now() - started);
  await prober.stdin.end();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await prober.exited;
  const figures = JSON.parse(text.slice(text.indexOf("{"))) as { probes: number; longest_wait_ms: number; p99_wait_ms: number };
  return { ms, ...figures };
}

async function measure(engine: string, target: string, store: SessionStore): Promise<void> {
  const { session, messages } = bigSession();
  const imported = await withProber(target, () => store.importSession(session, messages));
  report({ name: `bulk_import_${count}_messages`, median_ms: imported.ms, engine, runs: 1, other_writer_longest_wait_ms: imported.longest_wait_ms, other_writer_p99_wait_ms: imported.p99_wait_ms, probes: imported.probes });
  const deleted = await withProber(target, () => store.deleteSession(session.id));
  report({ name: `bulk_delete_${count}_messages`, median_ms: deleted.ms, engine, runs: 1, other_writer_longest_wait_ms: deleted.longest_wait_ms, other_writer_p99_wait_ms: deleted.p99_wait_ms, probes: deleted.probes });

  for (let s = 0; s <= cleanupSessions; s++) {
    const id = crypto.randomUUID();
    const at = new Date(Date.parse("2026-02-01T00:00:00.000Z") + s * 60_000);
    const few = messages.slice(s * 100, s * 100 + 100).map((m) => ({ ...m, id: crypto.randomUUID(), sessionId: id }));
    await store.importSession({ ...session, id, createdAt: at, updatedAt: at }, few);
  }
  const cleaned = await withProber(target, () => cleanUp(store, { maxSessions: 1, retentionDays: 0 }));
  report({ name: `bulk_cleanup_${cleanupSessions}_sessions_of_100`, median_ms: cleaned.ms, engine, runs: 1, other_writer_longest_wait_ms: cleaned.longest_wait_ms, other_writer_p99_wait_ms: cleaned.p99_wait_ms, probes: cleaned.probes });
}

/**
 * What the disk itself adds: commits of one small row each (WAL, synchronous = FULL), whose
 * slowest shows the stalls any transaction may meet on this machine, however short its work.
 */
function commitBaseline(dir: string): void {
  const db = new Database(join(dir, "baseline.db"));
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = FULL");
  db.run("CREATE TABLE t (x TEXT)");
  const insert = db.query("INSERT INTO t VALUES (?)");
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    db.transaction(() => insert.run("x".repeat(200))).immediate();
    times.push(performance.now() - started);
  }
  db.close();
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  report({ name: "sqlite_commit_baseline", median_ms: round(times[100]!), engine: "sqlite", runs: 200, longest_ms: round(times.at(-1)!), p99_ms: round(times[198]!) });
}

export default async function (): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "synapse-bench-bulk-"));
  const path = join(dir, "sessions.db");
  commitBaseline(dir);
  const sqlite = SqliteStore.open(path);
  await measure("sqlite", `sqlite:${path}`, sqlite);
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });

  const server = process.env.SYNAPSE_BENCH_POSTGRES_URL ?? process.env.SYNAPSE_TEST_POSTGRES_URL;
  if (server === undefined) return;
  const name = `synapse_bench_bulk_${process.pid}`;
  const admin = new SQL(server, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(server);
    url.pathname = `/${name}`;
    const postgres = await PostgresStore.open(url.toString());
    await measure("postgres", url.toString(), postgres);
    await postgres.close();
  } finally {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  }
}
