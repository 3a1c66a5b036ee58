import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig, loadSessionSettings, type ConfigFlags, type ResolvedConfig } from "../src/config/index.ts";
import { log } from "../src/log.ts";

const FIXTURES = join(import.meta.dir, "fixtures", "config");

type Env = Record<string, string | undefined>;

/** A fresh home and XDG config dir; `toml`, when given, is written where Synapse looks by default. */
function sandbox(toml?: string): { env: Env; path: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "synapse-config-"));
  const env: Env = { HOME: join(dir, "home"), XDG_CONFIG_HOME: join(dir, "xdg") };
  const path = join(dir, "xdg", "synapse", "config.toml");
  if (toml !== undefined) {
    mkdirSync(join(dir, "xdg", "synapse"), { recursive: true });
    writeFileSync(path, toml, { mode: 0o600 });
  }
  return { env, path, dir };
}

/** Loads with the given file text, extra environment and flags; warnings are collected. */
function load(toml: string | undefined, env: Env = {}, flags: ConfigFlags = {}) {
  const box = sandbox(toml);
  const warnings: string[] = [];
  const config = loadConfig({ env: { ...box.env, ...env }, flags, warn: (m) => warnings.push(m) });
  return { config, warnings, path: box.path };
}

function loadError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

describe("precedence: defaults < file < environment < flags", () => {
  interface Case {
    name: string;
    file?: string;
    env?: Env;
    flags?: ConfigFlags;
    expected: Partial<Pick<ResolvedConfig, "provider" | "model" | "systemPrompt">> & {
      apiKey?: string | undefined;
      baseUrl?: string;
      databaseUrl?: string | undefined;
    };
  }
  const cases: Case[] = [
    { name: "defaults", expected: { provider: "anthropic", model: "claude-sonnet-4-5", systemPrompt: undefined } },
    { name: "file provider, its default model", file: `provider = "openai"`, expected: { provider: "openai", model: "gpt-4o-mini" } },
    {
      name: "file provider, its table's model",
      file: `provider = "deepseek"\n[deepseek]\nmodel = "deepseek-reasoner"`,
      expected: { provider: "deepseek", model: "deepseek-reasoner" },
    },
    { name: "file provider and model", file: `provider = "openai"\nmodel = "gpt-4o"`, expected: { provider: "openai", model: "gpt-4o" } },
    { name: "file model, default provider", file: `model = "claude-opus-4-1"`, expected: { provider: "anthropic", model: "claude-opus-4-1" } },
    {
      name: "env provider beats file; the file's model was for the file's provider",
      file: `provider = "openai"\nmodel = "gpt-4o"`,
      env: { SYNAPSE_PROVIDER: "deepseek" },
      expected: { provider: "deepseek", model: "deepseek-chat" },
    },
    {
      name: "env model beats file model",
      file: `provider = "openai"\nmodel = "gpt-4o"`,
      env: { SYNAPSE_MODEL: "gpt-4.1" },
      expected: { provider: "openai", model: "gpt-4.1" },
    },
    {
      name: "env provider and model",
      env: { SYNAPSE_PROVIDER: "openai", SYNAPSE_MODEL: "gpt-4.1" },
      expected: { provider: "openai", model: "gpt-4.1" },
    },
    {
      name: "flag provider beats env; env model dropped",
      env: { SYNAPSE_PROVIDER: "openai", SYNAPSE_MODEL: "gpt-4.1" },
      flags: { provider: "anthropic" },
      expected: { provider: "anthropic", model: "claude-sonnet-4-5" },
    },
    {
      name: "flag model beats env model",
      env: { SYNAPSE_PROVIDER: "openai", SYNAPSE_MODEL: "gpt-4.1" },
      flags: { model: "o4-mini" },
      expected: { provider: "openai", model: "o4-mini" },
    },
    {
      name: "flag provider and model beat everything",
      file: `provider = "openai"\nmodel = "gpt-4o"`,
      env: { SYNAPSE_PROVIDER: "deepseek", SYNAPSE_MODEL: "deepseek-reasoner" },
      flags: { provider: "anthropic", model: "claude-haiku-4-5" },
      expected: { provider: "anthropic", model: "claude-haiku-4-5" },
    },
    {
      name: "flag naming the file's provider keeps the file's model",
      file: `provider = "anthropic"\nmodel = "claude-opus-4-1"`,
      flags: { provider: "anthropic" },
      expected: { provider: "anthropic", model: "claude-opus-4-1" },
    },
    {
      name: "env model kept when a flag names the same provider",
      file: `provider = "openai"`,
      env: { SYNAPSE_MODEL: "gpt-4.1" },
      flags: { provider: "openai" },
      expected: { provider: "openai", model: "gpt-4.1" },
    },
    {
      name: "file model applies again when a flag returns to the file's provider",
      file: `provider = "openai"\nmodel = "gpt-4o"`,
      env: { SYNAPSE_PROVIDER: "deepseek" },
      flags: { provider: "openai" },
      expected: { provider: "openai", model: "gpt-4o" },
    },
    { name: "echo needs nothing", flags: { provider: "echo" }, expected: { provider: "echo", model: "echo" } },
    { name: "empty env values count as unset", file: `provider = "openai"`, env: { SYNAPSE_PROVIDER: "", SYNAPSE_MODEL: "" }, expected: { provider: "openai", model: "gpt-4o-mini" } },
    { name: "api key from file", file: `[anthropic]\napi_key = "file-key-123456"`, expected: { apiKey: "file-key-123456" } },
    {
      name: "api key: env beats file",
      file: `[anthropic]\napi_key = "file-key-123456"`,
      env: { ANTHROPIC_API_KEY: "env-key-123456" },
      expected: { apiKey: "env-key-123456" },
    },
    { name: "base url default", expected: { baseUrl: "https://api.anthropic.com" } },
    { name: "base url from file, trailing slash dropped", file: `[anthropic]\nbase_url = "http://file.test/"`, expected: { baseUrl: "http://file.test" } },
    {
      name: "base url: env beats file",
      file: `[anthropic]\nbase_url = "http://file.test"`,
      env: { ANTHROPIC_BASE_URL: "http://env.test/" },
      expected: { baseUrl: "http://env.test" },
    },
    { name: "system prompt from file", file: `system_prompt = "Be brief."`, expected: { systemPrompt: "Be brief." } },
    { name: "system prompt: flag beats file", file: `system_prompt = "Be brief."`, flags: { systemPrompt: "Be verbose." }, expected: { systemPrompt: "Be verbose." } },
    { name: "system prompt: empty flag turns it off", file: `system_prompt = "Be brief."`, flags: { systemPrompt: "" }, expected: { systemPrompt: undefined } },
    { name: "database url from file", file: `[session]\ndatabase_url = "/data/s.db"`, expected: { databaseUrl: "/data/s.db" } },
    {
      name: "database url: env beats file",
      file: `[session]\ndatabase_url = "/data/s.db"`,
      env: { SYNAPSE_DATABASE_URL: "postgres://localhost/synapse" },
      expected: { databaseUrl: "postgres://localhost/synapse" },
    },
  ];

  test.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const { config, warnings } = load(c.file, c.env, c.flags);
    const { apiKey, baseUrl, databaseUrl, ...top } = c.expected;
    expect(config).toMatchObject(top);
    if ("systemPrompt" in top) expect(config.systemPrompt).toBe(top.systemPrompt);
    if ("apiKey" in c.expected) expect(config.providers.anthropic!.apiKey).toBe(apiKey);
    if (baseUrl !== undefined) expect(config.providers.anthropic!.baseUrl).toBe(baseUrl);
    if ("databaseUrl" in c.expected) expect(config.session.databaseUrl).toBe(databaseUrl);
    expect(warnings).toEqual([]);
  });
});

describe("the config file", () => {
  test("no file means defaults", () => {
    const { config, path } = load(undefined);
    const { providers, ...rest } = config;
    expect(rest).toEqual({
      configPath: path,
      configFileLoaded: false,
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      systemPrompt: undefined,
      aliases: {},
      session: { maxSessions: 100, retentionDays: 90, autoCleanup: true, databaseUrl: undefined },
      display: { render: "auto", quiet: false },
      files: { maxSizeMb: 20 },
      mcp: { servers: {}, allow: [], maxSteps: 10, startupTimeoutMs: 15_000, callTimeoutMs: 60_000 },
      keyed: [],
    });
    const built = (name: string, model: string, baseUrl: string, maxTokensField: string) => ({
      name, type: name === "anthropic" ? "anthropic" : "openai", origin: "built-in", apiKey: undefined, keyEnv: `${name.toUpperCase()}_API_KEY`, needsKey: true, table: `[${name}]`,
      baseUrl, baseUrlEnv: `${name.toUpperCase()}_BASE_URL`, model, maxTokens: 4096, maxTokensField, headers: {}, firstByteTimeout: 180, idleTimeout: 120,
      // DeepSeek's chat API takes text only.
      images: name !== "deepseek",
    });
    expect(providers.anthropic).toMatchObject(built("anthropic", "claude-sonnet-4-5", "https://api.anthropic.com", "max_tokens"));
    expect(providers.openai).toMatchObject(built("openai", "gpt-4o-mini", "https://api.openai.com/v1", "max_completion_tokens"));
    expect(providers.deepseek).toMatchObject(built("deepseek", "deepseek-chat", "https://api.deepseek.com", "max_tokens"));
    // The presets need no table.
    expect(Object.keys(providers)).toEqual(["anthropic", "openai", "deepseek", "ollama", "lmstudio", "openrouter", "groq", "gemini", "mistral"]);
    expect(providers.ollama).toMatchObject({ type: "openai", origin: "preset", baseUrl: "http://localhost:11434/v1", needsKey: false, model: "llama3.2", images: true });
    expect(providers.groq).toMatchObject({ origin: "preset", baseUrl: "https://api.groq.com/openai/v1", keyEnv: "GROQ_API_KEY", needsKey: true, maxTokensField: "max_tokens" });
  });

  test("an OpenAI-compatible limit goes as max_completion_tokens to OpenAI's API only, unless max_tokens_field says", () => {
    const { env } = sandbox();
    const own = loadConfig({ env });
    expect(own.providers.openai!.maxTokensField).toBe("max_completion_tokens");
    const local = loadConfig({ env: { ...env, OPENAI_BASE_URL: "http://127.0.0.1:8080/v1" } });
    expect(local.providers.openai!.maxTokensField).toBe("max_tokens");
    expect(local.providers.deepseek!.maxTokensField).toBe("max_tokens");
  });

  test("with no provider named, the first built-in whose key is set: anthropic, openai, deepseek", () => {
    const { env } = sandbox();
    expect(loadConfig({ env }).provider).toBe("anthropic");
    expect(loadConfig({ env: { ...env, OPENAI_API_KEY: "sk-o" } })).toMatchObject({ provider: "openai", model: "gpt-4o-mini", keyed: ["openai"] });
    expect(loadConfig({ env: { ...env, DEEPSEEK_API_KEY: "sk-d", OPENAI_API_KEY: "sk-o" } })).toMatchObject({ provider: "openai", keyed: ["openai", "deepseek"] });
    expect(loadConfig({ env: { ...env, DEEPSEEK_API_KEY: "sk-d", ANTHROPIC_API_KEY: "sk-a" } }).provider).toBe("anthropic");
    // A provider named anywhere wins over the keys.
    expect(loadConfig({ env: { ...env, OPENAI_API_KEY: "sk-o", SYNAPSE_PROVIDER: "deepseek" } }).provider).toBe("deepseek");
  });

  test("-m without -p: the provider the model plainly belongs to", () => {
    const { env } = sandbox('provider = "anthropic"\n');
    for (const [model, provider] of [
      ["gpt-4o-mini", "openai"],
      ["o3-mini", "openai"],
      ["o1", "openai"],
      ["claude-opus-4-1", "anthropic"],
      ["deepseek-reasoner", "deepseek"],
    ] as const) {
      expect(loadConfig({ env, flags: { model } })).toMatchObject({ provider, model });
    }
    // A name that belongs to no one plainly stays with the configured provider; -p always wins.
    expect(loadConfig({ env, flags: { model: "llama3" } })).toMatchObject({ provider: "anthropic", model: "llama3" });
    expect(loadConfig({ env, flags: { model: "gpt-4o-mini", provider: "deepseek" } })).toMatchObject({ provider: "deepseek", model: "gpt-4o-mini" });
  });

  test("the default path is <config dir>/config.toml under XDG_CONFIG_HOME or ~/.config", () => {
    expect(loadConfig({ env: { HOME: "/h", XDG_CONFIG_HOME: "/x" } }).configPath).toBe("/x/synapse/config.toml");
    expect(loadConfig({ env: { HOME: "/h" } }).configPath).toBe("/h/.config/synapse/config.toml");
  });

  test("every key is read", () => {
    const { env } = sandbox();
    const config = loadConfig({ env: { ...env, SYNAPSE_CONFIG: fixturePath("full.toml") }, warn: () => {} });
    const { providers, ...rest } = config;
    expect(rest).toEqual({
      configPath: fixturePath("full.toml"),
      configFileLoaded: true,
      provider: "openai",
      model: "gpt-4o",
      systemPrompt: "Answer briefly.",
      aliases: { fast: { provider: "local", model: "tiny" } },
      session: { maxSessions: 0, retentionDays: 30, autoCleanup: false, databaseUrl: "~/synapse.db" },
      display: { render: "never", quiet: true },
      files: { maxSizeMb: 2.5 },
      mcp: {
        servers: {
          files: { name: "files", enabled: true, transport: "stdio", command: `${env.HOME}/bin/files-server`, args: ["--root", "/tmp"], env: { LOG_LEVEL: "debug" } },
          web: { name: "web", enabled: false, transport: "http", url: "https://mcp.example.test/mcp" },
        },
        allow: ["files.read_file", "web.*"],
        maxSteps: 4,
        startupTimeoutMs: 5000,
        // 0 means no limit.
        callTimeoutMs: undefined,
      },
      keyed: [],
    });
    expect(providers.anthropic).toMatchObject({ apiKey: undefined, baseUrl: "https://anthropic.example.test", model: "claude-opus-4-1", maxTokens: 8192, maxTokensField: "max_tokens", firstByteTimeout: 600, idleTimeout: 0 });
    expect(providers.openai).toMatchObject({ apiKey: undefined, baseUrl: "https://openai.example.test/v1", model: "gpt-4.1-mini", maxTokens: 2048, maxTokensField: "max_completion_tokens", firstByteTimeout: 180, idleTimeout: 120 });
    expect(providers.deepseek).toMatchObject({ apiKey: undefined, baseUrl: "https://api.deepseek.com", model: "deepseek-reasoner", maxTokens: 4096, maxTokensField: "max_tokens", images: true });
    expect(providers.local).toEqual({
      name: "local",
      type: "openai",
      local: undefined,
      label: "local",
      origin: "configured",
      apiKey: undefined,
      keyEnv: "LOCAL_LLM_KEY",
      needsKey: true,
      table: "[providers.local]",
      baseUrl: "http://127.0.0.1:8080/v1",
      baseUrlEnv: undefined,
      model: "tiny",
      maxTokens: 512,
      maxTokensField: "max_tokens",
      headers: { "x-team": "synapse" },
      firstByteTimeout: 30,
      idleTimeout: 10,
      images: false,
    });
  });

  test("SYNAPSE_CONFIG chooses the file, with ~ expanded", () => {
    const { env, dir } = sandbox(`provider = "anthropic"`);
    mkdirSync(join(dir, "home"), { recursive: true });
    writeFileSync(join(dir, "home", "other.toml"), `provider = "echo"`);
    const config = loadConfig({ env: { ...env, SYNAPSE_CONFIG: "~/other.toml" } });
    expect(config.provider).toBe("echo");
    expect(config.configPath).toBe(join(dir, "home", "other.toml"));
  });

  test("an explicit path wins over SYNAPSE_CONFIG", () => {
    const { env } = sandbox();
    const config = loadConfig({
      env: { ...env, SYNAPSE_CONFIG: fixturePath("full.toml") },
      path: fixturePath("unknown-keys.toml"),
      warn: () => {},
    });
    expect(config.provider).toBe("echo");
  });

  test("a file named by SYNAPSE_CONFIG must exist", () => {
    const { env, dir } = sandbox();
    const missing = join(dir, "nope.toml");
    const error = loadError(() => loadConfig({ env: { ...env, SYNAPSE_CONFIG: missing } }));
    expect(error.kind).toBe("read");
    expect(error.file).toBe(missing);
    expect(error.message).toContain(missing);
    expect(error.message).toContain("does not exist");
  });

  test("a directory is not a config file", () => {
    const { env, dir } = sandbox();
    const error = loadError(() => loadConfig({ env, path: dir }));
    expect(error.kind).toBe("read");
    expect(error.message).toContain(dir);
  });

  test("broken TOML names the file and the offending token", () => {
    const path = fixturePath("broken.toml");
    const error = loadError(() => loadConfig({ env: {}, path }));
    expect(error.kind).toBe("parse");
    expect(error.file).toBe(path);
    expect(error.message).toContain(path);
    expect(error.message).toContain('"gpt-4o"');
    expect(error.message).toContain("not valid TOML");
  });

  const invalid: [string, string, string, string][] = [
    ["wrong type", "wrong-type.toml", "session.max_sessions", 'must be a whole number ≥ 0 (0 means no limit), but it is the string "100"'],
    ["negative", "negative.toml", "session.retention_days", "must be a whole number of days from 0 to 36500 (0 means no limit), but it is -1"],
    ["fractional", "fractional.toml", "session.max_sessions", "but it is 2.5"],
    ["bad URL", "bad-url.toml", "openai.base_url", "must be an http:// or https:// URL"],
    ["table expected", "table-as-string.toml", "anthropic", "must be a table"],
    ["unknown render mode", "bad-render.toml", "render", 'must be one of "never", "auto" or "always", but it is the string "sometimes"'],
  ];
  test.each(invalid)("%s names the file, the key and what was expected", (_name, file, key, expected) => {
    const path = fixturePath(file);
    const error = loadError(() => loadConfig({ env: {}, path }));
    expect(error.kind).toBe("invalid");
    expect(error.key).toBe(key);
    expect(error.message).toContain(path);
    expect(error.message).toContain(`"${key}"`);
    expect(error.message).toContain(expected);
  });

  test("a misplaced API key is not repeated in the error", () => {
    const error = loadError(() => loadConfig({ env: {}, path: fixturePath("table-as-string.toml") }));
    expect(error.message).not.toContain("sk-ant-misplaced");
  });

  test("timeouts: defaults, then each provider's own table; 0 and fractions are accepted", () => {
    const { config, warnings } = load(`[openai]\nfirst_byte_timeout = 2.5\n\n[deepseek]\nidle_timeout = 0\n`);
    expect(warnings).toEqual([]);
    const timeouts = (name: "anthropic" | "openai" | "deepseek") => {
      const { firstByteTimeout, idleTimeout } = config.providers[name]!;
      return { firstByteTimeout, idleTimeout };
    };
    expect(timeouts("anthropic")).toEqual({ firstByteTimeout: 180, idleTimeout: 120 });
    expect(timeouts("openai")).toEqual({ firstByteTimeout: 2.5, idleTimeout: 120 });
    expect(timeouts("deepseek")).toEqual({ firstByteTimeout: 180, idleTimeout: 0 });
  });

  test.each([
    ["first_byte_timeout = -1", "anthropic.first_byte_timeout", "-1"],
    ["idle_timeout = 86401", "anthropic.idle_timeout", "86401"],
    ['idle_timeout = "60"', "anthropic.idle_timeout", 'the string "60"'],
  ])("a bad timeout (%s) names the key and the range", (line, key, shown) => {
    const error = loadError(() => load(`[anthropic]\n${line}\n`));
    expect(error.key).toBe(key);
    expect(error.message).toEndWith(`"${key}" must be a number of seconds from 0 to 86400 (0 means no limit), but it is ${shown}`);
  });

  test.each([
    ["max_size_mb = 0", "0"],
    ["max_size_mb = -1", "-1"],
    ["max_size_mb = 2048", "2048"],
    ['max_size_mb = "20"', 'the string "20"'],
  ])("[files] %s is refused: a size of no file is not \"no limit\"", (line, shown) => {
    const error = loadError(() => load(`[files]\n${line}\n`));
    expect(error.key).toBe("files.max_size_mb");
    expect(error.message).toEndWith(`"files.max_size_mb" must be a number of megabytes more than 0 and at most 1024 (fractions allowed), but it is ${shown}`);
  });

  test("images: DeepSeek takes none unless its table says so; a [providers.NAME] over a built-in keeps its default", () => {
    expect(load(`[providers.deepseek]\nmodel = "deepseek-chat"\n`).config.providers.deepseek?.images).toBe(false);
    expect(load(`[deepseek]\nimages = true\n`).config.providers.deepseek?.images).toBe(true);
    expect(load(`[anthropic]\nimages = false\n`).config.providers.anthropic?.images).toBe(false);
    expect(load(`[providers.local]\ntype = "openai"\nbase_url = "http://127.0.0.1:1/v1"\n`).config.providers.local?.images).toBe(true);
    expect(loadError(() => load(`[openai]\nimages = "no"\n`)).key).toBe("openai.images");
  });

  test("0 means no limit and is accepted", () => {
    const { config } = load(`[session]\nmax_sessions = 0\nretention_days = 0`);
    expect(config.session).toMatchObject({ maxSessions: 0, retentionDays: 0 });
  });

  test("unknown keys are warned about, by name, and ignored", () => {
    const path = fixturePath("unknown-keys.toml");
    const warnings: string[] = [];
    const config = loadConfig({ env: {}, path, warn: (m) => warnings.push(m) });
    expect(config.provider).toBe("echo");
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toContain('"temperature"');
    expect(warnings[1]).toContain('"anthropic.max_token"');
    expect(warnings[1]).toContain('did you mean "anthropic.max_tokens"');
    expect(warnings[2]).toContain('"openrouter"');
    for (const warning of warnings) expect(warning).toContain(path);
  });

  test("warnings go to log.warn by default", () => {
    const spy = spyOn(log, "warn").mockImplementation(Object.assign(() => {}, { raw: () => {} }));
    try {
      loadConfig({ env: {}, path: fixturePath("unknown-keys.toml") });
      expect(spy).toHaveBeenCalledTimes(3);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("file permissions", () => {
  function withMode(fixture: string, mode: number): { path: string; warnings: string[] } {
    const { dir } = sandbox();
    const path = join(dir, "config.toml");
    copyFileSync(fixturePath(fixture), path);
    chmodSync(path, mode);
    const warnings: string[] = [];
    loadConfig({ env: {}, path, warn: (m) => warnings.push(m) });
    return { path, warnings };
  }

  test.skipIf(process.platform === "win32")("a key in a file others can read gets a chmod 600 warning", () => {
    const { path, warnings } = withMode("with-key.toml", 0o644);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`chmod 600 ${path}`);
    expect(warnings[0]).not.toContain("sk-ant-file");
  });

  test.skipIf(process.platform === "win32")("group-readable counts too", () => {
    expect(withMode("with-key.toml", 0o640).warnings).toHaveLength(1);
  });

  test("a private file with a key is fine", () => {
    expect(withMode("with-key.toml", 0o600).warnings).toEqual([]);
  });

  test("a readable file without a key is fine", () => {
    expect(withMode("full.toml", 0o644).warnings).toEqual([]);
  });
});

describe("provider names", () => {
  const sources: [string, () => unknown, string][] = [
    ["file", () => loadConfig({ env: {}, path: fixturePath("unknown-provider.toml") }), "provider"],
    ["environment", () => loadConfig({ env: { HOME: "/nonexistent", SYNAPSE_PROVIDER: "nope" } }), "SYNAPSE_PROVIDER"],
    ["flag", () => loadConfig({ env: { HOME: "/nonexistent" }, flags: { provider: "nope" } }), "--provider"],
  ];
  test.each(sources)("an unknown provider from the %s lists the known ones", (_source, run, key) => {
    const error = loadError(run);
    expect(error.kind).toBe("unknown_provider");
    expect(error.key).toBe(key);
    expect(error.message).toContain('"nope"');
    expect(error.message).toContain(key);
    expect(error.message).toContain("anthropic, openai, deepseek, ollama, lmstudio, openrouter, groq, gemini, mistral, echo");
  });

  test("a bad base URL in the environment names the variable", () => {
    const error = loadError(() => loadConfig({ env: { HOME: "/nonexistent", OPENAI_BASE_URL: "localhost:1234" } }));
    expect(error.kind).toBe("invalid");
    expect(error.key).toBe("OPENAI_BASE_URL");
    expect(error.message).toContain("OPENAI_BASE_URL must be an http:// or https:// URL");
  });

  test("an empty --model flag is an error, not silently ignored", () => {
    const error = loadError(() => loadConfig({ env: { HOME: "/nonexistent" }, flags: { model: "" } }));
    expect(error.key).toBe("--model");
  });
});

afterEach(() => {
  // Each test built its own sandbox; nothing to undo in process.env, which the loader never reads.
  expect(process.env.SYNAPSE_PROVIDER).toBeUndefined();
});

describe("what the review found", () => {
  test("a TOML syntax error never quotes a key typed without quotes", () => {
    const error = loadError(() => load("[anthropic]\napi_key = sk-ant-api03-SECRET-0123456789\n"));
    expect(error.kind).toBe("parse");
    expect(error.message).not.toContain("SECRET");
    expect(error.message).not.toContain("sk-ant");
  });

  test("an array of tables where a table belongs is an error, not silently ignored", () => {
    const error = loadError(() => load("[[session]]\nmax_sessions = 1\n"));
    expect(error.message).toContain('"session" must be a table ([session]), but it is an array of tables ([[session]])');
  });

  test("retention_days is bounded, so its cutoff is always a real date", () => {
    const error = loadError(() => load("[session]\nretention_days = 99999999999\n"));
    expect(error.message).toContain("from 0 to 36500");
  });

  test("the sessions commands' loader reads [session] and SYNAPSE_DATABASE_URL only", () => {
    const box = sandbox('provider = "bogus"\n[session]\nmax_sessions = 7\n');
    const settings = loadSessionSettings({ env: { ...box.env, SYNAPSE_PROVIDER: "nope", SYNAPSE_DATABASE_URL: "sqlite::memory:" }, warn: () => {} });
    expect(settings).toEqual({ maxSessions: 7, retentionDays: 90, autoCleanup: true, databaseUrl: "sqlite::memory:" });
  });
});

describe("[mcp]: tool servers", () => {
  test("a server is a command (with args and env) or a url; enabled defaults to true", () => {
    const { config } = load(`[mcp.servers.everything]\ncommand = "npx"\nargs = ["-y", "@modelcontextprotocol/server-everything"]\n\n[mcp.servers.remote]\nurl = "http://127.0.0.1:9/mcp"\n`);
    expect(config.mcp.servers).toEqual({
      everything: { name: "everything", enabled: true, transport: "stdio", command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"], env: {} },
      remote: { name: "remote", enabled: true, transport: "http", url: "http://127.0.0.1:9/mcp" },
    });
    // The file's order is kept: it decides which server's tool keeps its own name.
    expect(Object.keys(config.mcp.servers)).toEqual(["everything", "remote"]);
  });

  test.each([
    ["both command and url", `command = "x"\nurl = "http://127.0.0.1:9/mcp"`, "[mcp.servers.files] in PATH has both command and url; keep command"],
    ["neither command nor url", `enabled = true`, "[mcp.servers.files] in PATH has neither command nor url; give command"],
    ["args with a url", `url = "http://127.0.0.1:9/mcp"\nargs = ["x"]`, "[mcp.servers.files] in PATH has a url, so args and env mean nothing there"],
  ])("%s is an error naming the table", (_, body, message) => {
    const box = sandbox(`[mcp.servers.files]\n${body}\n`);
    const error = loadError(() => loadConfig({ env: box.env, warn: () => {} }));
    expect(error.kind).toBe("invalid");
    expect(error.message).toContain(message.replace("PATH", box.path));
    expect(error.message).not.toMatch(/[.A-Z]$/);
  });

  test.each([
    ["a url that is no http(s) URL", `[mcp.servers.files]\nurl = "ftp://x"`, '"mcp.servers.files.url" must be an http:// or https:// URL'],
    ["args as one string", `[mcp.servers.files]\ncommand = "x"\nargs = "--root /tmp"`, '"mcp.servers.files.args" must be an array of strings'],
    ["an env value that is no string", `[mcp.servers.files]\ncommand = "x"\nenv = { DEBUG = 1 }`, '"mcp.servers.files.env.DEBUG" must be a string'],
    ["an empty command", `[mcp.servers.files]\ncommand = ""`, '"mcp.servers.files.command" must be a non-empty string'],
    ["a server name with a space", `[mcp.servers."my files"]\ncommand = "x"`, "must be a server name of letters, digits, - and _"],
    ["an allow entry without its server", `[mcp]\nallow = ["read_file"]`, '"mcp.allow.0" must be a list of "SERVER.tool" or "SERVER.*" strings'],
    ["max_steps = 0", `[mcp]\nmax_steps = 0`, '"mcp.max_steps" must be a whole number from 1 to 1000, but it is 0'],
    ["an array of servers", `[[mcp.servers]]\ncommand = "x"`, '"mcp.servers" must be a table of servers ([mcp.servers.NAME]), but it is an array of tables ([[mcp.servers]])'],
    ["a negative timeout", `[mcp]\ncall_timeout = -1`, '"mcp.call_timeout" must be a number of seconds from 0 to 86400'],
  ])("%s is refused", (_, toml, message) => {
    expect(loadError(() => load(toml)).message).toContain(message);
  });

  test("0 seconds means no limit; fractions are kept", () => {
    const { config } = load(`[mcp]\nstartup_timeout = 0\ncall_timeout = 0.5\n`);
    expect(config.mcp).toMatchObject({ startupTimeoutMs: undefined, callTimeoutMs: 500 });
  });

  test("an unknown key in a server's table is warned about, with the key it was probably meant to be", () => {
    const { warnings, config } = load(`[mcp]\nmax_step = 3\n\n[mcp.servers.files]\ncommand = "x"\nargv = ["y"]\n`);
    expect(warnings).toEqual([
      expect.stringContaining('unknown key "mcp.max_step" in'),
      expect.stringContaining('unknown key "mcp.servers.files.argv" in'),
    ]);
    expect(warnings[0]).toContain('did you mean "mcp.max_steps"?');
    expect(warnings[1]).toContain('did you mean "mcp.servers.files.args"?');
    expect(config.mcp.servers.files).toMatchObject({ command: "x", args: [] });
  });

  test("an allow entry naming no configured server is warned about", () => {
    const { warnings, config } = load(`[mcp]\nallow = ["files.read", "fils.*"]\n\n[mcp.servers.files]\ncommand = "x"\n`);
    expect(config.mcp.allow).toEqual(["files.read", "fils.*"]);
    expect(warnings).toEqual([expect.stringContaining('"fils.*" in mcp.allow in')]);
  });

  test.skipIf(process.platform === "win32")("a token in a server's env counts as a key for the file's permissions", () => {
    const box = sandbox(`[mcp.servers.gh]\ncommand = "x"\nenv = { GITHUB_TOKEN = "ghp_secret" }\n`);
    chmodSync(box.path, 0o644);
    const warnings: string[] = [];
    loadConfig({ env: box.env, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringContaining(`chmod 600 ${box.path}`)]);
  });
});
