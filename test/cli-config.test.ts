/**
 * End to end, through the real CLI: `synapse config path`, `edit` (with a scripted editor) and
 * `check`, in a temporary HOME. Keys set in the environment or the file are never printed.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configTemplate } from "../src/config/template.ts";
import { Home, sourceRunner } from "./_cli.ts";

const fileKey = "sk-file-SECRET-abcdef0123456789";
const envKey = "sk-env-SECRET-9876543210fedcba";

/** An editor that appends `line` to the file it is given, as a person typing and saving would. */
function editorAppending(home: Home, name: string, line: string, exitCode = 0): string {
  const script = join(home.dir, `${name}.sh`);
  writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' '${line}' >> "$1"\nexit ${exitCode}\n`);
  chmodSync(script, 0o755);
  return script;
}

function configFile(home: Home): string {
  return join(home.dir, "config", "synapse", "config.toml");
}

test("config is a group: --help with examples on each command; alone, a usage error", async () => {
  const home = new Home(sourceRunner);
  for (const args of [["config", "--help"], ["config", "path", "--help"], ["config", "edit", "--help"], ["config", "check", "--help"]]) {
    const result = await home.run(args);
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    expect(result.stdout).toContain("EXAMPLES");
  }
  expect(await home.run(["config"])).toEqual({ exitCode: 2, stdout: "", stderr: "error: synapse config needs a command: path, edit, check (see `synapse config --help`)\n" });
  // A message that starts with the word goes after --.
  expect(await home.run(["-p", "echo", "--", "config", "is", "hard"])).toMatchObject({ exitCode: 0, stdout: "config is hard\n" });
});

describe("synapse config path", () => {
  test("prints where the file would be, and says on stderr that it is not there yet (exit 0)", async () => {
    const home = new Home(sourceRunner);
    expect(await home.run(["config", "path"])).toEqual({
      exitCode: 0,
      stdout: `${configFile(home)}\n`,
      stderr: "it does not exist yet, so the defaults apply; create it with: synapse config edit\n",
    });
    // Nothing is made by asking.
    expect(existsSync(join(home.dir, "config"))).toBe(false);
    home.config('render = "never"\n');
    expect(await home.run(["config", "path"])).toEqual({ exitCode: 0, stdout: `${configFile(home)}\n`, stderr: "" });
  });

  test("names the file SYNAPSE_CONFIG names, ~ expanded", async () => {
    const home = new Home(sourceRunner, { SYNAPSE_CONFIG: "~/work.toml" });
    const result = await home.run(["config", "path"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: `${join(home.dir, "home", "work.toml")}\n` });
    expect(result.stderr).toContain("SYNAPSE_CONFIG names it");
  });
});

describe("synapse config edit", () => {
  test("makes a commented template (0600, its folder 0700), opens it in $EDITOR and checks the result", async () => {
    const home = new Home(sourceRunner, { EDITOR: "" });
    home.env.EDITOR = editorAppending(home, "editor", 'render = "never"');
    const result = await home.run(["config", "edit"]);
    expect(result).toEqual({
      exitCode: 0,
      stdout: "",
      stderr: `created ${configFile(home)}, every setting in it commented out\n${configFile(home)} is valid\n`,
    });
    expect(readFileSync(configFile(home), "utf8")).toBe(`${configTemplate()}render = "never"\n`);
    expect(statSync(configFile(home)).mode & 0o777).toBe(0o600);
    expect(statSync(join(home.dir, "config", "synapse")).mode & 0o777).toBe(0o700);
    // The edit is in effect.
    expect(JSON.parse((await home.run(["config", "check", "--json"])).stdout).display.render).toBe("never");
    // A file that is there is opened as it is, never replaced by the template.
    home.env.EDITOR = editorAppending(home, "again", "# edited again");
    expect(await home.run(["config", "edit", "-q"])).toEqual({ exitCode: 0, stdout: "", stderr: "" });
    expect(readFileSync(configFile(home), "utf8")).toBe(`${configTemplate()}render = "never"\n# edited again\n`);
  });

  test("the file SYNAPSE_CONFIG names is made where it says, its missing folders too", async () => {
    const home = new Home(sourceRunner, { SYNAPSE_CONFIG: "~/deep/er/work.toml" });
    home.env.EDITOR = editorAppending(home, "editor", "quiet = true");
    expect(await home.run(["config", "edit", "-q"])).toEqual({ exitCode: 0, stdout: "", stderr: "" });
    const file = join(home.dir, "home", "deep", "er", "work.toml");
    expect(readFileSync(file, "utf8")).toBe(`${configTemplate()}quiet = true\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(home.dir, "home", "deep", "er")).mode & 0o777).toBe(0o700);
  });

  test("$VISUAL wins over $EDITOR", async () => {
    const home = new Home(sourceRunner);
    home.env.EDITOR = editorAppending(home, "editor", "quiet = false");
    home.env.VISUAL = editorAppending(home, "visual", "quiet = true");
    expect((await home.run(["config", "edit"])).exitCode).toBe(0);
    expect(readFileSync(configFile(home), "utf8")).toEndWith("\nquiet = true\n");
  });

  test("an edit that breaks the config is one line, exit 1, and stays as saved", async () => {
    const home = new Home(sourceRunner);
    home.config("[session]\nretention_days = 30\n");
    home.env.EDITOR = editorAppending(home, "editor", "max_sessions = -1");
    const result = await home.run(["config", "edit"]);
    expect(result).toEqual({
      exitCode: 1,
      stdout: "",
      stderr:
        `error: config file ${configFile(home)}: "session.max_sessions" must be a whole number ≥ 0 (0 means no limit), but it is -1; ` +
        "the file is saved as you left it: fix it with synapse config edit\n",
    });
    expect(readFileSync(configFile(home), "utf8")).toBe("[session]\nretention_days = 30\nmax_sessions = -1\n");
    // Not TOML at all: the same, in one line.
    home.env.EDITOR = editorAppending(home, "broken", "= what");
    const broken = await home.run(["config", "edit"]);
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toStartWith(`error: config file ${configFile(home)} is not valid TOML`);
    expect(broken.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  test("an editor that fails is one line, exit 1; what it saved is kept", async () => {
    const home = new Home(sourceRunner);
    const editor = editorAppending(home, "editor", "quiet = true", 3);
    home.env.EDITOR = editor;
    const result = await home.run(["config", "edit", "-q"]);
    expect(result).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: `error: the editor (${editor}) exited with code 3, leaving ${configFile(home)} as it saved it; check $VISUAL / $EDITOR\n`,
    });
    expect(readFileSync(configFile(home), "utf8")).toEndWith("\nquiet = true\n");
  });
});

describe("synapse config check", () => {
  const withKeys = [
    `[anthropic]`,
    `api_key = "${fileKey}"`,
    `model = "claude-opus-4-1"`,
    ``,
    `[providers.gateway]`,
    `type = "anthropic"`,
    `base_url = "https://llm.example.com/anthropic"`,
    `headers = { x-team = "platform", authorization = "Bearer ${fileKey}" }`,
    ``,
    `[aliases]`,
    `fast = "groq:llama-3.1-8b-instant"`,
    ``,
    `[session]`,
    `max_sessions = 0`,
    ``,
  ].join("\n");

  test("prints what is in effect, with each key's state and never a key", async () => {
    const home = new Home(sourceRunner, { OPENAI_API_KEY: envKey }).config(withKeys);
    const result = await home.run(["config", "check"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    for (const secret of [fileKey, envKey, "SECRET"]) expect(result.stdout).not.toContain(secret);
    const lines = result.stdout.split("\n");
    expect(lines.slice(0, 6)).toEqual([
      `config file    ${configFile(home)}`,
      "provider       anthropic",
      "model          claude-opus-4-1",
      "system_prompt  none",
      "render         auto",
      "quiet          false",
    ]);
    expect(result.stdout).toContain(`\n[session]\nmax_sessions    0 (no limit)\nretention_days  90\nauto_cleanup    true\ndatabase_url    sqlite:${join(home.dir, "config", "synapse", "sessions.db")} (the default)\n`);
    expect(lines.find((line) => line.startsWith("anthropic*"))).toMatch(/^anthropic\* +anthropic +https:\/\/api\.anthropic\.com +claude-opus-4-1 +set$/);
    expect(lines.find((line) => line.startsWith("openai "))).toMatch(/ set$/);
    expect(lines.find((line) => line.startsWith("deepseek "))).toMatch(/ missing$/);
    expect(lines.find((line) => line.startsWith("ollama "))).toMatch(/ not needed$/);
    expect(result.stdout).toContain("\n[providers.gateway] headers: x-team: platform, authorization: ***\n");
    expect(result.stdout).toEndWith("\n[aliases]\nfast  groq:llama-3.1-8b-instant\n");
  });

  test("--json: the same, for scripts", async () => {
    const home = new Home(sourceRunner, { OPENAI_API_KEY: envKey, SYNAPSE_DATABASE_URL: "postgres://me:hunter2@db.internal:5432/synapse" }).config(withKeys);
    const result = await home.run(["config", "check", "--json"]);
    expect(result.exitCode).toBe(0);
    for (const secret of [fileKey, envKey, "SECRET", "hunter2"]) expect(result.stdout).not.toContain(secret);
    const checked = JSON.parse(result.stdout);
    expect(Object.keys(checked)).toEqual(["configFile", "provider", "model", "systemPrompt", "display", "session", "files", "providers", "aliases", "mcp"]);
    expect(checked).toMatchObject({
      configFile: { path: configFile(home), exists: true },
      provider: "anthropic",
      model: "claude-opus-4-1",
      systemPrompt: null,
      display: { render: "auto", quiet: false },
      session: { maxSessions: 0, retentionDays: 90, autoCleanup: true, databaseUrl: "postgres://me@db.internal:5432/synapse", databaseUrlFrom: "environment" },
      files: { maxSizeMb: 20 },
      aliases: { fast: { provider: "groq", model: "llama-3.1-8b-instant" } },
    });
    const byName = Object.fromEntries(checked.providers.map((p: { name: string }) => [p.name, p]));
    expect(byName.anthropic).toEqual({
      name: "anthropic",
      type: "anthropic",
      origin: "built-in",
      baseUrl: "https://api.anthropic.com",
      model: "claude-opus-4-1",
      key: "set",
      keyEnv: "ANTHROPIC_API_KEY",
      headers: {},
      maxTokens: 4096,
      maxTokensField: "max_tokens",
      firstByteTimeout: 180,
      idleTimeout: 120,
      images: true,
    });
    expect(byName.deepseek.images).toBe(false);
    expect([byName.openai.key, byName.deepseek.key, byName.ollama.key, byName.gateway.key]).toEqual(["set", "missing", "not needed", "not needed"]);
    expect(byName.gateway.headers).toEqual({ "x-team": "platform", authorization: "***" });
    expect(checked.mcp).toEqual({ allow: [], maxSteps: 10, startupTimeout: 15, callTimeout: 60, servers: [] });
  });

  test("[mcp]: its settings and servers, a credential in a server's env masked", async () => {
    const home = new Home(sourceRunner, { ANTHROPIC_API_KEY: envKey }).config(
      [
        `[mcp]`,
        `allow = ["files.*"]`,
        `call_timeout = 0`,
        `[mcp.servers.files]`,
        `command = "npx"`,
        `args = ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/my notes"]`,
        `env = { LOG_LEVEL = "info", GITHUB_TOKEN = "${fileKey}" }`,
        `[mcp.servers.web]`,
        `url = "http://127.0.0.1:9/mcp"`,
        `enabled = false`,
        ``,
      ].join("\n"),
    );
    const result = await home.run(["config", "check"]);
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    expect(result.stdout).not.toContain(fileKey);
    expect(result.stdout).toEndWith(
      [
        "[mcp]",
        "allow                files.*",
        "max_steps            10",
        "startup_timeout      15 s",
        "call_timeout         0 (no limit)",
        '[mcp.servers.files]  stdio: npx -y @modelcontextprotocol/server-filesystem "/home/me/my notes" (env: LOG_LEVEL=info, GITHUB_TOKEN=***)',
        "[mcp.servers.web]    http: http://127.0.0.1:9/mcp (disabled)",
        "",
      ].join("\n"),
    );
    const json = await home.run(["config", "check", "--json"]);
    expect(json.stdout).not.toContain(fileKey);
    expect(JSON.parse(json.stdout).mcp).toEqual({
      allow: ["files.*"],
      maxSteps: 10,
      startupTimeout: 15,
      callTimeout: 0,
      servers: [
        { name: "files", enabled: true, transport: "stdio", command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/my notes"], env: { LOG_LEVEL: "info", GITHUB_TOKEN: "***" }, url: null },
        { name: "web", enabled: false, transport: "http", command: null, args: [], env: {}, url: "http://127.0.0.1:9/mcp" },
      ],
    });
  });

  test("with no file: the defaults, and a warning when the provider a chat uses has no key", async () => {
    const home = new Home(sourceRunner);
    const result = await home.run(["config", "check"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toStartWith(`config file    ${configFile(home)} (not there: the defaults apply)\nprovider       anthropic\nmodel          claude-sonnet-4-5\n`);
    expect(result.stderr).toBe(`warning: Anthropic, the provider a chat uses, has no API key; set ANTHROPIC_API_KEY, or api_key under [anthropic] in ${configFile(home)}\n`);
    expect(JSON.parse((await home.run(["config", "check", "--json"])).stdout).configFile).toEqual({ path: configFile(home), exists: false });
  });

  test("a broken config, or a database URL a chat would refuse, is the usual one line, exit 1", async () => {
    const home = new Home(sourceRunner).config("[session]\nmax_sessions = -1\n");
    expect(await home.run(["config", "check", "--json"])).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: `error: config file ${configFile(home)}: "session.max_sessions" must be a whole number ≥ 0 (0 means no limit), but it is -1\n`,
    });
    const other = new Home(sourceRunner, { SYNAPSE_DATABASE_URL: "mysql://db/x", ANTHROPIC_API_KEY: envKey });
    const refused = await other.run(["config", "check"]);
    expect(refused).toMatchObject({ exitCode: 1, stdout: "" });
    expect(refused.stderr).toStartWith('error: the database URL scheme "mysql:" is not supported; use sqlite:PATH');
  });
});
