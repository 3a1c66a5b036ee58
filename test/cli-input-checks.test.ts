/**
 * Input Synapse must refuse, through the real CLI: import files with impossible values (each
 * error names the file, the message and what was expected; nothing is stored), and titles that
 * would display as something else or as nothing.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { anthropicReply, Home, newSessionId, serve, sourceRunner, stopServers } from "./_cli.ts";

afterAll(stopServers);

const sessionId = "0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20";
const messageId = "1c6f3d2f-9b7a-4d4c-8e3f-7a2b8d0c5e31";

function anExport(message: Record<string, unknown>): string {
  const at = "2026-03-01T12:00:00.000Z";
  return JSON.stringify({
    format: "synapse.session",
    version: 1,
    session: { id: sessionId, name: null, provider: "anthropic", model: "claude-sonnet-4-5", systemPrompt: null, createdAt: at, updatedAt: at },
    messages: [
      { id: "2d7a4e3a-ac8b-4e5d-9f4a-8b3c9e1d6f42", role: "user", content: "first", timestamp: at },
      { id: messageId, role: "assistant", content: "second", timestamp: at, ...message },
    ],
  });
}

describe("sessions import refuses impossible values, naming the file and the message", () => {
  test.each([
    [{ timestamp: "2026-02-31T12:00:00Z" }, `at messages.1.timestamp (message "${messageId}"), expected an RFC 3339 time that exists, like 2026-03-01T12:00:00.000Z, got "2026-02-31T12:00:00Z"`],
    [{ usage: { inputTokens: 1.5, outputTokens: 1 } }, `at messages.1.usage.inputTokens (message "${messageId}"), expected a whole number from 0 to 2147483647, got 1.5`],
    [{ usage: { inputTokens: 1e300, outputTokens: 1 } }, `at messages.1.usage.inputTokens (message "${messageId}"), expected a whole number from 0 to 2147483647, got 1e+300`],
  ])("%j", async (message, said) => {
    const home = new Home(sourceRunner);
    const file = join(home.dir, "trip.json");
    writeFileSync(file, anExport(message));
    const result = await home.run(["sessions", "import", file]);
    expect(result.stderr).toBe(`error: ${file} is not a Synapse session export: ${said}\n`);
    expect(result.exitCode).toBe(1);
    expect(await home.list()).toEqual([]);
  });
});

describe("titles that would display as other text, or as none, are usage errors", () => {
  test("--title, rename and import", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicReply("ok")]));
    const started = await home.run(["hello"]);
    const id = newSessionId(started.stderr);
    for (const [title, said] of [
      ["report\u202Etxt.exe", "a title must not contain bidirectional controls (U+202A–U+202E, U+2066–U+2069), which make it display as other text"],
      ["\u200B\u2060", 'the title has only invisible characters (zero-width spaces or joiners); give one with visible text, or "" for none'],
    ]) {
      const chat = await home.run(["--title", title!, "hi"]);
      expect({ title, stderr: chat.stderr, exitCode: chat.exitCode }).toEqual({ title, stderr: `error: ${said}\n`, exitCode: 2 });
      const renamed = await home.run(["sessions", "rename", id, title!]);
      expect({ title, stderr: renamed.stderr, exitCode: renamed.exitCode }).toEqual({ title, stderr: `error: ${said}\n`, exitCode: 2 });
      const file = join(home.dir, "titled.json");
      writeFileSync(file, JSON.stringify({ ...JSON.parse(anExport({})), session: { ...JSON.parse(anExport({})).session, name: title } }));
      const imported = await home.run(["sessions", "import", file]);
      expect(imported.stderr).toBe(`error: ${file} is not a Synapse session export: at session.name, ${said}\n`);
      expect(imported.exitCode).toBe(1);
    }
    expect((await home.list()).map((s) => s.name)).toEqual([null]);
  });
});

describe("error lines are one line, whatever they quote", () => {
  test("a session named with a newline or an escape, stderr piped", async () => {
    const home = new Home(sourceRunner);
    for (const [args, ref] of [
      [["sessions", "show", "x\ny"], "x\ny"],
      [["-p", "echo", "-s", "abcd\nefgh", "hi"], "abcd\nefgh"],
      [["-p", "echo", "-s", "ab\u001b]0;pwned\u0007\u202e", "hi"], "ab\u001b]0;pwned\u0007\u202e"],
    ] as const) {
      const result = await home.run([...args]);
      const shown = ref.replace(/[\n\u001b\u0007]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`).replace("\u202e", "\\u202e");
      expect({ args, stderr: result.stderr, exitCode: result.exitCode }).toEqual({
        args,
        stderr: `error: no session has an id starting with "${shown}" or the title "${shown}"; \`synapse sessions list\` shows them\n`,
        exitCode: 1,
      });
    }
  });
});

describe("model and provider names with control characters are refused", () => {
  const said = "a name without control characters (such as a newline or escape) or bidirectional controls (U+202A–U+202E, U+2066–U+2069)";

  test("-m, --provider and SYNAPSE_MODEL: usage errors, nothing stored", async () => {
    const home = new Home(sourceRunner);
    for (const [args, env, error, exitCode] of [
      [["-p", "echo", "-m", "gpt\nx", "hi"], {}, `--model must be ${said}`, 2],
      [["-p", "echo", "--model", "gpt\u202ex", "hi"], {}, `--model must be ${said}`, 2],
      [["-p", "echo", "-m", "gpt\u009bx", "hi"], {}, `--model must be ${said}`, 2],
      [["--provider", "echo\u007f", "hi"], {}, `--provider must be ${said}`, 2],
      [["-p", "echo", "hi"], { SYNAPSE_MODEL: "gpt\u001bx" }, `SYNAPSE_MODEL must be ${said}`, 1],
    ] as const) {
      const result = await home.run([...args], { env });
      expect({ args, stderr: result.stderr, exitCode: result.exitCode }).toEqual({ args, stderr: `error: ${error}\n`, exitCode });
      expect(result.stdout).toBe("");
    }
    expect(await home.list()).toEqual([]);
  });

  test("model and provider in config.toml", async () => {
    for (const [toml, key, got] of [
      ['model = "gpt\\nx"', "model", '"gpt\\x0ax"'],
      ['provider = "echo\\u202e"', "provider", '"echo\\u202e"'],
      ['[openai]\nmodel = "gpt\\u0007"', "openai.model", '"gpt\\x07"'],
    ]) {
      const home = new Home(sourceRunner).config(`${toml}\n`);
      const result = await home.run(["-p", "echo", "hi"]);
      const file = join(home.dir, "config", "synapse", "config.toml");
      expect({ toml, stderr: result.stderr, exitCode: result.exitCode }).toEqual({
        toml,
        stderr: `error: config file ${file}: "${key}" must be ${said}, but it is the string ${got}\n`,
        exitCode: 1,
      });
    }
  });

  test("an imported session's provider and model, naming the file and the field", async () => {
    const home = new Home(sourceRunner);
    for (const [field, value, got] of [
      ["provider", "anthropic\n", '"anthropic\\u000a"'],
      ["model", "claude\u001b[2J", '"claude\\u001b[2J"'],
      ["model", "claude\u2066", '"claude\\u2066"'],
    ] as const) {
      const file = join(home.dir, "named.json");
      const data = JSON.parse(anExport({}));
      writeFileSync(file, JSON.stringify({ ...data, session: { ...data.session, [field]: value } }));
      const result = await home.run(["sessions", "import", file]);
      expect({ field, stderr: result.stderr, exitCode: result.exitCode }).toEqual({
        field,
        stderr: `error: ${file} is not a Synapse session export: at session.${field}, expected ${said}, got ${got}\n`,
        exitCode: 1,
      });
    }
    expect(await home.list()).toEqual([]);
  });
});

test("sessions prune --dry-run --now: a usage error, nothing deleted", async () => {
  const home = new Home(sourceRunner);
  // Two sessions and a limit of one: a prune that ran would delete the older.
  const ids = [newSessionId((await home.run(["-p", "echo", "Keep me"])).stderr), newSessionId((await home.run(["-p", "echo", "And me"])).stderr)];
  writeFileSync(join(home.dir, "limits.toml"), "[session]\nmax_sessions = 1\nretention_days = 0\n");
  const result = await home.run(["sessions", "prune", "--dry-run", "--now"], { env: { SYNAPSE_CONFIG: join(home.dir, "limits.toml") } });
  expect(result).toMatchObject({
    exitCode: 2,
    stdout: "",
    stderr: "error: --dry-run deletes nothing, so --now has nothing to finish; give one of them (see `synapse sessions prune --help`)\n",
  });
  expect((await home.list()).map((s) => s.id).sort()).toEqual(ids.sort());
});

test("a message whose first word is a name every object has (constructor, toString) is a message, not a command", async () => {
  const home = new Home(sourceRunner);
  for (const word of ["constructor", "toString", "__proto__"]) {
    const result = await home.run(["-p", "echo", word, "of", "classes"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: `${word} of classes\n` });
  }
  expect(await home.run(["sessions", "constructor"])).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('unknown command "sessions constructor"') });
});
