import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { log } from "../src/log.ts";
import { createStorage, defaultDatabaseUrl, sqlitePathOf } from "../src/storage/create-storage.ts";
import { SearchSyntaxError, StorageError } from "../src/storage/errors.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { aMessage, aSession, sessionStoreContract } from "./_session-store-contract.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "synapse-store-"));
}

sessionStoreContract("SqliteStore on a file", async () => SqliteStore.open(join(tempDir(), "sessions.db")));
sessionStoreContract("SqliteStore in memory", async () => SqliteStore.inMemory());

function mode(path: string): number {
  return statSync(path).mode & 0o777;
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

describe("SqliteStore files", () => {
  test("the folder is created 0700 and the database and its WAL files 0600", async () => {
    const dir = join(tempDir(), "nested", "synapse");
    const path = join(dir, "sessions.db");
    const store = SqliteStore.open(path);
    const session = aSession();
    await store.createSession(session);
    await store.addMessage(aMessage(session.id, "user", "private"));
    expect(mode(dir)).toBe(0o700);
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    expect(mode(`${path}-shm`)).toBe(0o600);
    await store.close();
  });

  test("an existing database readable by others gets one warning with the fix", async () => {
    const dir = tempDir();
    const path = join(dir, "sessions.db");
    await (SqliteStore.open(path)).close();
    chmodSync(path, 0o644);
    const lines = await logged(async () => {
      await SqliteStore.open(path).close();
      await SqliteStore.open(path).close();
    });
    expect(lines).toEqual([`the session database file ${path} is accessible to other users (mode 644); run: chmod 600 ${path}`]);
  });

  test("an existing folder open to others is warned about; a private one is not", async () => {
    const open = join(tempDir(), "open");
    mkdirSync(open, { mode: 0o755 });
    chmodSync(open, 0o755);
    const quiet = join(tempDir(), "quiet");
    mkdirSync(quiet, { mode: 0o700 });
    const lines = await logged(async () => {
      await SqliteStore.open(join(open, "a.db")).close();
      await SqliteStore.open(join(quiet, "a.db")).close();
    });
    expect(lines).toEqual([`the session database folder ${open} is accessible to other users (mode 755); run: chmod 700 ${open}`]);
  });

  test("sessions persist across stores on one file", async () => {
    const path = join(tempDir(), "sessions.db");
    const first = SqliteStore.open(path);
    const session = aSession();
    await first.createSession(session);
    await first.addMessage(aMessage(session.id, "user", "remember me"));
    await first.close();
    const second = SqliteStore.open(path);
    expect(await second.getSession(session.id)).toEqual(session);
    expect((await second.getMessages(session.id)).map((m) => m.content)).toEqual(["remember me"]);
    await second.close();
  });

  test("a stored timestamp that is not RFC 3339 is invalid_data, not a NaN date", async () => {
    const path = join(tempDir(), "sessions.db");
    const store = SqliteStore.open(path);
    const session = aSession();
    await store.createSession(session);
    await store.close();
    const { Database } = await import("bun:sqlite");
    const raw = new Database(path);
    raw.run("UPDATE sessions SET updated_at = 'yesterday'");
    raw.close();
    const reopened = SqliteStore.open(path);
    const error = await reopened.getSession(session.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).kind).toBe("invalid_data");
    await reopened.close();
  });
});

describe("createStorage", () => {
  const env = { HOME: "/home/ada", XDG_CONFIG_HOME: undefined };
  test.each([
    ["sqlite:/var/db/s.db", "/var/db/s.db"],
    ["sqlite:///var/db/s.db", "/var/db/s.db"],
    ["sqlite://~/s.db", "/home/ada/s.db"],
    ["sqlite:~/notes/s.db", "/home/ada/notes/s.db"],
    ["sqlite::memory:", ":memory:"],
    ["sqlite://:memory:", ":memory:"],
    ["SQLITE:/x.db", "/x.db"],
    ["sqlite:rel/s.db", join(process.cwd(), "rel/s.db")],
  ])("%s opens %s", (url, path) => {
    expect(sqlitePathOf(url, env)).toBe(path);
  });

  test.each([
    ["mysql://x", 'the database URL scheme "mysql:" is not supported'],
    ["/just/a/path.db", "a database URL without a scheme is not supported"],
    ["sqlite:", "needs a file path"],
    ["sqlite:/x.db?mode=rwc", "no query parameters"],
  ])("%s is refused clearly", (url, message) => {
    let error: unknown;
    try {
      sqlitePathOf(url, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).kind).toBe("invalid_data");
    expect((error as StorageError).message).toContain(message);
    expect((error as StorageError).message).toContain("sqlite:PATH");
    expect((error as StorageError).message).not.toContain("secret");
  });

  test("with no URL it uses sessions.db in the config folder", async () => {
    expect(defaultDatabaseUrl({ HOME: "/home/ada" })).toBe("sqlite:/home/ada/.config/synapse/sessions.db");
    expect(defaultDatabaseUrl({ HOME: "/home/ada", XDG_CONFIG_HOME: "/cfg" })).toBe("sqlite:/cfg/synapse/sessions.db");
    expect(defaultDatabaseUrl({ HOME: "/home/ada", XDG_CONFIG_HOME: "relative" })).toBe("sqlite:/home/ada/.config/synapse/sessions.db");
    const store = await createStorage();
    const session = aSession();
    await store.createSession(session);
    await store.close();
    const file = join(process.env.XDG_CONFIG_HOME!, "synapse", "sessions.db");
    expect(mode(file)).toBe(0o600);
    const again = await createStorage(`sqlite:${file}`);
    expect((await again.getSession(session.id))?.id).toBe(session.id);
    await again.close();
  });
});

test("a file written where the database should be is not mistaken for one", () => {
  const path = join(tempDir(), "notes.txt");
  writeFileSync(path, "not a database at all, just some notes that happen to be long enough");
  expect(() => SqliteStore.open(path)).toThrow("is not a SQLite database");
});

describe("SQLite full-text search", () => {
  test("accents are ignored: turín finds Turin", async () => {
    const store = SqliteStore.inMemory();
    const session = aSession();
    await store.createSession(session);
    await store.addMessage(aMessage(session.id, "user", "Trains from Lyon to Turin"));
    expect((await store.searchMessages("turín")).map((h) => h.sessionId)).toEqual([session.id]);
  });

  test.each(['"unbalanced', "AND", "NEAR(", "*", "nosuchcolumn:foo"])("FTS5 syntax it cannot read, %p, is a SearchSyntaxError", async (query) => {
    const store = SqliteStore.inMemory();
    const session = aSession();
    await store.createSession(session);
    await store.addMessage(aMessage(session.id, "user", "something to search through"));
    const error = await store.searchMessages(query).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SearchSyntaxError);
    expect((error as SearchSyntaxError).kind).toBe("invalid_data");
  });
});
