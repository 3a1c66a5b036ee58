/**
 * Ctrl+C and its like, sent to the real synapse process mid-reply: however many signals arrive,
 * and whether they go to the process or its whole group (a terminal's Ctrl+C, `timeout`), the
 * question and the part of the reply that arrived are stored, the reply marked interrupted.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { endlessStory, Home, newSessionId, root, serve, sourceRunner, stopServers } from "./_cli.ts";
import { Output } from "./_output.ts";

afterAll(stopServers);


/** Reads `stream` until `until` is in what was read; returns what was read. */
async function readUntil(reader: { read(): Promise<{ value?: Uint8Array; done: boolean }> }, until: string): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  while (!text.includes(until)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

async function expectPartialReplyKept(home: Home, stderr: string): Promise<void> {
  const id = newSessionId(stderr);
  const { messages } = await home.show(id);
  expect(messages).toHaveLength(2);
  expect(messages[0]).toMatchObject({ role: "user", content: "Tell me a story" });
  expect(messages[1]).toMatchObject({ role: "assistant", interrupted: true });
  expect(messages[1]!.content as string).toStartWith("Once upon a time and then");
}

describe("repeated stop signals", () => {
  test.each([2, 3])("SIGINT %i times in quick succession mid-reply: the partial reply is stored, marked interrupted, exit 130", async (times) => {
    const server = serve([endlessStory()]);
    const home = new Home(sourceRunner).anthropic(server);
    const child = Bun.spawn([...sourceRunner, "Tell me a story"], { env: home.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const reader = child.stdout.getReader();
    const stdout = await readUntil(reader, " and then");
    expect(stdout).toStartWith("Once upon a time and then");
    for (let i = 0; i < times; i++) child.kill("SIGINT");
    const [stderr, exitCode] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    expect({ exitCode, signal: child.signalCode }).toEqual({ exitCode: 130, signal: null });
    expect(stderr).toContain("interrupted; the reply so far was saved");
    await expectPartialReplyKept(home, stderr);
  });

  test("a second SIGINT, sent once the first has stopped the reply and its storing waits for a lock: the reply is still stored", async () => {
    const server = serve([endlessStory()]);
    const home = new Home(sourceRunner).anthropic(server);
    SqliteStore.open(home.database).close();
    const child = Bun.spawn([...sourceRunner, "Tell me a story"], { env: home.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const stdout = new Output(child.stdout);
    const stderr = new Output(child.stderr);
    await stdout.waitFor(" and then");
    // Another process holds the write lock, so storing the partial reply has to wait: the
    // second signal then surely arrives after the first was handled, as a person's would.
    const holder = Bun.spawn([process.execPath, join(import.meta.dir, "_lock-holder.ts"), home.database], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    const held = new Output(holder.stdout);
    await held.waitFor("locked\n");
    child.kill("SIGINT");
    await stderr.waitFor("the reply is shown but not stored yet");
    child.kill("SIGINT");
    await stderr.waitFor("still storing the reply shown above");
    await holder.stdin.end();
    await held.waitFor("released\n");
    expect(await holder.exited).toBe(0);
    expect({ exitCode: await child.exited, signal: child.signalCode }).toEqual({ exitCode: 130, signal: null });
    await stderr.finished;
    expect(stderr.text).toContain("interrupted; the reply so far was saved");
    await expectPartialReplyKept(home, stderr.text);
  });

  test("Ctrl+C typed twice in a real terminal running `bun run synapse`: the partial reply is stored", async () => {
    const server = serve([endlessStory()]);
    const home = new Home(sourceRunner).anthropic(server);
    let output = "";
    let sawText!: () => void;
    const textArrived = new Promise<void>((resolve) => (sawText = resolve));
    let closed!: () => void;
    const ptyClosed = new Promise<void>((resolve) => (closed = resolve));
    const decoder = new TextDecoder();
    // The terminal's line discipline turns each ^C into SIGINT for the foreground process group:
    // `bun run` and the synapse it starts.
    const child = Bun.spawn([process.execPath, "run", "synapse", "Tell me a story"], {
      cwd: root,
      env: home.env,
      terminal: {
        data(_terminal, data) {
          output += decoder.decode(data, { stream: true });
          if (output.includes(" and then")) sawText();
        },
        exit: () => closed(),
      },
    });
    await textArrived;
    child.terminal!.write("\x03\x03");
    expect(await child.exited).toBe(130);
    await ptyClosed;
    expect(output).toContain("interrupted; the reply so far was saved");
    await expectPartialReplyKept(home, output);
  });

  test("SIGINT to the whole process group of `bun run synapse`, twice: the partial reply is stored", async () => {
    const server = serve([endlessStory()]);
    const home = new Home(sourceRunner).anthropic(server);
    // Its own process group (setsid), as a terminal's foreground job is: `bun run` and the
    // synapse it starts both get each signal, as they do from Ctrl+C or `timeout`.
    const child = Bun.spawn([process.execPath, "run", "synapse", "Tell me a story"], {
      cwd: root,
      env: home.env,
      detached: true,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = child.stdout.getReader();
    await readUntil(reader, " and then");
    process.kill(-child.pid, "SIGINT");
    process.kill(-child.pid, "SIGINT");
    const [stderr, exitCode] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    expect(exitCode).toBe(130);
    expect(stderr).toContain("interrupted; the reply so far was saved");
    await expectPartialReplyKept(home, stderr);
  });
});
