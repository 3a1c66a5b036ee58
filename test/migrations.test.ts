import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StoredMessage } from "../src/session.ts";
import { StorageError } from "../src/storage/errors.ts";
import { openDatabase } from "../src/storage/sqlite/bootstrap.ts";
import { migrations, type Migration } from "../src/storage/sqlite/migrations.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";

const schemaDir = join(import.meta.dir, "../schema/sqlite");

function tempPath(name = "sessions.db"): string {
  return join(mkdtempSync(join(tmpdir(), "synapse-migrate-")), name);
}

function openError(path: string, list?: readonly Migration[]): StorageError {
  try {
    openDatabase(path, list).close();
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    return error as StorageError;
  }
  throw new Error("expected opening to fail");
}

function ledger(db: Database): { version: string; file: string; checksum: string }[] {
  return db.query<{ version: string; file: string; checksum: string }, []>("SELECT version, file, checksum FROM _synapse_migrations ORDER BY version").all();
}

describe("embedded migrations", () => {
  test("are exactly the files in schema/sqlite/, in name order", () => {
    const files = readdirSync(schemaDir).filter((f) => f.endsWith(".sql")).sort();
    expect(migrations.map((m) => m.file)).toEqual(files);
    for (const migration of migrations) {
      expect(migration.sql).toBe(readFileSync(join(schemaDir, migration.file), "utf8"));
      expect(migration.file.startsWith(`${migration.version}_`)).toBe(true);
    }
  });

  test("the first is the original Synapse's initial schema, so its databases upgrade", () => {
    expect(migrations[0]!.file).toBe("20250125_001_initial.sql");
  });
});

describe("migration runner", () => {
  test("a fresh database gets every migration, recorded with its checksum", () => {
    const db = openDatabase(tempPath());
    expect(ledger(db)).toEqual(migrations.map((m) => ({ version: m.version, file: m.file, checksum: m.checksum })));
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(db.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });
    expect(db.query("PRAGMA synchronous").get()).toEqual({ synchronous: 2 });
    db.close();
  });

  test("opening again is a no-op", () => {
    const path = tempPath();
    openDatabase(path).close();
    const before = new Database(path);
    const version = before.query("PRAGMA schema_version").get();
    const rows = ledger(before);
    before.close();
    openDatabase(path).close();
    const after = new Database(path);
    expect(after.query("PRAGMA schema_version").get()).toEqual(version);
    expect(ledger(after)).toEqual(rows);
    after.close();
  });

  test("a database of the first schema is upgraded in place, its data kept in order", async () => {
    const path = tempPath();
    const old = openDatabase(path, migrations.slice(0, 1));
    old.run(`INSERT INTO sessions VALUES ('11111111-1111-4111-8111-111111111111', 'kept', 'openai', 'gpt-4o', 'Be kind.', '2025-02-01T10:00:00.000Z', '2025-02-01T10:05:00.000Z')`);
    old.run(`INSERT INTO sessions VALUES ('22222222-2222-4222-8222-222222222222', NULL, 'anthropic', 'claude', NULL, '2025-02-02T10:00:00.000Z', '2025-02-02T10:00:00.000Z')`);
    const insert = old.query("INSERT INTO messages VALUES (?, '11111111-1111-4111-8111-111111111111', ?, ?, ?)");
    // Two share a timestamp; the older schema kept their insertion order only in its rowid.
    insert.run("aaaaaaaa-0000-4000-8000-000000000001", "system", "Be kind.", "2025-02-01T10:00:00.000Z");
    insert.run("aaaaaaaa-0000-4000-8000-000000000003", "user", "first question", "2025-02-01T10:01:00.000Z");
    insert.run("aaaaaaaa-0000-4000-8000-000000000002", "assistant", "first answer", "2025-02-01T10:01:00.000Z");
    insert.run("aaaaaaaa-0000-4000-8000-000000000004", "user", "second question", "2025-02-01T10:05:00.000Z");
    expect(ledger(old).map((r) => r.version)).toEqual([migrations[0]!.version]);
    old.close();

    const store = SqliteStore.open(path);
    const messages = await store.getMessages("11111111-1111-4111-8111-111111111111");
    expect(messages.map((m) => m.content)).toEqual(["Be kind.", "first question", "first answer", "second question"]);
    const list = await store.listSessions();
    expect(list.map((s) => [s.title, s.messageCount, s.preview])).toEqual([
      [null, 0, null],
      ["kept", 4, "first question"],
    ]);
    expect(await store.getSession("11111111-1111-4111-8111-111111111111")).toMatchObject({ systemPrompt: "Be kind.", model: "gpt-4o" });
    await store.close();
    const db = new Database(path);
    expect(ledger(db).map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    expect(db.query("PRAGMA foreign_key_check").all()).toEqual([]);
    db.close();
  });

  test("a database of the previous schema gains search over its existing messages, and usage", async () => {
    const path = tempPath();
    const previous = migrations.findIndex((m) => m.file.includes("_004_"));
    const old = openDatabase(path, migrations.slice(0, previous));
    old.run(`INSERT INTO sessions (id, name, provider, model, system_prompt, created_at, updated_at) VALUES ('33333333-3333-4333-8333-333333333333', NULL, 'openai', 'gpt-4o', NULL, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`);
    old.run(`INSERT INTO messages (id, session_id, role, content, timestamp) VALUES ('bbbbbbbb-0000-4000-8000-000000000001', '33333333-3333-4333-8333-333333333333', 'user', 'Where do penguins live?', '2026-01-01T00:00:00.000Z')`);
    old.close();
    const store = SqliteStore.open(path);
    const hits = await store.searchMessages("penguins");
    expect(hits.map((h) => h.messageId)).toEqual(["bbbbbbbb-0000-4000-8000-000000000001"]);
    const [message] = await store.getMessages("33333333-3333-4333-8333-333333333333");
    expect(message?.usage).toBeUndefined();
    // New messages and cascading deletes keep the upgraded index exact.
    await store.addMessage({ id: "bbbbbbbb-0000-4000-8000-000000000002", sessionId: "33333333-3333-4333-8333-333333333333", role: "assistant", content: "Penguins live in the south.", timestamp: new Date() });
    expect(await store.searchMessages("penguins")).toHaveLength(2);
    await store.deleteSession("33333333-3333-4333-8333-333333333333");
    expect(await store.searchMessages("penguins")).toEqual([]);
    await store.close();
    const db = new Database(path);
    expect(() => db.run("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")).not.toThrow();
    db.close();
  });

  test("a database of the previous schema reads each reply as written by its session's provider and model, rewriting no row", async () => {
    const path = tempPath();
    const previous = migrations.findIndex((m) => m.file.includes("_008_"));
    const old = openDatabase(path, migrations.slice(0, previous));
    const id = "44444444-4444-4444-8444-444444444444";
    old.run(`INSERT INTO sessions (id, name, provider, model, system_prompt, created_at, updated_at) VALUES ('${id}', NULL, 'openai', 'gpt-4o', NULL, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:02.000Z')`);
    const insert = old.query(`INSERT INTO messages (id, session_id, role, content, timestamp, interrupted, input_tokens, output_tokens) VALUES (?, '${id}', ?, ?, ?, ?, ?, ?)`);
    insert.run("cccccccc-0000-4000-8000-000000000001", "user", "Capital of Peru?", "2026-01-01T00:00:00.000Z", 0, null, null);
    insert.run("cccccccc-0000-4000-8000-000000000002", "assistant", "Lima.", "2026-01-01T00:00:01.000Z", 0, 12, 3);
    insert.run("cccccccc-0000-4000-8000-000000000003", "assistant", "And", "2026-01-01T00:00:02.000Z", 1, null, null);
    old.close();

    const store = SqliteStore.open(path);
    const session = { provider: "openai", model: "gpt-4o" };
    const expected: StoredMessage[] = [
      { id: "cccccccc-0000-4000-8000-000000000001", sessionId: id, role: "user", content: "Capital of Peru?", timestamp: new Date("2026-01-01T00:00:00.000Z") },
      { id: "cccccccc-0000-4000-8000-000000000002", sessionId: id, role: "assistant", content: "Lima.", timestamp: new Date("2026-01-01T00:00:01.000Z"), usage: { inputTokens: 12, outputTokens: 3 }, ...session },
      { id: "cccccccc-0000-4000-8000-000000000003", sessionId: id, role: "assistant", content: "And", timestamp: new Date("2026-01-01T00:00:02.000Z"), interrupted: true, ...session },
    ];
    expect(await store.getMessages(id)).toEqual(expected);
    const pages: StoredMessage[] = [];
    for await (const page of await store.messagePages(id, { pageSize: 2 })) pages.push(...page);
    expect(pages).toEqual(expected);
    // After the upgrade, a reply by the session's own provider and model is stored as the old
    // ones are (NULL, no bytes), and one by another model names it.
    const at = new Date("2026-01-01T00:00:03.000Z");
    await store.addMessage({ id: "cccccccc-0000-4000-8000-000000000004", sessionId: id, role: "assistant", content: "own", timestamp: at, ...session });
    await store.addMessage({ id: "cccccccc-0000-4000-8000-000000000005", sessionId: id, role: "assistant", content: "other", timestamp: at, provider: "openai", model: "o3" });
    expect((await store.getMessages(id)).slice(3).map((m) => [m.content, m.provider, m.model])).toEqual([
      ["own", "openai", "gpt-4o"],
      ["other", "openai", "o3"],
    ]);
    expect(await store.getSession(id)).toMatchObject(session);
    await store.close();
    const db = new Database(path);
    expect(db.query("SELECT content, provider, model FROM messages ORDER BY seq").values()).toEqual([
      ["Capital of Peru?", null, null],
      ["Lima.", null, null],
      ["And", null, null],
      ["own", null, null],
      ["other", null, "o3"],
    ]);
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    db.close();
  });

  test("a database of the previous schema reads its sessions as forked from nothing, and they fork", async () => {
    const path = tempPath();
    const previous = migrations.findIndex((m) => m.file.includes("_009_"));
    const old = openDatabase(path, migrations.slice(0, previous));
    const id = "55555555-5555-4555-8555-555555555555";
    old.run(`INSERT INTO sessions (id, name, provider, model, system_prompt, created_at, updated_at) VALUES ('${id}', 'Peru', 'openai', 'gpt-4o', 'Be brief.', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z')`);
    const insert = old.query(`INSERT INTO messages (id, session_id, role, content, timestamp) VALUES (?, '${id}', ?, ?, ?)`);
    insert.run("dddddddd-0000-4000-8000-000000000001", "user", "Capital of Peru?", "2026-01-01T00:00:00.000Z");
    insert.run("dddddddd-0000-4000-8000-000000000002", "assistant", "Lima.", "2026-01-01T00:00:01.000Z");
    old.close();

    const store = SqliteStore.open(path);
    expect(await store.sessionOrigin(id)).toBeNull();
    expect(await store.listForks(id)).toEqual([]);
    const fork = await store.forkSession(id, { at: 1 });
    expect(fork).toMatchObject({ title: "Peru (fork)", provider: "openai", model: "gpt-4o", systemPrompt: "Be brief." });
    expect((await store.getMessages(fork.id)).map((m) => m.content)).toEqual(["Capital of Peru?"]);
    expect(await store.sessionOrigin(fork.id)).toEqual({ sessionId: id, messageId: "dddddddd-0000-4000-8000-000000000001", at: 1 });
    await store.close();
  });

  test("a migration that fails is rolled back whole and named", () => {
    const path = tempPath();
    openDatabase(path, migrations.slice(0, 1)).close();
    const broken: Migration = { version: "20990101_001", file: "20990101_001_broken.sql", checksum: "x", sql: "CREATE TABLE half (a); INSERT INTO nowhere VALUES (1);" };
    const error = openError(path, [migrations[0]!, broken]);
    expect(error.kind).toBe("migration");
    expect(error.message).toContain("20990101_001_broken.sql failed");
    const db = new Database(path);
    expect(db.query("SELECT name FROM sqlite_master WHERE name = 'half'").all()).toEqual([]);
    expect(ledger(db).map((r) => r.version)).toEqual([migrations[0]!.version]);
    db.close();
  });

  test("an applied migration whose file changed is a clear error", () => {
    const path = tempPath();
    openDatabase(path).close();
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    const error = openError(path, edited);
    expect(error.kind).toBe("migration");
    expect(error.message).toContain("migration 20250125_001_initial.sql differs from the one applied");
  });
});

describe("databases Synapse must not touch", () => {
  function expectUntouched(path: string, run: () => void): void {
    const before = readFileSync(path);
    run();
    expect(readFileSync(path).equals(before)).toBe(true);
  }

  test("one written by a newer Synapse is refused as a migration error", () => {
    const path = tempPath();
    const db = openDatabase(path);
    db.run("INSERT INTO _synapse_migrations VALUES ('20990101_001', '20990101_001_future.sql', 'abc', '2099-01-01T00:00:00.000Z')");
    db.close();
    expectUntouched(path, () => {
      const error = openError(path);
      expect(error.kind).toBe("migration");
      expect(error.message).toContain("was written by a newer Synapse (schema 20990101_001); it was left untouched; upgrade Synapse, or point database_url elsewhere");
    });
  });

  test("a file that is not SQLite is a database error", () => {
    const path = tempPath("notes.md");
    writeFileSync(path, "# My notes\n\nNothing to see here, but it must survive.\n");
    expectUntouched(path, () => {
      const error = openError(path);
      expect(error.kind).toBe("database");
      expect(error.message).toBe(`${path} is not a SQLite database; Synapse left it untouched; move it away, or set database_url to another file`);
    });
  });

  test("another program's SQLite database is refused", () => {
    const path = tempPath("other.db");
    const other = new Database(path);
    other.run("PRAGMA journal_mode = DELETE");
    other.run("CREATE TABLE bookmarks (url TEXT)");
    other.run("INSERT INTO bookmarks VALUES ('https://example.org')");
    other.close();
    expectUntouched(path, () => {
      const error = openError(path);
      expect(error.kind).toBe("database");
      expect(error.message).toContain("is a SQLite database of another program (tables: bookmarks)");
    });
  });

  test("a corrupt database is refused, saying how to save what it holds", () => {
    const path = tempPath();
    const db = openDatabase(path);
    db.run("PRAGMA journal_mode = DELETE");
    db.close();
    const bytes = readFileSync(path);
    // Keep the header, wreck the schema that follows it on the first page.
    bytes.fill(0xa5, 100, 4096);
    writeFileSync(path, bytes);
    expectUntouched(path, () => {
      const error = openError(path);
      expect(error.kind).toBe("corrupt");
      expect(error.message).toContain(`${path} is corrupt; Synapse stopped and writes nothing more to it; save what it holds with: sqlite3 ${path} .recover`);
    });
  });

  test("a file with SQLite's header and garbage after it is corrupt, not foreign", () => {
    const path = tempPath();
    const db = openDatabase(path);
    db.run("PRAGMA journal_mode = DELETE");
    db.close();
    const bytes = readFileSync(path);
    // The page size and the fields after it: SQLite says "not a database" of this.
    bytes.fill(0xa5, 16, 100);
    writeFileSync(path, bytes);
    expectUntouched(path, () => {
      const error = openError(path);
      expect(error.kind).toBe("corrupt");
      expect(error.message).toStartWith(`the session database ${path} is corrupt; Synapse stopped and writes nothing more to it; save what it holds with: sqlite3 `);
    });
  });

  test("an empty file becomes a new database", () => {
    const path = tempPath();
    writeFileSync(path, "", { mode: 0o600 });
    const db = openDatabase(path);
    expect(ledger(db)).toHaveLength(migrations.length);
    db.close();
  });
});
