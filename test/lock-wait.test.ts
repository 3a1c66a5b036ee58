/**
 * Waiting for another process's write lock: the real CLI against a database that a second
 * process holds locked. The wait never blocks Ctrl+C, a question is stored once the lock frees,
 * and a reply the user has seen waits far longer than an ordinary write rather than being lost.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { SQL } from "bun";
import { join } from "node:path";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { PostgresStore } from "../src/storage/postgres/postgres-store.ts";
import { StorageError } from "../src/storage/errors.ts";
import { lockWaitMs } from "../src/storage/lock-wait.ts";
import { Home, newSessionId, sourceRunner, sse } from "./_cli.ts";
import { aMessage, aSession } from "./_session-store-contract.ts";
import { Output } from "./_output.ts";
import { describePostgres, dropFreshDatabases, freshDatabase, postgresSkipNote } from "./_postgres.ts";

// Bun 1.4.5 applies the preload's setDefaultTimeout to the first test file of a run only.
setDefaultTimeout(120_000);

afterAll(dropFreshDatabases);

/** A second process holding the database's write lock until `release()`. */
async function holdWriteLock(path: string) {
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "_lock-holder.ts"), path], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const output = new Output(child.stdout);
  await output.waitFor("locked\n");
  return {
    async release() {
      await child.stdin.end();
      await output.waitFor("released\n");
      expect(await child.exited).toBe(0);
    },
  };
}

function freshHome(): Home {
  const home = new Home(sourceRunner);
  SqliteStore.open(home.database).close();
  return home;
}

function startChat(home: Home, args: string[]) {
  const child = Bun.spawn([...sourceRunner, ...args], { env: home.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return { child, stdout: new Output(child.stdout), stderr: new Output(child.stderr) };
}

const waiting = "waiting for another process to finish writing to the session database";

test("a chat started while another process holds the write lock waits, then stores the question and the reply", async () => {
  const home = freshHome();
  const lock = await holdWriteLock(home.database);
  const chat = startChat(home, ["-p", "echo", "are you there"]);
  await chat.stderr.waitFor(waiting);
  expect(chat.child.exitCode).toBeNull();
  await lock.release();
  expect(await chat.child.exited).toBe(0);
  expect(await chat.stdout.finished).toBe("are you there\n");
  const { messages } = await home.show(newSessionId(await chat.stderr.finished));
  expect(messages.map((m) => [m.role, m.content])).toEqual([
    ["user", "are you there"],
    ["assistant", "are you there"],
  ]);
});

test("Ctrl+C while waiting for the write lock exits 130 at once, with nothing stored", async () => {
  const home = freshHome();
  const lock = await holdWriteLock(home.database);
  const chat = startChat(home, ["-p", "echo", "never mind"]);
  await chat.stderr.waitFor(waiting);
  chat.child.kill("SIGINT");
  // The lock is still held: only the interrupt can have ended the wait.
  expect(await chat.child.exited).toBe(130);
  expect(await chat.stderr.finished).toContain("error: interrupted while waiting for another process to release the session database");
  expect(await chat.stdout.finished).toBe("");
  await lock.release();
  expect(await home.list()).toEqual([]);
});

test("a reply already shown waits for the lock far longer than an ordinary write, and is stored", async () => {
  // A provider whose reply the test finishes when it chooses.
  const requested = Promise.withResolvers<ReadableStreamDefaultController<Uint8Array>>();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () =>
      new Response(new ReadableStream<Uint8Array>({ start: (controller) => requested.resolve(controller) }), { headers: { "content-type": "text/event-stream" } }),
  });
  try {
    const home = freshHome();
    home.env.ANTHROPIC_BASE_URL = `http://127.0.0.1:${server.port}`;
    home.env.ANTHROPIC_API_KEY = "sk-ant-test-lock";
    const chat = startChat(home, ["tell me"]);
    const stream = await requested.promise;
    const send = (events: [string, unknown][]) => stream.enqueue(new TextEncoder().encode(sse(events)));
    send([
      ["message_start", { type: "message_start", message: { id: "m", type: "message", role: "assistant", content: [], model: "c", usage: { input_tokens: 1, output_tokens: 1 } } }],
      ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
      ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Here it is" } }],
    ]);
    await chat.stdout.waitFor("Here it is");
    const lock = await holdWriteLock(home.database);
    send([
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 3 } }],
      ["message_stop", { type: "message_stop" }],
    ]);
    stream.close();
    await chat.stderr.waitFor("the reply is shown but not stored yet");
    // Longer than any ordinary write waits: the reply must still be waiting, not given up.
    await Bun.sleep(lockWaitMs + 1000);
    expect(chat.child.exitCode).toBeNull();
    await lock.release();
    expect(await chat.child.exited).toBe(0);
    const { messages } = await home.show(newSessionId(await chat.stderr.finished));
    expect(messages.map((m) => [m.role, m.content, m.interrupted])).toEqual([
      ["user", "tell me", undefined],
      ["assistant", "Here it is", undefined],
    ]);
  } finally {
    await server.stop(true);
  }
});

describePostgres(`PostgreSQL: waiting for a lock${postgresSkipNote}`, () => {
  test("a write waiting for another connection's lock can be stopped, stores nothing, and otherwise goes through once it frees", async () => {
    const url = await freshDatabase();
    const store = await PostgresStore.open(url);
    const session = aSession();
    await store.createSession(session);
    const other = new SQL(url, { max: 1 });
    try {
      // The lock a cleanup holds: every writer waits for it.
      const held = Promise.withResolvers<void>();
      const release = Promise.withResolvers<void>();
      const holder = other.begin(async (tx) => {
        await tx.unsafe("SELECT pg_advisory_xact_lock(7354105931)");
        held.resolve();
        await release.promise;
      });
      await held.promise;

      const stop = new AbortController();
      const stopped = store.addMessage(aMessage(session.id, "user", "stopped"), { signal: stop.signal }).then(
        () => null,
        (error: unknown) => error,
      );
      // Abort once the write is well into its wait (the outcome does not depend on when).
      setTimeout(() => stop.abort(), 200);
      const error = await stopped;
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).kind).toBe("interrupted");

      const waiting = store.addMessage(aMessage(session.id, "user", "waited"));
      release.resolve();
      await holder;
      await waiting;
      expect((await store.getMessages(session.id)).map((m) => m.content)).toEqual(["waited"]);
    } finally {
      await other.close();
      await store.close();
    }
  });
});
