/**
 * A full disk, for real: a small tmpfs is mounted, filled, and the real CLI run on a database
 * inside it. Mounting needs root (or CAP_SYS_ADMIN); where it is not allowed the tests are
 * skipped with a line saying so.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmdirSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { storageErrorFrom } from "../src/storage/sqlite/sqlite-errors.ts";
import { Home, newSessionId, sourceRunner } from "./_cli.ts";

const mountPoint = mkdtempSync(join(tmpdir(), "synapse-full-disk-"));
const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", mountPoint], { stderr: "pipe" });
const canMount = mounted.exitCode === 0;
if (!canMount) {
  process.stderr.write(
    `sqlite-full-disk: skipped, a tmpfs cannot be mounted here (${mounted.stderr.toString().trim() || `exit ${mounted.exitCode}`}); run the tests as root to include them\n`,
  );
  rmdirSync(mountPoint);
}

afterAll(() => {
  if (!canMount) return;
  Bun.spawnSync(["umount", mountPoint]);
  rmdirSync(mountPoint);
});

const database = join(mountPoint, "sessions.db");
const filler = join(mountPoint, "filler");
const home = new Home(sourceRunner, { SYNAPSE_DATABASE_URL: `sqlite:${database}` });

/** Writes to the filler until the disk refuses (ENOSPC): the disk is then full to the byte. */
function fillDisk(): void {
  const fd = openSync(filler, "a");
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
}

/** Gives `bytes` of the filler back to the disk. */
function leaveFree(bytes: number): void {
  const fd = openSync(filler, "r+");
  ftruncateSync(fd, Math.max(0, statSync(filler).size - bytes));
  closeSync(fd);
}

const fullLine = (doing: string) =>
  new RegExp(`^error: the disk holding ${database.replaceAll("/", "\\/")} is full \\(\\d+ (bytes|KiB) left\\) while ${doing}; the sessions stored are intact; free some space on it and try again\\n$`);

describe.skipIf(!canMount)("a full disk", () => {
  let big = "";
  let small = "";

  beforeAll(async () => {
    // A big session (repetitive text: few distinct words to index) and a small one.
    const first = await home.run(["-p", "echo"], { stdin: "lorem ipsum dolor ".repeat(12_000) });
    expect(first.exitCode).toBe(0);
    big = newSessionId(first.stderr);
    const second = await home.run(["-p", "echo", "a small talk"]);
    expect(second.exitCode).toBe(0);
    small = newSessionId(second.stderr);
    fillDisk();
  });

  test("reads still work on a disk full to the byte: list, show, search", async () => {
    const list = await home.run(["sessions", "list", "--json"]);
    expect(list.stderr).toBe("");
    expect(JSON.parse(list.stdout).map((s: { id: string }) => s.id).sort()).toEqual([big, small].sort());
    const show = await home.run(["sessions", "show", small]);
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toContain("a small talk");
    const search = await home.run(["sessions", "search", "small"]);
    expect(search.exitCode).toBe(0);
    expect(search.stdout).toContain(small.slice(0, 8));
  });

  test("SQLite reports the WAL index it cannot grow as an I/O error; it is said as a full disk", () => {
    const db = new Database(database);
    let error: unknown;
    try {
      db.query("SELECT count(*) FROM sessions").get();
    } catch (caught) {
      error = caught;
    } finally {
      db.close();
    }
    expect((error as { code?: string }).code).toBe("SQLITE_IOERR_SHMSIZE");
    const said = storageErrorFrom(error, database, "reading sessions");
    expect(said.kind).toBe("disk_full");
    expect(`error: ${said.message}\n`).toMatch(fullLine("reading sessions"));
  });

  test("every write says the disk is full and names its step, and stores nothing half", async () => {
    const fresh = await home.run(["-p", "echo", "a new question"]);
    expect(fresh.exitCode).toBe(1);
    expect(fresh.stdout).toBe("");
    expect(fresh.stderr).toMatch(fullLine("storing your question"));
    const continued = await home.run(["-s", small, "a follow-up"]);
    expect(continued.exitCode).toBe(1);
    // A continued session's first write marks it in use (its lease), before the question.
    expect(continued.stderr).toMatch(fullLine("marking a session in use"));
    const renamed = await home.run(["sessions", "rename", small, "Small talk"]);
    expect(renamed.exitCode).toBe(1);
    expect(renamed.stderr).toMatch(fullLine("renaming a session"));
    const deleted = await home.run(["sessions", "delete", big, "--yes"]);
    expect(deleted.exitCode).toBe(1);
    expect(deleted.stderr).toMatch(fullLine("deleting sessions"));
    const sessions = await home.list();
    expect(sessions.map((s) => s.id).sort()).toEqual([big, small].sort());
    expect(sessions.find((s) => s.id === small)).toMatchObject({ name: null, title: null, messageCount: 2 });
  });

  test("with a little room, delete works, and what it frees inside the file is used again", async () => {
    leaveFree(192 * 1024);
    const sizeBefore = statSync(database).size;
    // Twelve exchanges of 20 KB: more than the room left on the disk, so they fit only in what
    // the delete frees inside the file.
    const question = "sed ut perspiciatis ".repeat(500);
    const tooBig = await home.run(["-p", "echo"], { stdin: question.repeat(40) });
    expect(tooBig.exitCode).toBe(1);
    expect(tooBig.stderr).toMatch(fullLine("storing your question"));

    const deleted = await home.run(["sessions", "delete", big, "--yes"]);
    expect(deleted.stderr).toBe(`deleted 1 session\n`);
    expect(deleted.exitCode).toBe(0);
    for (let i = 0; i < 12; i++) {
      const chat = await home.run(["-s", small], { stdin: `${i} ${question}` });
      expect(chat.stderr).toBe("");
      expect(chat.exitCode).toBe(0);
    }
    expect(statSync(database).size).toBeLessThanOrEqual(sizeBefore);
    expect((await home.show(small)).messages).toHaveLength(26);
  });

  test("a question and its reply that do not fit in the WAL together are both stored", async () => {
    // Each fits in the room left, both do not: the reply is written once the WAL has been
    // emptied into the pages the delete freed.
    const question = `${"nemo enim ipsam ".repeat(5000)}?`;
    const chat = await home.run(["-s", small], { stdin: question });
    expect(chat.stderr).toBe("");
    expect(chat.stdout).toBe(`${question}\n`);
    expect(chat.exitCode).toBe(0);
    const stored = (await home.show(small)).messages.slice(-2);
    expect(stored.map((m) => [m.role, m.content])).toEqual([
      ["user", question],
      ["assistant", question],
    ]);
  });
});
