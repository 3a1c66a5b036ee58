/**
 * Big imports and deletions through the real CLI, with other processes at work on the same
 * SQLite file: they go in short transactions, so another process's chat goes through meanwhile;
 * the session stays hidden until the final step; and one killed half-way leaves nothing visible,
 * which the next cleanup removes and reports.
 */
import { Database } from "bun:sqlite";
import { expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { newId, type StoredMessage } from "../src/session.ts";
import { exportJson } from "../src/sessions/export.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { Home, newSessionId, sourceRunner } from "./_cli.ts";
import { Output } from "./_output.ts";
import { aSession } from "./_session-store-contract.ts";

// Bun 1.4.5 applies the preload's setDefaultTimeout to the first test file of a run only.
setDefaultTimeout(120_000);

const size = 50_000;

function bigSession(count = size) {
  const session = aSession({ title: "Big export" });
  const start = session.createdAt.getTime();
  const messages: StoredMessage[] = Array.from({ length: count }, (_, i) => ({
    id: newId(),
    sessionId: session.id,
    role: i % 2 === 0 ? "user" : "assistant",
    content: `line ${i} of the log`,
    timestamp: new Date(start + i),
  }));
  return { session, messages };
}

function freshHome(): Home {
  const home = new Home(sourceRunner);
  SqliteStore.open(home.database).close();
  return home;
}

/** The test's own connection: reads see hidden rows; it can hold the write lock between batches. */
function openRaw(path: string): Database {
  const db = new Database(path);
  db.run("PRAGMA busy_timeout = 60000");
  return db;
}

/** The session's row as stored, hidden or not: its state, and how many of its messages are there. */
function hiddenRow(db: Database, id: string): { state: string; count: number } | null {
  const row = db.query<{ state: string; message_count: number }, [string]>("SELECT * FROM sessions WHERE id = ?").get(id);
  return row === null ? null : { state: row.state, count: row.message_count };
}

/** Waits for a state of the database that another process brings about (polling its rows). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await Bun.sleep(5);
}

function checkIntegrity(db: Database): void {
  expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  // The full-text index agrees with the messages it indexes.
  db.run("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
}

test("a big import goes in short transactions: another process chats meanwhile, and the session appears whole only at the end", async () => {
  const home = freshHome();
  const { session, messages } = bigSession();
  const file = join(home.dir, "big.json");
  writeFileSync(file, exportJson(session, messages));
  const db = openRaw(home.database);
  const importer = Bun.spawn([...sourceRunner, "sessions", "import", file], { env: home.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  await until(() => (hiddenRow(db, session.id)?.count ?? 0) > 0);

  // Between two of the import's transactions: part of it is stored, and nobody sees it yet.
  db.run("BEGIN IMMEDIATE");
  const partial = hiddenRow(db, session.id)!;
  expect(partial.count).toBeGreaterThan(0);
  expect(partial.count).toBeLessThan(size);
  expect(partial.state).toBe("importing");
  expect(await home.list()).toEqual([]);
  expect((await home.run(["sessions", "show", session.id])).exitCode).toBe(1);
  const chat = Bun.spawn([...sourceRunner, "-p", "echo", "still there?"], { env: home.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const chatErr = new Output(chat.stderr);
  await chatErr.waitFor("waiting for another process");
  db.run("COMMIT");

  expect({ exitCode: await chat.exited, stderr: await chatErr.finished }).toMatchObject({ exitCode: 0 });
  expect(await new Response(chat.stdout).text()).toBe("still there?\n");
  expect(await importer.exited).toBe(0);
  expect(await new Response(importer.stdout).text()).toBe(`${session.id}\n`);
  const listed = await home.list();
  expect(listed.map((s) => s.id).sort()).toEqual([session.id, listed.find((s) => s.id !== session.id)!.id].sort());
  expect(listed.find((s) => s.id === session.id)).toMatchObject({ messageCount: size, updatedAt: session.updatedAt.toISOString() });
  const store = SqliteStore.open(home.database);
  expect((await store.getMessages(session.id)).map((m) => m.id)).toEqual(messages.map((m) => m.id));
  await store.close();
  checkIntegrity(db);
  db.close();
});

test("an import killed half-way leaves nothing visible; the next cleanup removes it and says so", async () => {
  const home = freshHome();
  const { session, messages } = bigSession();
  const file = join(home.dir, "big.json");
  writeFileSync(file, exportJson(session, messages));
  const db = openRaw(home.database);
  const importer = Bun.spawn([...sourceRunner, "sessions", "import", file], { env: home.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  await until(() => (hiddenRow(db, session.id)?.count ?? 0) > 0);
  importer.kill("SIGKILL");
  await importer.exited;
  expect(importer.signalCode).toBe("SIGKILL");
  expect(await home.list()).toEqual([]);
  expect(hiddenRow(db, session.id)?.state).toBe("importing");
  expect((await home.run(["sessions", "show", session.id])).exitCode).toBe(1);
  expect((await home.run(["sessions", "search", "log"])).stdout).toBe("");

  // Its heartbeat would lapse within a minute; the test moves it into the past instead of waiting.
  db.run("UPDATE sessions SET hidden_until = '2000-01-01T00:00:00.000Z' WHERE id = ?", [session.id]);
  const chat = await home.run(["-p", "echo", "hello"]);
  expect(chat.exitCode).toBe(0);
  expect(chat.stderr).toContain(`removed an incomplete import of session ${session.id}`);
  expect(db.query("SELECT COUNT(*) AS n FROM messages WHERE session_id = ?").get(session.id)).toEqual({ n: 0 });
  expect(hiddenRow(db, session.id)).toBeNull();
  checkIntegrity(db);
  db.close();

  // The id is free again.
  const again = await home.run(["sessions", "import", file]);
  expect(again).toMatchObject({ exitCode: 0, stdout: `${session.id}\n` });
  expect((await home.list()).map((s) => s.id)).toContain(session.id);
  expect((await home.list()).map((s) => s.id)).toContain(newSessionId(chat.stderr));
});

test("with no limits and no automatic cleanup, what a stopped import left is still removed: by prune, and by importing it again", async () => {
  for (const command of [["sessions", "prune"], ["sessions", "import"]]) {
    const home = freshHome().config("[session]\nmax_sessions = 0\nretention_days = 0\nauto_cleanup = false\n");
    const { session, messages } = bigSession(4);
    const file = join(home.dir, "small.json");
    writeFileSync(file, exportJson(session, messages));
    expect((await home.run(["sessions", "import", file])).exitCode).toBe(0);
    // As a killed import leaves it, its heartbeat lapsed.
    const db = openRaw(home.database);
    db.run("UPDATE sessions SET state = 'importing', hidden_until = '2000-01-01T00:00:00.000Z' WHERE id = ?", [session.id]);
    const result = await home.run(command[1] === "import" ? [...command, file] : command);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`removed an incomplete import of session ${session.id}`);
    expect(hiddenRow(db, session.id)?.state ?? "visible").toBe("visible");
    db.close();
  }
});

test("deleting a big session hides it at once and removes its messages in short transactions", async () => {
  const home = freshHome();
  const { session, messages } = bigSession();
  const store = SqliteStore.open(home.database);
  await store.importSession(session, messages);
  await store.close();
  const db = openRaw(home.database);
  const deleter = Bun.spawn([...sourceRunner, "sessions", "delete", session.id, "--yes"], { env: home.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  await until(() => {
    const row = hiddenRow(db, session.id);
    return row === null || (row.state === "deleting" && row.count < size);
  });

  db.run("BEGIN IMMEDIATE");
  const partial = hiddenRow(db, session.id);
  expect(partial?.count).toBeGreaterThan(0);
  expect(partial?.state).toBe("deleting");
  expect(await home.list()).toEqual([]);
  db.run("COMMIT");

  expect(await deleter.exited).toBe(0);
  expect(await new Response(deleter.stderr).text()).toContain("deleted 1 session");
  expect(hiddenRow(db, session.id)).toBeNull();
  expect(db.query("SELECT COUNT(*) AS n FROM messages").get()).toEqual({ n: 0 });
  checkIntegrity(db);
  db.close();
});

test("prune's sessions vanish from every read at once; their rows, left by a run that stopped, are reclaimed by the next without a warning; --now leaves nothing pending", async () => {
  const home = freshHome().config("[session]\nmax_sessions = 1\nretention_days = 0\nauto_cleanup = false\n");
  const store = SqliteStore.open(home.database);
  const sessions = [0, 1, 2].map((i) => bigSession(300 + i));
  for (const [i, { session, messages }] of sessions.entries()) {
    // Untitled: a titled session is never pruned.
    await store.importSession({ ...session, title: null, updatedAt: new Date(Date.parse("2026-01-01T00:00:00Z") + i * 60_000) }, messages);
  }
  // A prune that hid the two oldest, then stopped before reclaiming a row (as if killed).
  const { cleanUp } = await import("../src/sessions/cleanup.ts");
  const hidden = await cleanUp(store, { maxSessions: 1, retentionDays: 0 }, { purgeBudgetMs: 0 });
  await store.close();
  expect(hidden.sessionsDeleted).toBe(2);
  const kept = sessions[2]!.session.id;
  const gone = [sessions[0]!.session.id, sessions[1]!.session.id];

  const db = openRaw(home.database);
  // One batch of a purge had committed: part of one session's rows are gone.
  db.run("DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE session_id = ? LIMIT 100)", [gone[0]!]);
  expect(db.query("SELECT COUNT(*) AS n FROM messages WHERE session_id IN (?, ?)").get(gone[0]!, gone[1]!)).toEqual({ n: 200 + 301 });

  // Hidden from every read while the purge is pending.
  expect((await home.list()).map((s) => s.id)).toEqual([kept]);
  for (const id of gone) {
    expect((await home.run(["sessions", "show", id])).exitCode).not.toBe(0);
    expect((await home.run(["sessions", "show", id.slice(0, 12)])).exitCode).not.toBe(0);
  }
  const search = await home.run(["sessions", "search", "line", "--json"]);
  expect(search.exitCode).toBe(0);
  expect(new Set((JSON.parse(search.stdout) as { sessionId: string }[]).map((h) => h.sessionId))).toEqual(new Set([kept]));

  // The next prune has nothing to delete, reclaims within its budget, and warns of nothing.
  const prune = await home.run(["sessions", "prune"]);
  expect(prune.exitCode).toBe(0);
  expect(prune.stderr).toContain("nothing to prune");
  expect(prune.stderr).not.toContain("stopped");
  const now = await home.run(["sessions", "prune", "--now"]);
  expect(now).toMatchObject({ exitCode: 0, stdout: "" });
  expect(now.stderr).not.toContain("stopped");

  expect(db.query("SELECT COUNT(*) AS n FROM sessions WHERE state <> 'visible'").get()).toEqual({ n: 0 });
  expect(db.query("SELECT COUNT(*) AS n FROM messages WHERE session_id IN (?, ?)").get(gone[0]!, gone[1]!)).toEqual({ n: 0 });
  expect(db.query("SELECT COUNT(*) AS n FROM messages WHERE session_id = ?").get(kept)).toEqual({ n: 302 });
  expect(db.query("SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH 'line'").get()).toEqual({ n: 302 });
  checkIntegrity(db);
  db.close();
  expect((await home.show(kept)).messages.length).toBe(302);
});
