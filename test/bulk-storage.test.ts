/**
 * Bulk work in short transactions, on both stores: a big import or deletion is hidden from every
 * read until its final step, all of it or nothing, and what a stopped process leaves hidden is
 * removed by the next cleanup once its heartbeat has lapsed, which says so.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { SQL } from "bun";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { log } from "../src/log.ts";
import { cleanUp, planCleanup } from "../src/sessions/cleanup.ts";
import type { Attachment, StoredMessage } from "../src/session.ts";
import { finishLater, heartbeatMs, isSmallImport } from "../src/storage/bulk.ts";
import { StorageError } from "../src/storage/errors.ts";
import { openPostgres } from "../src/storage/postgres/bootstrap.ts";
import { migrations as postgresMigrations } from "../src/storage/postgres/migrations.ts";
import { PostgresStore } from "../src/storage/postgres/postgres-store.ts";
import type { SessionStore } from "../src/storage/session-store.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { aMessage, aSession, at } from "./_session-store-contract.ts";
import { describePostgres, dropFreshDatabases, freshDatabase, postgresSkipNote, postgresUrl } from "./_postgres.ts";

// Bun 1.4.5 applies the preload's setDefaultTimeout to the first test file of a run only.
setDefaultTimeout(120_000);

afterAll(dropFreshDatabases);

/** SQL on the same database beside the store, seeing hidden rows too (`?` placeholders). */
interface Raw {
  rows(sql: string, ...params: (string | number)[]): Promise<unknown[][]>;
  close(): Promise<void>;
}

interface Opened {
  store: SessionStore;
  raw: Raw;
}

const engines: [string, () => Promise<Opened>][] = [
  [
    "SQLite",
    async () => {
      const path = join(mkdtempSync(join(tmpdir(), "synapse-bulk-")), "sessions.db");
      const store = SqliteStore.open(path);
      const db = new Database(path);
      db.run("PRAGMA busy_timeout = 10000");
      return {
        store,
        raw: {
          rows: async (sql, ...params) => db.query(sql).values(...params) as unknown[][],
          close: async () => db.close(),
        },
      };
    },
  ],
];
if (postgresUrl !== undefined) {
  engines.push([
    "PostgreSQL",
    async () => {
      const url = await freshDatabase();
      const store = await PostgresStore.open(url);
      const sql = new SQL(url, { max: 1 });
      return {
        store,
        raw: {
          rows: async (text, ...params) => {
            let n = 0;
            return (await sql.unsafe(text.replace(/\?/g, () => `$${++n}`), params).values()) as unknown[][];
          },
          close: () => sql.close(),
        },
      };
    },
  ]);
} else {
  test.skip("bulk storage on PostgreSQL (set SYNAPSE_TEST_POSTGRES_URL to run it)", () => {});
}

/** Collects what the logger prints while `fn` runs. */
async function logged(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  log.capture((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  try {
    await fn();
  } finally {
    log.restore();
  }
  return lines;
}

function conversation(sessionId: string, count: number): StoredMessage[] {
  return Array.from({ length: count }, (_, i) => aMessage(sessionId, i % 2 === 0 ? "user" : "assistant", `message ${i} about kettles`, at(i * 1000)));
}

async function rawCount(raw: Raw, sql: string, ...params: string[]): Promise<number> {
  return Number((await raw.rows(sql, ...params))[0]![0]);
}

for (const [engine, open] of engines) {
  describe(`bulk work on ${engine}`, () => {
    // Over the 200 messages that one transaction takes.
    const big = 1000;

    test("a big import arrives whole and exact, its updatedAt as given", async () => {
      const { store, raw } = await open();
      try {
        const session = aSession({ title: "Big", updatedAt: at(-1) });
        const messages = conversation(session.id, big);
        await store.importSession(session, messages);
        expect(await store.getSession(session.id)).toEqual(session);
        expect(await store.getMessages(session.id)).toEqual(messages);
        expect((await store.listSessions())[0]).toMatchObject({ id: session.id, messageCount: big, preview: "message 0 about kettles" });
        expect(await rawCount(raw, "SELECT COUNT(*) FROM sessions WHERE state <> 'visible'")).toBe(0);
      } finally {
        await raw.close();
        await store.close();
      }
    });

    test("a big import that fails part-way (a message id taken) leaves nothing behind, hidden or not", async () => {
      const { store, raw } = await open();
      try {
        const existing = aSession();
        const taken = aMessage(existing.id, "user", "taken");
        await store.importSession(existing, [taken]);
        const session = aSession();
        const messages = [...conversation(session.id, big), { ...taken, sessionId: session.id }];
        let error: unknown;
        await store.importSession(session, messages).catch((e: unknown) => (error = e));
        expect(error).toBeInstanceOf(StorageError);
        expect((error as StorageError).message).toContain("exists already");
        expect(await rawCount(raw, "SELECT COUNT(*) FROM sessions WHERE id = ?", session.id)).toBe(0);
        expect(await rawCount(raw, "SELECT COUNT(*) FROM messages WHERE session_id = ?", session.id)).toBe(0);
        expect(await store.searchMessages("kettles")).toEqual([]);
        // The id is free again: the same import, without the clash, goes through.
        await store.importSession(session, messages.slice(0, -1));
        expect(await store.getMessages(session.id)).toHaveLength(big);
      } finally {
        await raw.close();
        await store.close();
      }
    });

    test("a big import carries its files, each stored once; a failed one leaves none; deleting it removes them", async () => {
      const { store, raw } = await open();
      try {
        const contents = [new TextEncoder().encode("notes\n"), new Uint8Array(600_000).map((_, i) => i % 251), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255])];
        const attach = (name: string, data: Uint8Array): Attachment => ({
          name,
          mediaType: name.endsWith(".png") ? "image/png" : "text/plain",
          size: data.byteLength,
          sha256: new Bun.CryptoHasher("sha256").update(data).digest("hex"),
          data,
        });
        const files = [attach("notes.txt", contents[0]!), attach("big.txt", contents[1]!), attach("chart.png", contents[2]!)];
        const withFiles = (messages: StoredMessage[], every: number) =>
          messages.map((m, i) => (i % every === 0 ? { ...m, attachments: [files[(i / every) % 2]!, files[2]!].map((f, k) => ({ ...f, name: `${k}-${f.name}` })) } : m));
        const listed = (messages: StoredMessage[]) => messages.map((m) => (m.attachments === undefined ? m : { ...m, attachments: m.attachments.map(({ data: _data, ...rest }) => rest) }));

        // A failed import (its last message id taken) stores none of its files.
        const existing = aSession();
        const taken = aMessage(existing.id, "user", "taken");
        await store.importSession(existing, [taken]);
        const failed = aSession();
        const error = await store.importSession(failed, [...withFiles(conversation(failed.id, big), 100), { ...taken, sessionId: failed.id }]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StorageError);
        expect(await rawCount(raw, "SELECT COUNT(*) FROM attachments")).toBe(0);
        expect(await rawCount(raw, "SELECT COUNT(*) FROM message_attachments")).toBe(0);

        const session = aSession();
        const messages = withFiles(conversation(session.id, big), 100);
        await store.importSession(session, messages);
        expect(await store.getMessages(session.id)).toEqual(listed(messages));
        const pages: StoredMessage[] = [];
        for await (const page of await store.messagePages(session.id, { pageSize: 300 })) pages.push(...page);
        expect(pages).toEqual(listed(messages));
        for (const [i, file] of files.entries()) expect(await store.readAttachment(file.sha256)).toEqual(contents[i]!);
        expect(await rawCount(raw, "SELECT COUNT(*) FROM attachments")).toBe(3);
        expect(await rawCount(raw, "SELECT COUNT(*) FROM message_attachments")).toBe(2 * (big / 100));

        expect(await store.deleteSession(session.id)).toBe(true);
        expect(await rawCount(raw, "SELECT COUNT(*) FROM attachments")).toBe(0);
        expect(await rawCount(raw, "SELECT COUNT(*) FROM message_attachments")).toBe(0);
      } finally {
        await raw.close();
        await store.close();
      }
    });

    test("deleting a big session removes every message, from the search index too", async () => {
      const { store, raw } = await open();
      try {
        const session = aSession();
        await store.importSession(session, conversation(session.id, big));
        const other = aSession();
        await store.importSession(other, [aMessage(other.id, "user", "kettles elsewhere")]);
        expect(await store.deleteSession(session.id)).toBe(true);
        expect(await store.getSession(session.id)).toBeNull();
        expect(await rawCount(raw, "SELECT COUNT(*) FROM messages WHERE session_id = ?", session.id)).toBe(0);
        expect(await rawCount(raw, "SELECT COUNT(*) FROM sessions WHERE id = ?", session.id)).toBe(0);
        expect((await store.searchMessages("kettles")).map((h) => h.sessionId)).toEqual([other.id]);
        expect(await store.deleteSession(session.id)).toBe(false);
      } finally {
        await raw.close();
        await store.close();
      }
    });

    test("search finds visible hits however many newer matches a hidden session holds", async () => {
      const { store, raw } = await open();
      try {
        const visible = aSession({ updatedAt: at(0) });
        await store.importSession(visible, [aMessage(visible.id, "user", "one apple", at(0))]);
        // More matches than search ranks (the 1,000 newest), all newer, in a session being imported.
        const hidden = aSession({ updatedAt: at(5000) });
        const many = Array.from({ length: 1500 }, (_, i) => aMessage(hidden.id, i % 2 === 0 ? "user" : "assistant", `apple ${i}`, at(1000 + i)));
        await store.importSession(hidden, many);
        await raw.rows("UPDATE sessions SET state = 'importing' WHERE id = ?", hidden.id);
        expect((await store.searchMessages("apple")).map((h) => h.sessionId)).toEqual([visible.id]);
      } finally {
        await raw.close();
        await store.close();
      }
    });

    test("no lease is taken on a hidden session: it is not found", async () => {
      const { store, raw } = await open();
      try {
        const session = aSession();
        await store.importSession(session, [aMessage(session.id, "user", "soon gone")]);
        await raw.rows("UPDATE sessions SET state = 'deleting' WHERE id = ?", session.id);
        const error = await store.leaseSession(session.id, { holder: crypto.randomUUID(), ttlMs: 60_000 }).then(() => null, (e: unknown) => e);
        expect(error).toBeInstanceOf(StorageError);
        expect((error as StorageError).kind).toBe("not_found");
        expect(await store.sessionsInUse([session.id])).toEqual([]);
      } finally {
        await raw.close();
        await store.close();
      }
    });

    test("a hidden session is seen by no read and no limit; once its heartbeat lapses, cleanup removes it and says so", async () => {
      const { store, raw } = await open();
      try {
        const visible = aSession({ title: "Shown", updatedAt: at(0) });
        await store.importSession(visible, [aMessage(visible.id, "user", "kettles here")]);
        // A session as an import in progress leaves it: hidden, its heartbeat running.
        const hidden = aSession({ title: "Shown", updatedAt: at(5000) });
        await store.importSession(hidden, [aMessage(hidden.id, "user", "kettles hidden"), aMessage(hidden.id, "assistant", "more")]);
        const until = new Date(Date.now() + heartbeatMs);
        await raw.rows(`UPDATE sessions SET state = 'importing', hidden_until = ${engine === "SQLite" ? "?" : "?::timestamptz"} WHERE id = ?`, until.toISOString(), hidden.id);

        expect(await store.getSession(hidden.id)).toBeNull();
        expect(await store.getMessages(hidden.id)).toEqual([]);
        expect((await store.listSessions()).map((s) => s.id)).toEqual([visible.id]);
        expect(await store.countSessions()).toBe(1);
        expect(await store.sessionIds()).toEqual([visible.id]);
        expect(await store.findSessionsByIdPrefix(hidden.id.slice(0, 8), 10)).toEqual([]);
        expect((await store.findSessionsByTitle("Shown", 10)).map((s) => s.id)).toEqual([visible.id]);
        expect((await store.latestSession())?.id).toBe(visible.id);
        expect((await store.searchMessages("kettles")).map((h) => h.sessionId)).toEqual([visible.id]);
        expect((await store.sessionsUpdatedBefore(at(10_000))).map((s) => s.id)).toEqual([visible.id]);
        for (const write of [
          () => store.addMessage(aMessage(hidden.id, "user", "into a hidden session")),
          () => store.renameSession(hidden.id, "x"),
          () => store.touchSession(hidden.id),
        ]) {
          const error = await write().then(() => null, (e: unknown) => e);
          expect(error).toBeInstanceOf(StorageError);
          expect((error as StorageError).kind).toBe("not_found");
        }
        expect(await store.deleteSessions([hidden.id])).toBe(0);
        // Limits count visible sessions only, and while its heartbeat runs it is left alone.
        const limits = { maxSessions: 1, retentionDays: 1 };
        expect(await planCleanup(store, limits, { now: at(0) })).toEqual({ byMaxLimit: [], byRetention: [] });
        expect((await logged(async () => void expect((await cleanUp(store, limits, { now: at(0) })).sessionsDeleted).toBe(0)))).toEqual([]);
        expect(await rawCount(raw, "SELECT COUNT(*) FROM sessions WHERE id = ?", hidden.id)).toBe(1);

        const later = new Date(until.getTime() + 1000);
        const said = await logged(async () => {
          const result = await cleanUp(store, { maxSessions: 0, retentionDays: 0 }, { now: later });
          expect(result.sessionsDeleted).toBe(0);
        });
        expect(said).toEqual([expect.stringContaining(`removed an incomplete import of session ${hidden.id} (2 messages)`)]);
        expect(await rawCount(raw, "SELECT COUNT(*) FROM sessions WHERE id = ?", hidden.id)).toBe(0);
        expect(await rawCount(raw, "SELECT COUNT(*) FROM messages WHERE session_id = ?", hidden.id)).toBe(0);
        expect(await store.getMessages(visible.id)).toHaveLength(1);
      } finally {
        await raw.close();
        await store.close();
      }
    });
  });
}

describe("bulk work, whatever the engine", () => {
  test("long messages go in batches even when they are few: one transaction would hold the lock long", () => {
    const of = (count: number, chars: number) => Array.from({ length: count }, () => ({ content: "x".repeat(chars) }));
    expect(isSmallImport(of(1, 10))).toBe(true);
    expect(isSmallImport(of(200, 1000))).toBe(true);
    expect(isSmallImport(of(201, 10))).toBe(false);
    expect(isSmallImport(of(200, 175_000))).toBe(false);
  });

  test("a deletion's message removal that finds the file damaged or the disk full fails the command; a busy database is left for later", async () => {
    for (const kind of ["corrupt", "disk_full"] as const) {
      const failed = finishLater(Promise.reject(new StorageError(kind, `${kind} here`)), 1);
      await expect(failed).rejects.toMatchObject({ kind });
    }
    const said = await logged(() => finishLater(Promise.reject(new StorageError("database", "stayed locked")), 1));
    expect(said).toEqual([expect.stringContaining("the next cleanup finishes it")]);
  });
});

describePostgres(`PostgreSQL: hidden sessions migration${postgresSkipNote}`, () => {
  test("a database written before sessions could be hidden is upgraded with every session visible", async () => {
    const url = await freshDatabase();
    const old = await openPostgres(url, postgresMigrations.slice(0, 1));
    const session = aSession({ title: "From before" });
    await old.unsafe("INSERT INTO sessions (id, name, provider, model, created_at, updated_at) VALUES ($1, $2, 'openai', 'gpt-4o', $3, $3)", [
      session.id,
      session.title,
      session.createdAt,
    ]);
    await old.unsafe("INSERT INTO messages (id, session_id, role, content, timestamp) VALUES ($1, $2, 'user', 'kettles', $3)", [crypto.randomUUID(), session.id, session.createdAt]);
    await old.close();
    const store = await PostgresStore.open(url);
    try {
      expect((await store.listSessions()).map((s) => [s.id, s.messageCount])).toEqual([[session.id, 1]]);
      expect(await store.getMessages(session.id)).toHaveLength(1);
      expect((await store.searchMessages("kettles")).map((h) => h.sessionId)).toEqual([session.id]);
    } finally {
      await store.close();
    }
  });
});

const twoStores: [string, () => Promise<[SessionStore, SessionStore]>][] = [
  [
    "SQLite",
    async () => {
      const path = join(mkdtempSync(join(tmpdir(), "synapse-bulk-")), "sessions.db");
      return [SqliteStore.open(path), SqliteStore.open(path)];
    },
  ],
];
if (postgresUrl !== undefined) {
  twoStores.push([
    "PostgreSQL",
    async () => {
      const url = await freshDatabase();
      return [await PostgresStore.open(url), await PostgresStore.open(url)];
    },
  ]);
}

for (const [engine, openTwo] of twoStores) {
  test(`${engine}: two purges at once share the pending work in measured batches; every message is counted once, none goes in one cascade`, async () => {
    const [one, two] = await openTwo();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const session = aSession({ updatedAt: at(i) });
        ids.push(session.id);
        await one.importSession(session, conversation(session.id, 3000));
      }
      // Hidden at once, every row still there: a pending purge that belongs to no process.
      expect(await cleanUp(one, { maxSessions: 0, retentionDays: 1 }, { now: at(400 * 24 * 3600 * 1000), purgeBudgetMs: 0 })).toMatchObject({ sessionsDeleted: 6 });
      const [a, b] = await Promise.all([one.purgePendingDeletions(), two.purgePendingDeletions()]);
      expect(a.messages + b.messages).toBe(18_000);
      expect(a.sessions + b.sessions).toBe(6);
      expect(await one.purgePendingDeletions()).toEqual({ sessions: 0, messages: 0, more: false });
      for (const id of ids) expect(await one.getMessages(id)).toEqual([]);
    } finally {
      await one.close();
      await two.close();
    }
  });
}
