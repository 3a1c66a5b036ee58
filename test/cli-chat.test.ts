/**
 * Chat mode end to end: the real synapse in a pseudo-terminal, keys typed into it, a local server
 * speaking Anthropic's streaming format; afterwards `sessions show` says what was stored.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { anthropicReply, endlessStory, Home, root, serve, sourceRunner, stopServers } from "./_cli.ts";
import type { Reply } from "./_provider-server.ts";
import { PtyRun } from "./_pty.ts";

afterAll(stopServers);

const enter = "\r";
const ctrlC = "\x03";
const ctrlD = "\x04";
const up = "\x1b[A";
const tab = "\t";


/** A chat in a pseudo-terminal, driven key by key. */
class Chat {
  readonly run: PtyRun;
  #seen = 0;

  constructor(home: Home, args: string[] = [], runner: readonly string[] = sourceRunner, env: Record<string, string> = {}) {
    this.run = new PtyRun([...runner, "chat", ...args], { ...home.env, ...env }, { columns: 100, rows: 40 });
  }

  /** Waits until `text` appears in the output after what was waited for before. */
  async expect(text: string): Promise<void> {
    await this.run.waitFor(text, this.#seen);
    // Later waits look only at what comes after, so a prompt seen twice is waited for twice.
    this.#seen = this.run.output.indexOf(text, this.#seen) + text.length;
  }

  /** Waits for the next prompt (its `›`), then types `keys`. */
  async type(keys: string): Promise<void> {
    await this.expect("› ");
    this.run.write(keys);
  }

  async leave(): Promise<number> {
    await this.type(ctrlD);
    return this.run.finished();
  }

  async screen(): Promise<string> {
    return (await this.run.screen()).lines.join("\n");
  }
}

async function messagesOf(home: Home, ref: string): Promise<{ role: string; content: string; interrupted?: boolean }[]> {
  return (await home.show(ref)).messages as { role: string; content: string; interrupted?: boolean }[];
}

async function latestId(home: Home): Promise<string> {
  return (await home.list())[0]!.id as string;
}

describe("synapse chat", () => {
  test("a conversation: each line a turn, streamed and stored in order, announced once and again on leaving", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicReply("Hello to you."), anthropicReply("Twice as much.")]));
    const chat = new Chat(home);
    await chat.type(`Hello${enter}`);
    await chat.expect("Hello to you.");
    await chat.expect("stored as it goes");
    await chat.type(`And again${enter}`);
    await chat.expect("Twice as much.");
    expect(await chat.leave()).toBe(0);
    const screen = await chat.screen();
    expect(screen.match(/stored as it goes/g)).toHaveLength(1);
    expect(screen).toMatch(/continue it with: synapse chat -s [0-9a-f]{8}/);
    const messages = await messagesOf(home, await latestId(home));
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Hello"],
      ["assistant", "Hello to you."],
      ["user", "And again"],
      ["assistant", "Twice as much."],
    ]);
  });

  test('a paste of several lines is one message; so is a """ block', async () => {
    const server = serve([anthropicReply("Got the paste."), anthropicReply("Got the block.")]);
    const home = new Home(sourceRunner).anthropic(server);
    const chat = new Chat(home);
    await chat.type(`\x1b[200~first line\nsecond line\nthird line\x1b[201~${enter}`);
    await chat.expect("Got the paste.");
    await chat.type(`"""${enter}`);
    await chat.expect("... ");
    chat.run.write(`one${enter}`);
    await chat.expect("... ");
    chat.run.write(`two${enter}`);
    await chat.expect("... ");
    chat.run.write(`"""${enter}`);
    await chat.expect("Got the block.");
    expect(await chat.leave()).toBe(0);
    const sent = server.requests.map((r) => (r.body as { messages: { content: string }[] }).messages.at(-1)!.content);
    expect(sent).toEqual(["first line\nsecond line\nthird line", "one\ntwo"]);
  });

  test("Up recalls the questions of an earlier chat, read from the store", async () => {
    const server = serve([anthropicReply("First answer."), anthropicReply("Same again.")]);
    const home = new Home(sourceRunner).anthropic(server);
    const first = new Chat(home);
    await first.type(`What is WAL?${enter}`);
    await first.expect("First answer.");
    expect(await first.leave()).toBe(0);
    const second = new Chat(home);
    await second.type(`${up}${enter}`);
    await second.expect("Same again.");
    expect(await second.leave()).toBe(0);
    const sent = server.requests.map((r) => (r.body as { messages: { content: string }[] }).messages.at(-1)!.content);
    expect(sent).toEqual(["What is WAL?", "What is WAL?"]);
  });

  test("slash commands: help, title, model, system, show, sessions, new, switch, retry, unknown, //, Tab", async () => {
    const server = serve([anthropicReply("One."), anthropicReply("Two."), anthropicReply("Three."), anthropicReply("Retried.")]);
    const home = new Home(sourceRunner).anthropic(server);
    const chat = new Chat(home);
    await chat.type(`/help${enter}`);
    await chat.expect("/retry");
    // Tab completes a command's name.
    await chat.type(`/sys${tab}Be brief.${enter}`);
    await chat.expect("system prompt set");
    await chat.type(`/title Trip${enter}`);
    await chat.expect('titled "Trip"');
    await chat.type(`/model claude-other${enter}`);
    await chat.expect("model: claude-other");
    await chat.type(`First${enter}`);
    await chat.expect("One.");
    // A stored session keeps its system prompt.
    await chat.type(`/system Other${enter}`);
    await chat.expect("keeps its system prompt");
    await chat.type(`/bogus${enter}`);
    await chat.expect("unknown command /bogus");
    await chat.type(`//etc/hosts is a file${enter}`);
    await chat.expect("Two.");
    await chat.type(`/show${enter}`);
    await chat.expect("/etc/hosts is a file");
    await chat.type(`/new${enter}`);
    await chat.expect("starts a new session");
    await chat.type(`Elsewhere${enter}`);
    await chat.expect("Three.");
    await chat.type(`/sessions${enter}`);
    await chat.expect("Trip");
    await chat.type(`/switch Trip${enter}`);
    await chat.expect("continuing session Trip");
    await chat.type(`/retry${enter}`);
    await chat.expect("Retried.");
    await chat.expect("the earlier reply stays in session Trip");
    expect(await chat.leave()).toBe(0);

    const bodies = server.requests.map((r) => r.body as { model: string; system?: string; messages: { role: string; content: string }[] });
    expect(bodies[0]).toMatchObject({ model: "claude-other", system: "Be brief.", messages: [{ role: "user", content: "First" }] });
    expect(bodies[1]!.messages.at(-1)!.content).toBe("/etc/hosts is a file");
    expect(bodies[2]!.messages).toEqual([{ role: "user", content: "Elsewhere" }]);
    // The retry asks the last question of Trip again, with the history before it.
    expect(bodies[3]!.messages.map((m) => m.content)).toEqual(["First", "One.", "/etc/hosts is a file"]);
    // Nothing lost: Trip keeps the reply it had; the retry's session holds the new one.
    expect((await messagesOf(home, "Trip")).map((m) => m.content)).toEqual(["First", "One.", "/etc/hosts is a file", "Two."]);
    const retried = await messagesOf(home, await latestId(home));
    expect(retried.map((m) => m.content)).toEqual(["First", "One.", "/etc/hosts is a file", "Retried."]);
    // The retry is a fork of Trip made before the question, named after it; show tells both sides.
    const shown = await home.show(await latestId(home));
    const trip = await home.show("Trip");
    expect(shown.session).toMatchObject({ title: "Trip (retry)", forkedFrom: { sessionId: trip.session.id, at: 2 } });
    expect(trip.session.forks).toMatchObject([{ id: shown.session.id, at: 2 }]);
  });

  test("/fork [N] goes on in a fork holding the first N messages; the session stays as it was", async () => {
    const server = serve([anthropicReply("One."), anthropicReply("Two."), anthropicReply("Forked.")]);
    const home = new Home(sourceRunner).anthropic(server);
    const chat = new Chat(home);
    await chat.type(`First${enter}`);
    await chat.expect("One.");
    await chat.type(`Second${enter}`);
    await chat.expect("Two.");
    await chat.type(`/fork 9${enter}`);
    await chat.expect("cannot be forked at message 9");
    await chat.type(`/fork x${enter}`);
    await chat.expect('/fork takes the number of messages to keep (0 or more), not "x"');
    // Tab completes it like any command.
    await chat.type(`/fo${tab}2${enter}`);
    await chat.expect("at message 2; that one stays as it was");
    await chat.type(`Instead${enter}`);
    await chat.expect("Forked.");
    expect(await chat.leave()).toBe(0);
    const bodies = server.requests.map((r) => r.body as { messages: { content: string }[] });
    expect(bodies[2]!.messages.map((m) => m.content)).toEqual(["First", "One.", "Instead"]);
    const fork = await home.show(await latestId(home));
    expect(fork.messages.map((m) => m.content)).toEqual(["First", "One.", "Instead", "Forked."]);
    const original = await home.show((fork.session.forkedFrom as { sessionId: string }).sessionId);
    expect(original.messages.map((m) => m.content)).toEqual(["First", "One.", "Second", "Two."]);
    expect(original.session.forks).toMatchObject([{ id: fork.session.id, at: 2 }]);
  });

  test("/edit and Ctrl+X Ctrl+E write the message in $EDITOR; an empty buffer sends nothing; /provider switches", async () => {
    const server = serve([anthropicReply("Edited, received."), anthropicReply("Typed, received.")]);
    const home = new Home(sourceRunner).anthropic(server);
    // An "editor" that writes what EDIT_TEXT says into the file it is given.
    const editor = join(home.dir, "editor.sh");
    await Bun.write(editor, '#!/bin/sh\nprintf "%s" "$(cat "$EDIT_TEXT_FILE")" > "$1"\n');
    Bun.spawnSync(["chmod", "700", editor]);
    const textFile = join(home.dir, "edit-text");
    await Bun.write(textFile, "written in the editor\nover two lines");
    const chat = new Chat(home, [], sourceRunner, { EDITOR: editor, EDIT_TEXT_FILE: textFile });
    await chat.type(`/edit${enter}`);
    await chat.expect("Edited, received.");
    await Bun.write(textFile, "");
    await chat.type("typed so far\x18\x05");
    await chat.expect("nothing sent");
    // Back at the line as it was: Ctrl+U clears it.
    await chat.type(`\x15/provider echo${enter}`);
    await chat.expect("provider: echo");
    await chat.type(`Echo this${enter}`);
    await chat.expect("Echo this");
    expect(await chat.leave()).toBe(0);
    const sent = server.requests.map((r) => (r.body as { messages: { content: string }[] }).messages.at(-1)!.content);
    expect(sent).toEqual(["written in the editor\nover two lines"]);
    const messages = await messagesOf(home, await latestId(home));
    expect(messages.map((m) => m.content)).toEqual(["written in the editor\nover two lines", "Edited, received.", "Echo this", "Echo this"]);
  });

  test("Ctrl+C mid-reply keeps the partial reply, marked, and the chat goes on; Ctrl+C at the prompt; Ctrl+D leaves", async () => {
    const home = new Home(sourceRunner).anthropic(serve([endlessStory(), anthropicReply("Shorter, then.")]));
    const chat = new Chat(home);
    await chat.type(`Tell me a story${enter}`);
    await chat.expect("Once upon a time and then");
    chat.run.write(ctrlC);
    await chat.expect("interrupted");
    await chat.type(`half a line${ctrlC}`);
    await chat.expect("^C");
    await chat.type(ctrlC);
    await chat.expect("to leave, press Ctrl+D");
    await chat.type(`Something short${enter}`);
    await chat.expect("Shorter, then.");
    expect(await chat.leave()).toBe(0);
    const messages = await messagesOf(home, await latestId(home));
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(messages[1]!.content).toStartWith("Once upon a time");
    expect(messages[1]!.interrupted).toBe(true);
    expect(messages.slice(2).map((m) => m.content)).toEqual(["Something short", "Shorter, then."]);
  });

  test("a provider failure is one line, the question is kept, and the chat goes on", async () => {
    const failure: Reply = { kind: "error", status: 400, json: { type: "error", error: { type: "invalid_request_error", message: "prompt is too long" } } };
    const home = new Home(sourceRunner).anthropic(serve([failure, anthropicReply("Better.")]));
    const chat = new Chat(home);
    await chat.type(`Too much${enter}`);
    await chat.expect("prompt is too long");
    await chat.type(`Less${enter}`);
    await chat.expect("Better.");
    expect(await chat.leave()).toBe(0);
    const messages = await messagesOf(home, await latestId(home));
    expect(messages.map((m) => m.content)).toEqual(["Too much", "Less", "Better."]);
  });

  test("SIGTERM mid-reply keeps what arrived and leaves with 130", async () => {
    const home = new Home(sourceRunner).anthropic(serve([endlessStory()]));
    const chat = new Chat(home);
    await chat.type(`Tell me a story${enter}`);
    await chat.expect("Once upon a time and then");
    chat.run.kill("SIGTERM");
    expect(await chat.run.finished()).toBe(130);
    const messages = await messagesOf(home, await latestId(home));
    expect(messages[1]).toMatchObject({ role: "assistant", interrupted: true });
  });

  test("bare synapse at a terminal opens the chat; without a terminal, chat is a usage error", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicReply("Hi.")]));
    const run = new PtyRun([...sourceRunner], home.env, { columns: 100, rows: 40 });
    await run.waitFor("› ");
    run.write(`Hello${enter}`);
    await run.waitFor("Hi.");
    await run.waitFor("stored as it goes");
    run.write(ctrlD);
    expect(await run.finished()).toBe(0);
    const piped = await home.run(["chat"]);
    expect(piped.exitCode).toBe(2);
    expect(piped.stderr).toStartWith("error: synapse chat needs a terminal");
    expect((await home.run([])).exitCode).toBe(2);
  });
});

describe("synapse chat (binary)", () => {
  const buildDir = mkdtempSync(join(tmpdir(), "synapse-bin-"));
  const binary = join(buildDir, "synapse");
  beforeAll(() => {
    const build = Bun.spawnSync([process.execPath, join(root, "scripts/build.ts"), binary], { cwd: root, stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr}`);
  }, 120_000);

  test("the compiled binary chats, stores and leaves", async () => {
    const home = new Home([binary]).anthropic(serve([anthropicReply("From the binary.")]));
    const chat = new Chat(home, [], [binary]);
    await chat.type(`Hello${enter}`);
    await chat.expect("From the binary.");
    expect(await chat.leave()).toBe(0);
    expect((await messagesOf(home, await latestId(home))).map((m) => m.content)).toEqual(["Hello", "From the binary."]);
  });
});
