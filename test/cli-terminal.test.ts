/**
 * What reaches a terminal: the real synapse in a pseudo-terminal (Bun.spawn's `terminal`), its
 * output read by a headless xterm. Stored text that holds escape sequences (a reply, an import)
 * must be shown, never obeyed: no window title set, no clipboard written, no screen cleared, no
 * hidden link. Piped, the same text comes out exactly as stored.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { anthropicPieces, apiKey, Home, newSessionId, serve, sourceRunner, sse, stopServers } from "./_cli.ts";
import { fixture, type Reply } from "./_provider-server.ts";
import { PtyRun, type Screen } from "./_pty.ts";

afterAll(stopServers);

/** Every trick in one line: window title, clipboard, clear screen, a hidden link, C1 CSI, bidi, CR. */
const attack = "A\x1b]0;PWNED\x07B\x1b]52;c;ZXZpbA==\x07C\x1b[2J\x1b[HD\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\E\u009b2JF\u202eG\rH";
/** The same line as a terminal must show it. */
const attackShown =
  "A\\x1b]0;PWNED\\x07B\\x1b]52;c;ZXZpbA==\\x07C\\x1b[2J\\x1b[HD\\x1b]8;;https://evil.example/\\x1b\\link\\x1b]8;;\\x1b\\E\\x9b2JF\\u202eG\\x0dH";

function inTerminal(home: Home, args: string[], size?: { columns: number; rows: number }): PtyRun {
  return new PtyRun([...sourceRunner, ...args], home.env, size);
}

function expectNothingObeyed(screen: Screen): void {
  expect({ titles: screen.titles, clipboard: screen.clipboard, links: screen.links, clears: screen.clears }).toEqual({ titles: [], clipboard: [], links: [], clears: 0 });
}


/** The attack cut into pieces inside its escape sequences: after each ESC, and in a CRLF. */
function attackPieces(): string[] {
  const pieces = attack.split(/(?<=\x1b)/);
  return [...pieces, "\r", "\nnext line"];
}

describe("a reply with escape sequences", () => {
  test("on a terminal, rendered: the control characters shown, nothing obeyed", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicPieces(attackPieces())]));
    const run = inTerminal(home, ["Say something"]);
    expect(await run.finished()).toBe(0);
    const screen = await run.screen();
    expectNothingObeyed(screen);
    const shown = screen.lines.join("\n");
    for (const escape of ["\\x1b]0;PWNED\\x07", "\\x1b]52;c;", "\\x1b[2J", "\\x9b2J", "\\u202e", "\\x0dH"]) expect(shown).toContain(escape);
  });

  test("on a terminal, --raw: streamed with its control characters visible, even split across pieces; nothing obeyed", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicPieces(attackPieces())]));
    const run = inTerminal(home, ["--raw", "Say something"]);
    expect(await run.finished()).toBe(0);
    const screen = await run.screen();
    expectNothingObeyed(screen);
    // The CRLF stays a line break; the lone CR is shown.
    expect(screen.lines.slice(0, 2)).toEqual([attackShown, "next line"]);
    // Stored exactly as it came.
    const id = newSessionId(screen.lines.join("\n"));
    const { messages } = await home.show(id);
    expect(messages[1]!.content).toBe(`${attack}\r\nnext line`);
  });

  test("piped: stdout is byte for byte the reply as stored", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicPieces(attackPieces())]));
    const result = await home.run(["Say something"]);
    expect(result.exitCode).toBe(0);
    const { messages } = await home.show(newSessionId(result.stderr));
    expect(result.stdout).toBe(`${messages[1]!.content}\n`);
    expect(result.stdout).toBe(`${attack}\r\nnext line\n`);
  });
});

describe("stored text with escape sequences, from an import", () => {
  const at = "2026-11-24T05:15:34.123Z";
  const id = "0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20";
  const exported = JSON.stringify({
    format: "synapse.session",
    version: 1,
    session: { id, name: null, provider: "anthropic", model: "claude", systemPrompt: `Be brief ${attack}`, createdAt: at, updatedAt: at },
    messages: [
      { id: "1b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20", role: "user", content: `lantern ${attack}`, timestamp: at },
      { id: "2b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20", role: "assistant", content: `lantern answer ${attack}`, timestamp: at },
    ],
  });

  async function imported(): Promise<Home> {
    const home = new Home(sourceRunner);
    expect((await home.run(["sessions", "import", "-"], { stdin: exported })).exitCode).toBe(0);
    // An import refuses such a model name now; a database written before that check may hold one.
    const db = new Database(home.database);
    try {
      db.run("UPDATE sessions SET model = ? WHERE id = ?", [`claude${attack}`, id]);
    } finally {
      db.close();
    }
    return home;
  }

  // Previews and snippets show only the start of a message: as much of the attack as fits.
  const start = attackShown.slice(0, attackShown.indexOf("link") + 4);
  const upToLink = attackShown.slice(0, attackShown.indexOf("https://evil.example") + 20);
  test.each([
    ["sessions show", ["sessions", "show", id], [`System    Be brief ${attackShown}\n`, `\nlantern ${attackShown}\n`, `\nlantern answer ${attackShown}`, `anthropic/claude${attackShown}\n`]],
    ["sessions list", ["sessions", "list"], [` anthropic/claude${attackShown}  lantern ${start}`]],
    ["sessions search", ["sessions", "search", "lantern"], [`  user  lantern ${start}`, `\n    **lantern** ${start}`, `\n    **lantern** answer ${upToLink}`]],
  ])("%s on a terminal shows it, obeys none of it", async (_name, args, shown) => {
    const home = await imported();
    // A list's row is cut to the window: this one is wide enough to show all of it.
    const run = inTerminal(home, args, args[1] === "list" ? { columns: 400, rows: 40 } : undefined);
    expect(await run.finished()).toBe(0);
    const screen = await run.screen();
    expectNothingObeyed(screen);
    const text = screen.lines.join("\n");
    for (const part of shown) expect(text).toContain(part);
  });

  test("piped, and as --json, the text is exactly as stored", async () => {
    const home = await imported();
    const show = await home.run(["sessions", "show", id]);
    expect(show.stdout).toContain(`\nlantern answer ${attack}\n`);
    const json = JSON.parse((await home.run(["sessions", "show", id, "--json"])).stdout);
    expect(json.messages.map((m: { content: string }) => m.content)).toEqual([`lantern ${attack}`, `lantern answer ${attack}`]);
    expect(json.session.model).toBe(`claude${attack}`);
    const search = JSON.parse((await home.run(["sessions", "search", "lantern", "--json"])).stdout);
    const snippets = search.map((h: { snippet: string }) => h.snippet).sort();
    expect(snippets[0]).toStartWith(`lantern ${attack.slice(0, attack.indexOf("link") + 4)}`);
    expect(snippets[1]).toStartWith(`lantern answer ${attack.slice(0, attack.indexOf("https://evil.example") + 20)}`);
    // --json on a terminal: the same value, with nothing in it a terminal would obey.
    const run = inTerminal(home, ["sessions", "show", id, "--json"]);
    expect(await run.finished()).toBe(0);
    const screen = await run.screen();
    expectNothingObeyed(screen);
    expect(screen.lines.join("\n")).toContain("\\u001b]0;PWNED\\u0007B");
    expect(screen.lines.join("\n")).toContain("\\u009b2JF\\u202eG\\rH");
  });
});

test("an error line quoting a server's message shows its escape sequences, obeys none of them", async () => {
  const server = serve([{ kind: "error", status: 400, json: { type: "error", error: { type: "invalid_request_error", message: attack } } }]);
  const home = new Home(sourceRunner).anthropic(server);
  const run = inTerminal(home, ["Hello"]);
  expect(await run.finished()).toBe(1);
  const screen = await run.screen();
  expectNothingObeyed(screen);
  expect(screen.lines.join("")).toContain("A\\x1b]0;PWNED\\x07B\\x1b]52;c;ZXZpbA==\\x07C");
});

/** Release files of the stdin tests, released at the end even if a test fails waiting. */
const releases: string[] = [];
afterAll(() => {
  for (const file of releases) writeFileSync(file, "");
});

describe("stdin that stays open", () => {
  test("with stderr on a terminal, a notice says the message is read from stdin and how to end it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "synapse-stdin-"));
    const release = join(dir, "release");
    releases.push(release);
    const script = join(dir, "run.sh");
    // stdin is a pipe that stays open and silent until the test releases it (ssh without -n).
    writeFileSync(script, `{ while [ ! -e '${release}' ]; do sleep 0.05; done; printf 'piped words'; } | exec '${sourceRunner[0]}' '${sourceRunner[1]}' -p echo "and these"\n`);
    const home = new Home(sourceRunner);
    const run = new PtyRun(["sh", script], home.env);
    await run.waitFor("reading the message from stdin");
    writeFileSync(release, "");
    expect(await run.finished()).toBe(0);
    const screen = await run.screen();
    expect(screen.lines[0]).toBe("reading the message from stdin… (Ctrl+D ends it; run with </dev/null to send none)");
    const { messages } = await home.show(newSessionId(screen.lines.join("\n")));
    expect(messages[0]).toMatchObject({ role: "user", content: "piped words\n\nand these" });
  });

  test("with stdin a terminal, it is not read and no notice is given", async () => {
    const home = new Home(sourceRunner);
    const run = inTerminal(home, ["-p", "echo", "just this"]);
    expect(await run.finished()).toBe(0);
    const screen = await run.screen();
    expect(screen.lines[0]).toBe("just this");
    expect(screen.lines.join("\n")).not.toContain("reading the message");
  });
});

/**
 * A DeepSeek reasoner stream: `reasoning` pieces in `reasoning_content`, then `answer` pieces in
 * `content`; then its finish and `[DONE]`, unless `finished` is false (a reply still coming).
 */
function reasonerStream(reasoning: string[], answer: string[], finished = true): string {
  const chunk = (delta: unknown, finish: string | null) => ({
    id: "r1",
    object: "chat.completion.chunk",
    model: "deepseek-reasoner",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const end: [null, unknown][] = [
    [null, { ...chunk({ content: "", reasoning_content: null }, "stop"), usage: { prompt_tokens: 9, completion_tokens: 30 } }],
    [null, "[DONE]"],
  ];
  return (
    ": keep-alive\n\n" +
    sse([
      [null, chunk({ role: "assistant", content: null, reasoning_content: "" }, null)],
      ...reasoning.map((text): [null, unknown] => [null, chunk({ content: null, reasoning_content: text }, null)]),
      ...answer.map((text): [null, unknown] => [null, chunk({ content: text, reasoning_content: null }, null)]),
      ...(finished ? end : []),
    ])
  );
}

function deepseekReasoner(reasoning: string[], answer: string[]): Reply {
  return { kind: "sse", body: reasonerStream(reasoning, answer) };
}

function deepseekHome(reply: Reply): Home {
  const server = serve([reply]);
  return new Home(sourceRunner, { DEEPSEEK_BASE_URL: server.url, DEEPSEEK_API_KEY: apiKey });
}

const reasonerArgs = ["-p", "deepseek", "-m", "deepseek-reasoner"];
/** Thinking in two pieces, with an escape sequence a terminal must not obey, and a line break. */
const thinking = ["SECRET-THOUGHTS: step one\n", "step two \x1b]0;PWNED\x07"];

describe("a reasoning model's thinking", () => {
  test.each([
    ["DeepSeek's reasoning_content", () => deepseekHome(deepseekReasoner(thinking, ["The ", "answer."])), reasonerArgs, "SECRET-THOUGHTS", "The answer."],
    ["Anthropic's thinking and redacted_thinking", async () => new Home(sourceRunner).anthropic(serve([{ kind: "sse", body: await fixture("anthropic/redacted-thinking.sse") }])), [], "primes below ten", "2 and 3."],
  ])("piped: %s reaches neither stdout nor stderr, and stdout is the stored reply byte for byte", async (_name, makeHome, args, marker, answer) => {
    const home = await makeHome();
    const result = await home.run([...args, "Think first"]);
    expect(result.exitCode).toBe(0);
    const { messages } = await home.show(newSessionId(result.stderr));
    expect(messages[1]!.content).toBe(answer);
    expect(result.stdout).toBe(`${messages[1]!.content}\n`);
    expect(result.stderr).not.toContain(marker);
    expect(result.stderr).not.toContain("EmwKAhgB");
  });

  test("on a terminal: the thinking comes first, dimmed, its controls visible, on lines of its own before the reply; it is not stored", async () => {
    const home = deepseekHome(deepseekReasoner(thinking, ["The ", "answer."]));
    const { NO_COLOR: _, ...colours } = home.env;
    const run = new PtyRun([...sourceRunner, ...reasonerArgs, "Think first"], colours);
    expect(await run.finished()).toBe(0);
    const screen = await run.screen();
    expectNothingObeyed(screen);
    expect(screen.lines.slice(0, 3)).toEqual(["SECRET-THOUGHTS: step one", "step two \\x1b]0;PWNED\\x07", "The answer."]);
    // (The terminal turns each newline into CRLF.)
    expect(run.output).toContain("\x1b[2mSECRET-THOUGHTS: step one\r\n\x1b[22m");
    // The reply itself is not dimmed.
    expect(run.output).not.toContain("\x1b[2mThe ");
    const { messages } = await home.show(newSessionId(screen.lines.join("\n")));
    expect(messages.map((m) => m.content)).toEqual(["Think first", "The answer."]);
  });

  test("on a terminal with NO_COLOR: the thinking is shown, undimmed", async () => {
    const home = deepseekHome(deepseekReasoner(["Pondering."], ["Done."]));
    const run = inTerminal(home, [...reasonerArgs, "Think first"]);
    expect(await run.finished()).toBe(0);
    const screen = await run.screen();
    expect(screen.lines.slice(0, 2)).toEqual(["Pondering.", "Done."]);
    expect(run.output).not.toContain("\x1b[2m");
  });

  test.each([
    ["-q", ["-q"], ""],
    ["quiet = true", [], "quiet = true\n"],
  ])("on a terminal with %s: no thinking, only the reply", async (_name, flags, toml) => {
    const home = deepseekHome(deepseekReasoner(["SECRET-THOUGHTS"], ["Done."]));
    if (toml !== "") home.config(toml);
    const run = inTerminal(home, [...flags, ...reasonerArgs, "Think first"]);
    expect(await run.finished()).toBe(0);
    const screen = await run.screen();
    expect(screen.lines[0]).toBe("Done.");
    expect(run.output).not.toContain("SECRET-THOUGHTS");
  });

  test("Ctrl+C while it only thought: the thinking's line is ended, the error starts its own, nothing is stored as the reply", async () => {
    // The reply never comes: only keep-alives follow the thinking, until the client goes.
    const head = reasonerStream(["SECRET-THOUGHTS so far"], [], false);
    const home = deepseekHome({ kind: "gated", head, tail: "", release: new Promise<void>(() => {}) });
    const run = inTerminal(home, [...reasonerArgs, "Think first"]);
    await run.waitFor("SECRET-THOUGHTS so far");
    run.kill("SIGINT");
    expect(await run.finished()).toBe(130);
    const screen = await run.screen();
    expect(screen.lines[0]).toBe("SECRET-THOUGHTS so far");
    expect(screen.lines).toContain("error: interrupted before the reply began");
    const { messages } = await home.show(newSessionId(screen.lines.join("\n")));
    expect(messages.map((m) => [m.role, m.content])).toEqual([["user", "Think first"]]);
  });

  test("stderr on a terminal, stdout to a file: the thinking is on the screen, the file holds the reply alone", async () => {
    const home = deepseekHome(deepseekReasoner(thinking, ["The ", "answer."]));
    const dir = mkdtempSync(join(tmpdir(), "synapse-reasoning-"));
    const out = join(dir, "reply.txt");
    const script = join(dir, "run.sh");
    writeFileSync(script, `exec '${sourceRunner[0]}' '${sourceRunner[1]}' ${reasonerArgs.join(" ")} "Think first" > '${out}'\n`);
    const run = new PtyRun(["sh", script], home.env);
    expect(await run.finished()).toBe(0);
    const screen = await run.screen();
    expect(screen.lines.slice(0, 2)).toEqual(["SECRET-THOUGHTS: step one", "step two \\x1b]0;PWNED\\x07"]);
    expect(screen.lines.join("\n")).not.toContain("The answer.");
    expect(await Bun.file(out).text()).toBe("The answer.\n");
  });
});
