/**
 * The config file `synapse config edit` starts from when there is none: every key the file may
 * hold, commented out, with its default. It is made from KNOWN_KEYS, DEFAULTS and the providers
 * as the loader resolves them for an empty file, so it says what Synapse does and cannot drift
 * from it: a key added to KNOWN_KEYS without a line here fails the tests.
 */
import { resolveProviders } from "./providers.ts";
import { DEFAULTS, KNOWN_KEYS, MCP_SERVER_TABLE_KEYS, PROVIDER_TABLE_KEYS, REMOTE_PROVIDERS, type ResolvedProviderConfig } from "./schema.ts";

type Value = string | number | boolean | readonly string[] | Readonly<Record<string, string>>;

/**
 * One commented line: `# key = value`. A line `example` shows a value to give where there is no
 * single default, and its note (`default: …`) says what happens without it.
 */
interface Line {
  value: Value;
  note?: string;
  example?: true;
}

/** The notes end at this column, so the values read as one column too. */
const noteColumn = 40;

/** The first comment of the file: what it is and how to use it. */
const preamble = `# Synapse's configuration (TOML). Every setting is optional: each one below is commented out
# and shows its default, or, where a note says "default:", an example value. To change one,
# remove the "# " before it (and before its [table] line). Environment variables and flags
# override this file. \`synapse config check\` shows what is in effect; the README's
# "Configuration" section explains every key.`;

/** The top-level keys that are plain values; the rest of KNOWN_KEYS[""] are tables. */
function topLevelLines(): Record<string, Line> {
  return {
    render: { value: DEFAULTS.display.render, note: "never | auto (on a terminal) | always" },
    quiet: { value: DEFAULTS.display.quiet, note: "true: no notes on stderr" },
    provider: { value: DEFAULTS.provider, example: true, note: `default: the first of ${REMOTE_PROVIDERS.join(", ")} with a key set` },
    model: { value: DEFAULTS.models[DEFAULTS.provider], example: true, note: "default: the provider's own model (its table's model)" },
    system_prompt: { value: "Be concise.", example: true, note: "default: none" },
  };
}

/** A built-in provider's table, from its settings as resolved with no file and no environment. */
function providerLines(provider: ResolvedProviderConfig): Record<string, Line> {
  return {
    api_key: { value: "sk-…", example: true, note: `default: none; ${provider.keyEnv} wins over it` },
    base_url: { value: provider.baseUrl },
    model: { value: provider.model ?? "", ...(provider.model === undefined ? { example: true, note: "default: none" } : {}) },
    max_tokens: { value: provider.maxTokens },
    // Anthropic's API has one field; OpenAI-compatible servers differ, and the default follows base_url.
    max_tokens_field:
      provider.type === "anthropic"
        ? { value: provider.maxTokensField, note: "unused: Anthropic's API has only max_tokens" }
        : { value: provider.maxTokensField, example: true, note: "default: max_completion_tokens for api.openai.com, else max_tokens" },
    first_byte_timeout: { value: provider.firstByteTimeout, note: "seconds for the reply to begin; 0 = no limit" },
    idle_timeout: { value: provider.idleTimeout, note: "seconds of silence once it has; 0 = no limit" },
    images: { value: provider.images, note: provider.images ? "false: refuse images sent with -f" : "its API takes text only" },
  };
}

function sessionLines(): Record<string, Line> {
  return {
    max_sessions: { value: DEFAULTS.session.maxSessions, note: "keep at most this many; 0 = no limit" },
    retention_days: { value: DEFAULTS.session.retentionDays, note: "drop sessions unused this long; 0 = keep" },
    auto_cleanup: { value: DEFAULTS.session.autoCleanup, note: "apply the two limits on every chat" },
    database_url: { value: "sqlite:~/notes/sessions.db", example: true, note: "default: sessions.db in the config folder; or postgres://…" },
  };
}

/** `[mcp]`'s own keys; its servers are the examples below. */
function mcpLines(): Record<string, Line> {
  return {
    allow: { value: ["files.read_text_file", "files.list_directory"], example: true, note: 'default: none; "SERVER.*" allows all of one' },
    max_steps: { value: DEFAULTS.mcp.maxSteps, note: "tool steps in one exchange, at most" },
    startup_timeout: { value: DEFAULTS.mcp.startupTimeout, note: "seconds for a server to start; 0 = no limit" },
    call_timeout: { value: DEFAULTS.mcp.callTimeout, note: "seconds for one tool call; 0 = no limit" },
  };
}

/** Every key an `[mcp.servers.NAME]` table takes, over two examples: a command, and a URL. */
const mcpServerLines: Record<(typeof MCP_SERVER_TABLE_KEYS)[number], Line> = {
  command: { value: "npx", note: "a server Synapse starts (stdio)" },
  args: { value: ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/notes"] },
  env: { value: { LOG_LEVEL: "info" }, note: "added to PATH, HOME…; nothing else is passed on" },
  url: { value: "http://127.0.0.1:8931/mcp", note: "or one already running (streamable HTTP)" },
  enabled: { value: true, note: "false: configured, never started" },
};

/** The keys only a `type = "llama.cpp"` provider takes: shown in an example of their own. */
const localModelKeys: readonly string[] = ["model_path", "context_size", "threads", "gpu"];

/** Every key a `[providers.NAME]` table takes: typed by PROVIDER_TABLE_KEYS, so none is left out. */
const namedProviderLines: Record<(typeof PROVIDER_TABLE_KEYS)[number], Line> = {
  type: { value: "openai", note: "the wire format: openai | anthropic" },
  base_url: { value: "http://127.0.0.1:8080/v1" },
  api_key: { value: "…", note: "or api_key_env; with neither, no key is sent" },
  api_key_env: { value: "LOCAL_API_KEY", note: "the variable that holds the key" },
  model: { value: "qwen2.5-7b-instruct" },
  max_tokens: { value: DEFAULTS.maxTokens },
  max_tokens_field: { value: "max_tokens" },
  headers: { value: { "x-team": "platform" } },
  first_byte_timeout: { value: DEFAULTS.firstByteTimeout },
  idle_timeout: { value: DEFAULTS.idleTimeout },
  images: { value: true, note: "false: the server takes text only" },
  model_path: { value: "~/models/gemma-3-1b-it-q4_k_m.gguf", note: "the GGUF file (~/ is your home)" },
  context_size: { value: 4096, note: "tokens of context, prompt and reply together" },
  threads: { value: 4, note: "CPU threads; the runtime chooses by default" },
  gpu: { value: "auto", note: "or false: CPU only" },
};

function fileLines(): Record<string, Line> {
  return {
    max_size_mb: { value: DEFAULTS.files.maxSizeMb, note: "the most a file sent with -f may be" },
  };
}

/** A value as TOML writes it: JSON's strings are TOML basic strings, and an inline table for headers. */
function toml(value: Value): string {
  if (typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => JSON.stringify(item)).join(", ")}]`;
  return `{ ${Object.entries(value).map(([key, item]) => `${/^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key)} = ${JSON.stringify(item)}`).join(", ")} }`;
}

function render(key: string, line: Line): string {
  const text = `# ${key} = ${toml(line.value)}`;
  return line.note === undefined ? text : `${text.padEnd(noteColumn - 1)} # ${line.note}`;
}

/** `keys` in their KNOWN_KEYS order, each from `lines`; a key without a line is a bug this says at once. */
function section(table: string, keys: readonly string[], lines: Record<string, Line>): string[] {
  return keys.map((key) => {
    const line = lines[key];
    if (line === undefined) throw new Error(`the config template has no line for "${table === "" ? key : `${table}.${key}`}"`);
    return render(key, line);
  });
}

/**
 * The text of a new config file: every key, commented out, with its default or an example.
 *
 * @example
 * writeFileSync(path, configTemplate(), { flag: "wx", mode: 0o600 });
 */
export function configTemplate(): string {
  const providers = resolveProviders({}, {}, "");
  const topKeys = KNOWN_KEYS[""] ?? [];
  const out = [preamble, "", ...section("", topKeys.filter((key) => KNOWN_KEYS[key] === undefined && key !== "providers" && key !== "aliases"), topLevelLines())];
  for (const key of topKeys) {
    if (key === "providers") {
      out.push(
        "",
        "# Providers of your own, or a preset or built-in changed (`synapse models` lists them all):",
        "# [providers.local]",
        ...section("providers.local", PROVIDER_TABLE_KEYS.filter((inner) => !localModelKeys.includes(inner)), namedProviderLines),
        "# A GGUF model file Synapse runs itself (type = \"llama.cpp\"; see the README's Local models):",
        "# [providers.gemma]",
        ...section("providers.gemma", ["type", ...localModelKeys, "max_tokens"], { ...namedProviderLines, type: { value: "llama.cpp" } }),
      );
    } else if (key === "aliases") {
      out.push("", "# A name for a provider and a model together: synapse -m fast \"…\"", "# [aliases]", render("fast", { value: "groq:llama-3.1-8b-instant" }));
    } else if (key === "mcp") {
      out.push(
        "",
        "# Tools for the model from MCP servers (`synapse tools` lists them): each [mcp.servers.NAME]",
        "# has a command (and args, env) or a url.",
        `# [${key}]`,
        ...section(key, (KNOWN_KEYS[key] ?? []).filter((inner) => inner !== "servers"), mcpLines()),
        "# [mcp.servers.files]",
        ...section("mcp.servers.files", MCP_SERVER_TABLE_KEYS.filter((inner) => inner !== "url"), mcpServerLines),
        "# [mcp.servers.browser]",
        ...section("mcp.servers.browser", ["url"], mcpServerLines),
      );
    } else if (KNOWN_KEYS[key] !== undefined) {
      const provider = providers[key];
      const lines = key === "session" ? sessionLines() : key === "files" ? fileLines() : provider === undefined ? {} : providerLines(provider);
      out.push("", `# [${key}]`, ...section(key, KNOWN_KEYS[key], lines));
    }
  }
  return `${out.join("\n")}\n`;
}
