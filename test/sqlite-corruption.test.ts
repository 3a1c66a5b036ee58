/**
 * A damaged database, as a disk or a stray `dd` leaves it: a real index page and a real table
 * page of a file Synapse wrote are overwritten, and every command must refuse with one line
 * naming the file and how to save it, and must not write a byte to it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newId, type Session, type StoredMessage } from "../src/session.ts";
import { StorageError } from "../src/storage/errors.ts";
import { wholeCheckMaxBytes } from "../src/storage/sqlite/bootstrap.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { Home, sourceRunner } from "./_cli.ts";

const dir = mkdtempSync(join(tmpdir(), "synapse-corrupt-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database Synapse wrote: `sessions` sessions of `perSession` messages of `length` characters. */
async function writtenBySynapse(path: string, sessions: number, perSession: number, length: number): Promise<string[]> {
  const store = SqliteStore.open(path);
  const ids: string[] = [];
  const at = Date.parse("2026-05-01T10:00:00.000Z");
  for (let s = 0; s < sessions; s++) {
    const time = new Date(at + s * 60_000);
    const session: Session = { id: newId(), title: null, provider: "echo", model: "echo", systemPrompt: null, createdAt: time, updatedAt: time };
    const messages: StoredMessage[] = Array.from({ length: perSession }, (_, m) => ({
      id: newId(),
      sessionId: session.id,
      role: m % 2 === 0 ? "user" : "assistant",
      content: `session ${s} message ${m} ${"lorem ipsum dolor sit amet ".repeat(length / 27)}`,
      timestamp: new Date(time.getTime() + m * 1000),
    }));
    await store.importSession(session, messages);
    ids.push(session.id);
  }
  await store.close();
  return ids;
}

/** The number of a leaf page of `name` (a table or an index), from SQLite's own page map. */
function leafPage(path: string, name: string): number {
  const db = new Database(path, { readonly: true });
  try {
    const pages = db.query<{ pageno: number }, [string]>("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno").all(name);
    const page = pages[Math.floor(pages.length / 2)];
    if (page === undefined) throw new Error(`no leaf page of ${name} in ${path}`);
    return page.pageno;
  } finally {
    db.close();
  }
}

/** Overwrites one whole page with bytes that are no b-tree page, as a bad sector would. */
function overwritePage(path: string, page: number): void {
  const garbage = Buffer.alloc(4096, 0);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 7) & 0xff;
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, garbage, 0, garbage.length, (page - 1) * 4096);
  } finally {
    closeSync(fd);
  }
}

const corruptLine = (path: string) =>
  `error: the session database ${path} is corrupt; Synapse stopped and writes nothing more to it; save what it holds with: sqlite3 ${path} .recover | sqlite3 ${path.replace(/\.db$/, "-recovered.db")} , then set database_url to sqlite:${path.replace(/\.db$/, "-recovered.db")} (or move ${path} away to start afresh)\n`;

describe("a damaged database is refused by every command, and never written to", async () => {
  const pristine = join(dir, "pristine.db");
  const ids = await writtenBySynapse(pristine, 30, 20, 200);
  expect(statSync(pristine).size).toBeLessThan(wholeCheckMaxBytes);
  const sessionId = ids[7]!;

  for (const [what, name] of [
    ["an index page", "idx_messages_session_seq"],
    ["a table page", "messages"],
  ] as const) {
    test(`${what} overwritten (${name})`, async () => {
      const home = new Home(sourceRunner);
      const database = join(home.dir, "sessions.db");
      home.env.SYNAPSE_DATABASE_URL = `sqlite:${database}`;
      mkdirSync(home.dir, { recursive: true });
      copyFileSync(pristine, database);
      overwritePage(database, leafPage(database, name));
      const before = readFileSync(database);
      for (const args of [
        ["-p", "echo", "-s", sessionId, "and then?"],
        ["-p", "echo", "a new question"],
        ["sessions", "list"],
        ["sessions", "show", sessionId],
        ["sessions", "search", "lorem"],
        ["sessions", "delete", sessionId, "--yes"],
      ]) {
        const result = await home.run(args);
        expect({ args, stderr: result.stderr, exitCode: result.exitCode }).toEqual({ args, stderr: corruptLine(database), exitCode: 1 });
        expect(result.stdout).toBe("");
        expect(readFileSync(database).equals(before)).toBe(true);
        expect(existsSync(`${database}-wal`) ? statSync(`${database}-wal`).size : 0).toBe(0);
      }
    });
  }
});

describe("a database too big to check whole at open", () => {
  test("is checked page by page, and once SQLite finds damage the store writes nothing more", async () => {
    const path = join(dir, "big.db");
    // 40 sessions of 60 messages of 4 KB: over the size checked whole at open.
    const ids = await writtenBySynapse(path, 40, 60, 4000);
    expect(statSync(path).size).toBeGreaterThan(wholeCheckMaxBytes);
    overwritePage(path, leafPage(path, "idx_messages_session_seq"));
    const before = readFileSync(path);

    const store = SqliteStore.open(path);
    let damaged: StorageError | undefined;
    for (const id of ids) {
      try {
        await store.getMessages(id);
      } catch (error) {
        damaged = error as StorageError;
        break;
      }
    }
    expect(damaged?.kind).toBe("corrupt");
    expect(damaged?.message).toBe(corruptLine(path).slice("error: ".length, -1));
    // A write that touches none of the damaged pages is refused all the same.
    const session: Session = { id: newId(), title: null, provider: "echo", model: "echo", systemPrompt: null, createdAt: new Date(), updatedAt: new Date() };
    await expect(store.createSession(session)).rejects.toThrow(damaged!.message);
    await expect(store.listSessions()).rejects.toThrow(damaged!.message);
    await store.close();
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe("the corruption line's command can be pasted into a shell", () => {
  test("paths with a space and a quote are single-quoted", async () => {
    const pristine = join(dir, "pristine-for-quotes.db");
    const ids = await writtenBySynapse(pristine, 5, 10, 200);
    expect(ids).toHaveLength(5);
    const home = new Home(sourceRunner);
    const folder = join(home.dir, "my sessions");
    mkdirSync(folder, { recursive: true });
    const database = join(folder, "it's.db");
    copyFileSync(pristine, database);
    overwritePage(database, leafPage(database, "messages"));
    home.env.SYNAPSE_DATABASE_URL = `sqlite:${database}`;
    const result = await home.run(["sessions", "list"]);
    const quoted = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;
    const recovered = join(folder, "it's-recovered.db");
    expect(result.stderr).toBe(
      `error: the session database ${database} is corrupt; Synapse stopped and writes nothing more to it; save what it holds with: sqlite3 ${quoted(database)} .recover | sqlite3 ${quoted(recovered)} , then set database_url to sqlite:${recovered} (or move ${quoted(database)} away to start afresh)\n`,
    );
    expect(result.exitCode).toBe(1);
    // What a shell makes of the pasted command: the two paths, each one word.
    const command = /save what it holds with: (.*) , then/.exec(result.stderr)![1]!.replace(/^sqlite3 /, "printf '%s\\n' ").replace(" .recover | sqlite3 ", " ");
    const words = Bun.spawnSync(["sh", "-c", command]).stdout.toString();
    expect(words).toBe(`${database}\n${recovered}\n`);
  });
});
