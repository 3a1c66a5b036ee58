/**
 * Several Synapse processes on one database at once, and one killed mid-write: nothing lost,
 * nothing half-written, no "database is locked" escaping to the user.
 */
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrations } from "../src/storage/sqlite/migrations.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { aSession } from "./_session-store-contract.ts";

const writer = join(import.meta.dir, "_writer.ts");
const opener = `import { SqliteStore } from ${JSON.stringify(join(import.meta.dir, "../src/storage/sqlite/sqlite-store.ts"))};
const store = SqliteStore.open(process.argv[1]); await store.listSessions(); await store.close();`;

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), "synapse-concurrent-")), "sessions.db");
}

function checkIntegrity(path: string): void {
  const db = new Database(path);
  expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  expect(db.query("PRAGMA foreign_key_check").all()).toEqual([]);
  // The counts kept by triggers agree with the messages actually there.
  expect(
    db.query("SELECT COUNT(*) AS n FROM sessions WHERE message_count <> (SELECT COUNT(*) FROM messages WHERE session_id = sessions.id)").get(),
  ).toEqual({ n: 0 });
  db.close();
}

async function finished(process: Bun.Subprocess<"ignore", "pipe", "pipe">) {
  const [stdout, stderr, exitCode] = await Promise.all([new Response(process.stdout).text(), new Response(process.stderr).text(), process.exited]);
  return { stdout, stderr, exitCode };
}

function labelsInOrder(contents: string[], label: string): number[] {
  return contents.filter((c) => c.startsWith(`${label}:`)).map((c) => Number(c.slice(label.length + 1).split(" ")[0]));
}

test("processes opening a fresh database at once all succeed, and it is migrated once", async () => {
  const path = tempPath();
  const results = await Promise.all(
    Array.from({ length: 4 }, () => finished(Bun.spawn([process.execPath, "-e", opener, path], { stdin: "ignore", stdout: "pipe", stderr: "pipe" }))),
  );
  for (const result of results) expect(result).toMatchObject({ exitCode: 0, stderr: "" });
  const db = new Database(path);
  expect(db.query("SELECT COUNT(*) AS n FROM _synapse_migrations").get()).toEqual({ n: migrations.length });
  db.close();
  checkIntegrity(path);
});

test("processes appending to one session and to their own keep every message, in each writer's order", async () => {
  const path = tempPath();
  const setup = SqliteStore.open(path);
  const shared = aSession();
  const own = [aSession(), aSession()];
  for (const session of [shared, ...own]) await setup.createSession(session);
  await setup.close();

  const perWriter = 300;
  const plan = [
    { session: shared.id, label: "s1" },
    { session: shared.id, label: "s2" },
    { session: shared.id, label: "s3" },
    { session: own[0]!.id, label: "o1" },
    { session: own[1]!.id, label: "o2" },
  ];
  const results = await Promise.all(
    plan.map(({ session, label }) =>
      finished(Bun.spawn([process.execPath, writer, `sqlite:${path}`, session, label, String(perWriter)], { stdin: "ignore", stdout: "pipe", stderr: "pipe" })),
    ),
  );
  for (const result of results) {
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  }

  const store = SqliteStore.open(path);
  const expected = Array.from({ length: perWriter }, (_, i) => i);
  const sharedContents = (await store.getMessages(shared.id)).map((m) => m.content);
  expect(sharedContents).toHaveLength(3 * perWriter);
  for (const label of ["s1", "s2", "s3"]) expect(labelsInOrder(sharedContents, label)).toEqual(expected);
  for (const [i, session] of own.entries()) {
    expect(labelsInOrder((await store.getMessages(session.id)).map((m) => m.content), `o${i + 1}`)).toEqual(expected);
  }
  expect((await store.listSessions()).find((s) => s.id === shared.id)?.messageCount).toBe(3 * perWriter);
  await store.close();
  checkIntegrity(path);
});

test("a writer killed with SIGKILL mid-stream leaves a sound database holding every reported write", async () => {
  const path = tempPath();
  const setup = SqliteStore.open(path);
  const session = aSession();
  await setup.createSession(session);
  await setup.close();

  const child = Bun.spawn([process.execPath, writer, `sqlite:${path}`, session.id, "k", "1000000"], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let reported = -1;
  let buffered = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) reported = Number(line.slice("committed ".length));
    if (reported >= 300) {
      child.kill("SIGKILL");
      break;
    }
  }
  expect(await child.exited).not.toBe(0);
  expect(child.signalCode).toBe("SIGKILL");

  checkIntegrity(path);
  const store = SqliteStore.open(path);
  const indexes = labelsInOrder((await store.getMessages(session.id)).map((m) => m.content), "k");
  // Everything reported is there, in order; at most the writes after the last report may follow.
  expect(indexes.slice(0, reported + 1)).toEqual(Array.from({ length: reported + 1 }, (_, i) => i));
  expect(indexes).toEqual(Array.from({ length: indexes.length }, (_, i) => i));
  await store.close();
});
