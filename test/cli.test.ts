/**
 * End to end: the real synapse process (from source, and compiled with `bun build --compile`)
 * against local servers speaking the providers' streaming formats, in a temporary HOME.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { anthropicReply, apiKey, Home, newSessionId, openaiReply, root, serve, sse, stopServers } from "./_cli.ts";
import { everythingToml } from "./_mcp.ts";
import { PtyRun } from "./_pty.ts";
import { anthropicToolUse } from "./_tool-replies.ts";

const buildDir = mkdtempSync(join(tmpdir(), "synapse-bin-"));
const binary = join(buildDir, "synapse");

beforeAll(() => {
  const build = Bun.spawnSync([process.execPath, join(root, "scripts/build.ts"), binary], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr}`);
}, 120_000);

afterAll(stopServers);

const runners = {
  source: [process.execPath, join(root, "src/cli/main.ts")],
  binary: [binary],
} as const;

const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

for (const [runnerName, runner] of Object.entries(runners)) {
  describe(`synapse (${runnerName})`, () => {
    test("--version, and --help with examples on every command", async () => {
      const home = new Home(runner);
      const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version as string;
      expect(await home.run(["--version"])).toEqual({ stdout: `${version}\n`, stderr: "", exitCode: 0 });
      for (const args of [["--help"], ["sessions", "--help"], ["sessions", "list", "--help"], ["sessions", "show", "--help"], ["sessions", "delete", "-h"]]) {
        const result = await home.run(args);
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toContain("USAGE");
        expect(result.stdout).toContain("EXAMPLES");
        expect(result.stdout).not.toContain("\x1b[");
      }
      // Help neither opens the database nor creates its folder.
      expect(existsSync(join(home.dir, "config"))).toBe(false);
    });

    test("a user's first day: new sessions, list, show, continue with history, delete", async () => {
      const server = serve([anthropicReply("Hi! How can I help?"), anthropicReply("Let us talk about tea."), anthropicReply("Following up, as asked.")]);
      const home = new Home(runner).anthropic(server);

      const first = await home.run(["Hello"]);
      expect(first).toMatchObject({ stdout: "Hi! How can I help?\n", exitCode: 0 });
      const firstId = newSessionId(first.stderr);
      const second = await home.run(["Another topic"]);
      expect(second.stdout).toBe("Let us talk about tea.\n");
      const secondId = newSessionId(second.stderr);
      expect(secondId).not.toBe(firstId);

      const list = await home.run(["sessions", "list"]);
      expect(list.exitCode).toBe(0);
      const lines = list.stdout.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^ID\s+UPDATED\s+MSGS\s+MODEL\s+TITLE \/ FIRST MESSAGE$/);
      // Ids are shown as their shortest unique start, at least 8 characters.
      expect(lines[1]).toStartWith(`${secondId.slice(0, 8)} `);
      expect(lines[1]).toContain("anthropic/claude-sonnet-4-5");
      expect(lines[1]).toContain("Another topic");
      expect(lines[2]).toStartWith(`${firstId.slice(0, 8)} `);

      const shown = await home.run(["sessions", "show", firstId]);
      expect(shown.stdout).toContain(`Session   ${firstId}`);
      expect(shown.stdout).toMatch(/user · [\d-]+ [\d:]+\nHello\n\nassistant · [\d-]+ [\d:]+ · 12 in \/ 5 out tokens\nHi! How can I help\?\n$/);

      const followUp = await home.run(["--session", firstId, "Follow up"]);
      expect(followUp).toEqual({ stdout: "Following up, as asked.\n", stderr: "", exitCode: 0 });
      expect(server.requests[2]!.body).toMatchObject({
        model: "claude-sonnet-4-5",
        stream: true,
        messages: [
          { role: "user", content: "Hello" },
          { role: "assistant", content: "Hi! How can I help?" },
          { role: "user", content: "Follow up" },
        ],
      });
      expect(server.requests[2]!.headers["x-api-key"]).toBe(apiKey);

      const { session, messages } = await home.show(firstId);
      expect(Object.keys(session)).toEqual(["id", "name", "title", "provider", "model", "systemPrompt", "createdAt", "updatedAt", "forkedFrom", "forks"]);
      // `name` is the contract scripts read; `title` is the same value under the word the code uses.
      expect(session.title).toBe(session.name);
      expect(session).toMatchObject({ id: firstId, name: null, provider: "anthropic", model: "claude-sonnet-4-5", systemPrompt: null });
      expect(session.createdAt).toMatch(rfc3339);
      expect(messages.map((m) => [m.role, m.content])).toEqual([
        ["user", "Hello"],
        ["assistant", "Hi! How can I help?"],
        ["user", "Follow up"],
        ["assistant", "Following up, as asked."],
      ]);
      for (const message of messages) {
        // Token usage, as the provider reported it, and what wrote it come with each reply.
        const keys = ["id", "role", "content", "timestamp", ...(message.role === "assistant" ? ["usage", "provider", "model"] : [])];
        expect(Object.keys(message)).toEqual(keys);
        expect(message.timestamp).toMatch(rfc3339);
      }
      expect(messages[1]!.usage).toEqual({ inputTokens: 12, outputTokens: 5 });
      // The continued session is now the most recently used.
      const listed = await home.list();
      expect(listed.map((s) => s.id)).toEqual([firstId, secondId]);
      expect(Object.keys(listed[0]!)).toEqual(["id", "name", "title", "provider", "model", "createdAt", "updatedAt", "messageCount", "preview"]);
      expect(listed[0]!.title).toBe(listed[0]!.name);
      expect(listed[0]).toMatchObject({ messageCount: 4, preview: "Hello" });

      expect(await home.run(["sessions", "delete", firstId])).toMatchObject({ exitCode: 0, stdout: "" });
      expect((await home.list()).map((s) => s.id)).toEqual([secondId]);
      expect(await home.run(["sessions", "delete", firstId])).toMatchObject({ exitCode: 1 });
    });

    test("a continued session keeps its own provider and model, unless flags say otherwise", async () => {
      const openai = serve([openaiReply("from openai"), openaiReply("openai again"), openaiReply("a third")]);
      const home = new Home(runner, { OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: "sk-openai-test-key-123456", SYNAPSE_PROVIDER: "anthropic" });
      const started = await home.run(["-p", "openai", "-m", "gpt-test", "--system", "Be brief.", "Question"]);
      expect(started).toMatchObject({ stdout: "from openai\n", exitCode: 0 });
      const id = newSessionId(started.stderr);
      // SYNAPSE_PROVIDER says anthropic, but the session was started with OpenAI.
      expect(await home.run(["-s", id, "Again"])).toMatchObject({ stdout: "openai again\n", exitCode: 0 });
      expect(openai.requests[1]!.body).toMatchObject({
        model: "gpt-test",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Question" },
          { role: "assistant", content: "from openai" },
          { role: "user", content: "Again" },
        ],
      });
      expect(await home.run(["-s", id, "-m", "gpt-other", "Third"])).toMatchObject({ exitCode: 0 });
      expect(openai.requests[2]!.body).toMatchObject({ model: "gpt-other" });
      expect(await home.run(["-s", id, "-p", "echo", "Fourth"])).toMatchObject({ stdout: "Fourth\n", exitCode: 0 });
      // Each reply records what wrote it; the session keeps the provider and model it was started with.
      const shown = await home.show(id);
      expect(shown.session).toMatchObject({ provider: "openai", model: "gpt-test", systemPrompt: "Be brief." });
      expect(shown.messages.map((m) => [m.role, m.provider, m.model])).toEqual([
        ["user", undefined, undefined],
        ["assistant", "openai", "gpt-test"],
        ["user", undefined, undefined],
        ["assistant", "openai", "gpt-test"],
        ["user", undefined, undefined],
        ["assistant", "openai", "gpt-other"],
        ["user", undefined, undefined],
        ["assistant", "echo", "echo"],
      ]);
      // As text, a reply by another model than the session's says which in its header.
      const text = await home.run(["sessions", "show", id]);
      expect(text.stdout.split("\n").filter((line) => line.startsWith("assistant"))).toEqual([
        expect.not.stringContaining("gpt"),
        expect.not.stringContaining("gpt"),
        expect.stringMatching(/^assistant · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · openai\/gpt-other · \d+ in \/ \d+ out tokens$/),
        expect.stringMatching(/^assistant · \S+ \S+ · echo\/echo · /),
      ]);
      expect(text.stdout).toContain("Model     openai/gpt-test\n");
      const refused = await home.run(["-s", id, "--system", "Other", "x"]);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain("--system sets the prompt of a new session");
    });

    test("piped input and an argument become one message; either alone works; neither is a usage error", async () => {
      const server = serve([anthropicReply("ok")]);
      const home = new Home(runner).anthropic(server);
      expect((await home.run(["Summarize"], { stdin: "line one\nline two\n" })).exitCode).toBe(0);
      expect((await home.run([], { stdin: "only piped" })).exitCode).toBe(0);
      expect((await home.run(["only", "words"], { stdin: "" })).exitCode).toBe(0);
      const sent = server.requests.map((r) => (r.body as { messages: { content: string }[] }).messages.at(-1)!.content);
      expect(sent).toEqual(["line one\nline two\n\nSummarize", "only piped", "only words"]);
      const none = await home.run([], { stdin: "  \n" });
      expect(none).toMatchObject({ exitCode: 2, stdout: "" });
      expect(none.stderr).toBe('error: no message: give one as an argument (synapse "Hello") or pipe it in (see `synapse --help`)\n');
    });

    test("stdin redirected from a file is the message, and from /dev/null it is none", async () => {
      const server = serve([anthropicReply("ok")]);
      const home = new Home(runner).anthropic(server);
      const file = join(home.dir, "notes.md");
      writeFileSync(file, "notes from a file\n");
      const fromFile = Bun.spawn([...runner, "Summarize"], { env: home.env, stdin: Bun.file(file), stdout: "pipe", stderr: "pipe" });
      expect(await fromFile.exited).toBe(0);
      const devNull = Bun.spawn([...runner, "Only", "words"], { env: home.env, stdin: Bun.file("/dev/null"), stdout: "pipe", stderr: "pipe" });
      expect(await devNull.exited).toBe(0);
      const sent = server.requests.map((r) => (r.body as { messages: { content: string }[] }).messages.at(-1)!.content);
      expect(sent).toEqual(["notes from a file\n\nSummarize", "Only words"]);
    });

    test("usage errors exit 2 with one line; unknown sessions exit 1", async () => {
      const home = new Home(runner);
      const cases: [string[], number, string][] = [
        [["--bogus", "hi"], 2, "error: unknown option --bogus (see `synapse --help`)"],
        [["-s"], 2, "error: -s needs a value (see `synapse --help`)"],
        [["-s", "ab", "hi"], 2, 'error: "ab" is too short: give at least 4 characters of the id, or the exact title'],
        [["sessions", "show", "123"], 2, 'error: "123" is too short'],
        [["-s", "nope", "-p", "echo", "hi"], 1, 'error: no session has an id starting with "nope" or the title "nope"'],
        [["-s", "", "hi"], 2, "error: -s needs a session id or title"],
        [["-c", "-p", "echo", "hi"], 1, "error: there is no session to continue yet"],
        [["-c", "-s", "abcd", "hi"], 2, "error: -s and -c both choose a session; give one"],
        [["sessions", "show"], 1, 'error: there are no sessions yet; start one with: synapse "Hello"'],
        [["sessions", "frob"], 2, 'error: unknown command "sessions frob"'],
        [["sessions"], 2, "error: synapse sessions needs a command: list, show, search, rename, fork, attachment, export, import, delete, prune, copy"],
        [["sessions", "list", "--jsn"], 2, "error: unknown option --jsn"],
        [["-s", "0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20", "-p", "echo", "hi"], 1, "error: session 0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20 not found"],
        [["sessions", "show", "0B5E2C1E-8A6F-4C3B-9D2E-6F1A7C9B4D20"], 1, "error: session 0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20 not found"],
        [["-p", "nope", "hi"], 2, 'error: unknown provider "nope" (from --provider); known providers: anthropic, openai, deepseek, ollama, lmstudio, openrouter, groq, gemini, mistral, echo\n'],
        [["-m", "", "hi"], 2, "error: --model needs a value\n"],
        [["-s=abcd", "hi"], 2, "error: write -s VALUE (with a space), not -s=VALUE"],
        [["sessions", "list", "extra"], 2, "error: too many arguments: synapse sessions list takes none"],
        [["sessions", "show", "abcd", "junk"], 2, "error: too many arguments: synapse sessions show takes one"],
      ];
      for (const [args, code, message] of cases) {
        const result = await home.run(args);
        expect({ args, exitCode: result.exitCode }).toEqual({ args, exitCode: code });
        expect(result.stdout).toBe("");
        expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
        expect(result.stderr).toStartWith(message);
      }
    });

    test("a provider failure keeps the user message, exits 1, and the session can be continued", async () => {
      const server = serve([
        anthropicReply("first answer"),
        { kind: "error", status: 401, json: { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } } },
        anthropicReply("recovered"),
      ]);
      const home = new Home(runner).anthropic(server);
      const id = newSessionId((await home.run(["Start"])).stderr);
      const failed = await home.run(["-s", id, "Lost?"]);
      expect(failed.exitCode).toBe(1);
      expect(failed.stdout).toBe("");
      expect(failed.stderr).toContain("rejected the API key");
      expect(failed.stderr).not.toContain(apiKey);
      expect((await home.show(id)).messages.map((m) => m.content)).toEqual(["Start", "first answer", "Lost?"]);
      expect(await home.run(["-s", id, "Not lost"])).toMatchObject({ stdout: "recovered\n", exitCode: 0 });
      // The unanswered question and the new one go as one user turn, as Anthropic requires.
      expect((server.requests[2]!.body as { messages: unknown[] }).messages).toEqual([
        { role: "user", content: "Start" },
        { role: "assistant", content: "first answer" },
        { role: "user", content: "Lost?\n\nNot lost" },
      ]);
    });

    test("--debug adds the stack trace to an error", async () => {
      const home = new Home(runner);
      const plain = await home.run(["sessions", "show", "0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20"]);
      const debug = await home.run(["sessions", "show", "0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20", "--debug"]);
      expect(plain.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(debug.exitCode).toBe(1);
      expect(debug.stderr).toStartWith(plain.stderr);
      expect(debug.stderr).toContain("SessionRefError");
      expect(debug.stderr.trimEnd().split("\n").length).toBeGreaterThan(2);
    });

    test("a missing API key fails before anything is stored, naming the variable", async () => {
      const home = new Home(runner);
      const result = await home.run(["Hello"]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain("; set ANTHROPIC_API_KEY");
      expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(await home.list()).toEqual([]);
    });

    test.each(["SIGINT", "SIGTERM"] as const)("%s mid-reply stops the output, keeps the question and the partial reply, and exits 130", async (signal) => {
      const head = sse([
        ["message_start", { type: "message_start", message: { id: "m", type: "message", role: "assistant", content: [], model: "c", usage: { input_tokens: 1, output_tokens: 1 } } }],
        ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
        ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Once upon a time" } }],
      ]);
      const more = sse([["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: " and then" } }]]);
      const server = serve([{ kind: "endless", head, repeat: more, intervalMs: 20 }]);
      const home = new Home(runner).anthropic(server);
      const child = Bun.spawn([...runner, "Tell me a story"], { env: home.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      const reader = child.stdout.getReader();
      let stdout = "";
      while (!stdout.includes(" and then")) {
        const { value, done } = await reader.read();
        if (done) break;
        stdout += new TextDecoder().decode(value);
      }
      child.kill(signal);
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        stdout += new TextDecoder().decode(value);
      }
      const stderr = await new Response(child.stderr).text();
      expect(await child.exited).toBe(130);
      await server.clientHungUp;
      expect(stdout).toStartWith("Once upon a time and then");
      expect(stdout).toEndWith("\n");
      expect(stderr).toContain("error: interrupted; the reply so far was saved");
      const id = newSessionId(stderr);
      const { messages } = await home.show(id);
      expect(messages).toHaveLength(2);
      expect(messages[0]).toMatchObject({ role: "user", content: "Tell me a story" });
      expect(messages[1]).toMatchObject({ role: "assistant", interrupted: true });
      expect(stdout).toStartWith(messages[1]!.content as string);
      expect((await home.run(["sessions", "show", id])).stdout).toMatch(/assistant · [\d-]+ [\d:]+ · interrupted\nOnce upon a time and then/);
    });

    test("auto-cleanup at start-up honours the limits and never deletes the session being continued", async () => {
      const server = serve([anthropicReply("ok")]);
      const home = new Home(runner).anthropic(server).config("[session]\nmax_sessions = 2\n");
      const ids: string[] = [];
      for (const text of ["one", "two", "three"]) ids.push(newSessionId((await home.run([text])).stderr));
      // Starting the third made room for it: never more than max_sessions.
      expect((await home.list()).map((s) => s.id)).toEqual([ids[2], ids[1]]);
      home.config("[session]\nmax_sessions = 1\n");
      expect((await home.run(["-s", ids[1]!, "still here?"])).exitCode).toBe(0);
      expect((await home.list()).map((s) => s.id)).toEqual([ids[1]]);
      home.config("[session]\nmax_sessions = 0\nretention_days = 0\n");
      for (const text of ["a", "b"]) await home.run([text]);
      expect(await home.list()).toHaveLength(3);
    });

    test("a start that fails before storing anything cleans up nothing", async () => {
      const home = new Home(runner).config("[session]\nmax_sessions = 2\n");
      for (const text of ["one", "two"]) expect((await home.run(["-p", "echo", text])).exitCode).toBe(0);
      const failed = await home.run(["hello"]);
      expect(failed.exitCode).toBe(1);
      expect(failed.stderr).toContain("no API key for Anthropic;");
      expect(await home.list()).toHaveLength(2);
    });

    test("sessions commands read only [session]: provider settings they never use cannot stop them", async () => {
      const home = new Home(runner, { SYNAPSE_PROVIDER: "bogus", OPENAI_BASE_URL: "localhost:8080" });
      expect(await home.run(["sessions", "list", "--json"])).toEqual({ stdout: "[]\n", stderr: "", exitCode: 0 });
      // A chat does read them: the bad value is named.
      const chat = await home.run(["-p", "echo", "hi"]);
      expect(chat.exitCode).toBe(1);
      expect(chat.stderr).toContain("OPENAI_BASE_URL must be an http:// or https:// URL");
      const named = await home.run(["-p", "echo", "hi"], { env: { OPENAI_BASE_URL: "" } });
      expect(named.exitCode).toBe(1);
      expect(named.stderr).toContain('unknown provider "bogus" (from SYNAPSE_PROVIDER)');
    });

    test("a reply cut off by the token limit is kept, with a warning that says what to raise", async () => {
      const reply = anthropicReply("This answer runs out");
      const cut = { ...reply, body: (reply as { body: string }).body.replace('"stop_reason":"end_turn"', '"stop_reason":"max_tokens"') } as typeof reply;
      const home = new Home(runner).anthropic(serve([cut]));
      const result = await home.run(["Tell me everything"]);
      expect(result).toMatchObject({ exitCode: 0, stdout: "This answer runs out\n" });
      expect(result.stderr).toStartWith("warning: the reply was cut off at the token limit; raise max_tokens");
    });

    test("broken configuration, a foreign database file and a database URL scheme are clear errors", async () => {
      const home = new Home(runner).config("[session\nmax_sessions = ");
      const broken = await home.run(["sessions", "list"]);
      expect(broken.exitCode).toBe(1);
      expect(broken.stderr).toContain(join(home.dir, "config", "synapse", "config.toml"));
      const notes = join(home.dir, "notes.txt");
      writeFileSync(notes, "my precious notes, not a database");
      const foreign = await new Home(runner, { SYNAPSE_DATABASE_URL: `sqlite:${notes}` }).run(["sessions", "list"]);
      expect(foreign).toMatchObject({ exitCode: 1, stdout: "" });
      expect(foreign.stderr).toBe(`error: ${notes} is not a SQLite database; Synapse left it untouched; move it away, or set database_url to another file\n`);
      expect(readFileSync(notes, "utf8")).toBe("my precious notes, not a database");
      const folder = await new Home(runner, { SYNAPSE_DATABASE_URL: `sqlite:${home.dir}` }).run(["sessions", "list"]);
      expect(folder).toMatchObject({ exitCode: 1, stdout: "" });
      expect(folder.stderr).toBe(`error: ${home.dir} is a folder; database_url must name a file, such as ${home.dir}/sessions.db\n`);
      const postgres = await new Home(runner, { SYNAPSE_DATABASE_URL: "postgres://me:hunter2@127.0.0.1:1/x" }).run(["sessions", "list"]);
      expect(postgres).toMatchObject({ exitCode: 1, stdout: "" });
      expect(postgres.stderr).toBe("error: cannot reach PostgreSQL at postgres://me@127.0.0.1:1/x (connection refused); is the server running, and does database_url name it?\n");
      const mysql = await new Home(runner, { SYNAPSE_DATABASE_URL: "mysql://me:hunter2@db/x" }).run(["sessions", "list"]);
      expect(mysql.exitCode).toBe(1);
      expect(mysql.stderr).toContain('the database URL scheme "mysql:" is not supported');
      expect(mysql.stderr).not.toContain("hunter2");
    });

    test("the API key never reaches the database, and its files are private", async () => {
      const server = serve([anthropicReply("a reply")]);
      const home = new Home(runner).anthropic(server);
      const id = newSessionId((await home.run(["Hello"])).stderr);
      await home.run(["-s", id, "More"]);
      for (const suffix of ["", "-wal", "-shm"]) {
        const path = `${home.database}${suffix}`;
        if (!existsSync(path)) continue;
        expect(readFileSync(path).includes(apiKey)).toBe(false);
        expect(readFileSync(path).includes("SECRET")).toBe(false);
      }
      const db = new Database(home.database, { readonly: true });
      expect(db.query("SELECT COUNT(*) AS n FROM messages").get()).toEqual({ n: 4 });
      db.close();
      expect(statSync(home.database).mode & 0o777).toBe(0o600);
      expect(statSync(join(home.dir, "config", "synapse")).mode & 0o777).toBe(0o700);
    });
  });
}

describe("synapse (binary) on a terminal", () => {
  test("renders a streamed Markdown reply to the same screen as the source does", async () => {
    const reply = "# Title\n\nSome **bold** text.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```ts\nconst x = 1;\n```\n";
    const pieces = reply.match(/[\s\S]{1,5}/g)!;
    const stream = sse([
      ["message_start", { type: "message_start", message: { id: "m", type: "message", role: "assistant", content: [], model: "c", usage: { input_tokens: 1, output_tokens: 1 } } }],
      ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
      ...pieces.map((text): [string, unknown] => ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }]),
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 9 } }],
      ["message_stop", { type: "message_stop" }],
    ]);
    const screens: string[][] = [];
    for (const runner of [runners.source, runners.binary]) {
      const home = new Home(runner).anthropic(serve([{ kind: "sse", body: stream, chunkSize: 32 }]));
      const run = new PtyRun([...runner, "Show me"], home.env, { columns: 60, rows: 30 });
      expect(await run.finished()).toBe(0);
      const { lines } = await run.screen();
      screens.push(lines.slice(0, lines.findIndex((line) => line.startsWith("session "))));
    }
    expect(screens[0]!.join("\n")).toContain("| a   | b   |");
    expect(screens[0]!.join("\n")).not.toContain("**bold**");
    expect(screens[1]).toEqual(screens[0]!);
  });
});

describe("tools from the compiled binary", () => {
  test("it starts an MCP server (SDK bundled in), runs the tool loop, and stores calls and results", async () => {
    const ping = { id: "call_ping", name: "echo", arguments: { message: "ping" } };
    const server = serve([anthropicToolUse([ping]), anthropicReply("pong")]);
    const home = new Home(runners.binary).config(everythingToml("everything")).anthropic(server);
    const result = await home.run(["Ping"]);
    expect(result.stderr).toContain("← Echo: ping");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("pong\n");
    const shown = await home.show(newSessionId(result.stderr));
    expect(shown.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
  });
});

describe("a local model asked of the compiled binary", () => {
  test("says in one line how to run local models, exit 1, nothing stored; everything else works", async () => {
    // Any file that starts like a GGUF: the binary fails before reading more of it.
    const fake = join(buildDir, "model.gguf");
    writeFileSync(fake, Buffer.concat([Buffer.from("GGUF"), Buffer.alloc(64)]));
    const home = new Home(runners.binary).config(`[providers.gemma]\ntype = "llama.cpp"\nmodel_path = ${JSON.stringify(fake)}\ngpu = false\n`);
    const result = await home.run(["-p", "gemma", "Hello"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("local models need Synapse run from a checkout with its dependencies installed");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(home.database)).toBe(false);
    expect((await home.run(["-p", "echo", "still here"])).stdout).toBe("still here\n");
  });
});
