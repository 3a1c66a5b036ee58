/**
 * The shape of `config.toml`, its defaults, and the resolved configuration the rest of
 * Synapse reads. Each schema message says what a key expects; the loader prefixes file and key.
 */
import * as v from "valibot";
import { hasControls, plainName } from "../plain-text.ts";
import { DEFAULT_MAX_FILE_MB } from "../attachment-file.ts";
import type { ProviderName } from "../provider-names.ts";

/** The wire formats Synapse speaks: Anthropic's Messages API, and OpenAI's Chat Completions (which most servers copy). */
export const WIRE_TYPES = ["openai", "anthropic"] as const;
export type WireType = (typeof WIRE_TYPES)[number];

/** What a `[providers.NAME]` may be: a server speaking a wire format, or a GGUF model file run in-process. */
export const PROVIDER_TYPES = [...WIRE_TYPES, "llama.cpp"] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

/** A local model's context when `context_size` does not say: room for a conversation, and modest memory. */
export const DEFAULT_CONTEXT_SIZE = 4096;

/** The built-in providers that talk to a server and so have a `[table]` of settings. */
export const REMOTE_PROVIDERS = ["anthropic", "openai", "deepseek"] as const;
export type RemoteProviderName = (typeof REMOTE_PROVIDERS)[number];

/** When replies are rendered as Markdown: never, on a terminal (`auto`), or always. */
export const RENDER_MODES = ["never", "auto", "always"] as const;
export type RenderMode = (typeof RENDER_MODES)[number];

/** How output looks, whatever the command: top-level `render` and `quiet`. */
export interface DisplaySettings {
  render: RenderMode;
  /** No notes on stderr (the new-session line, hints); warnings and errors still print. */
  quiet: boolean;
}

/** Everything that holds when neither file, environment nor flag says otherwise. */
export const DEFAULTS = {
  /** What peers default to; without ANTHROPIC_API_KEY the first request says how to set it. */
  provider: "anthropic" as ProviderName,
  models: {
    anthropic: "claude-sonnet-4-5",
    openai: "gpt-4o-mini",
    deepseek: "deepseek-chat",
    echo: "echo",
  } satisfies Record<ProviderName, string>,
  baseUrls: {
    anthropic: "https://api.anthropic.com",
    openai: "https://api.openai.com/v1",
    deepseek: "https://api.deepseek.com",
  } satisfies Record<RemoteProviderName, string>,
  maxTokens: 4096,
  /**
   * Seconds to wait for a reply's first bytes. Generous: a reasoning model may think for a
   * minute or two before its first token, and a local server may read a long prompt as long.
   */
  firstByteTimeout: 180,
  /**
   * Seconds of silence tolerated once a reply has begun. Anthropic sends pings and DeepSeek
   * keep-alives while they think, which count as activity; a server that says nothing at all for
   * this long is taken to have stalled.
   */
  idleTimeout: 120,
  session: {
    maxSessions: 100,
    retentionDays: 90,
    autoCleanup: true,
  } satisfies Omit<SessionSettings, "databaseUrl">,
  display: { render: "auto", quiet: false } satisfies DisplaySettings,
  /** `[files]`: how big a file sent with `-f` may be. */
  files: { maxSizeMb: DEFAULT_MAX_FILE_MB } satisfies FileSettings,
  mcp: {
    /** Tool steps in one exchange: a model that keeps calling tools is stopped after this many. */
    maxSteps: 10,
    /** Seconds for an MCP server to start and list its tools (`npx` may download it first). */
    startupTimeout: 15,
    /** Seconds one tool call may take. */
    callTimeout: 60,
  },
} as const;

/** Whether a built-in provider's wire format takes images: DeepSeek's chat API takes text only. */
export function defaultImages(name: string): boolean {
  return name !== "deepseek";
}

/** Whether `value` parses as an absolute http(s) URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

const nonEmptyString = v.pipe(v.string("a string"), v.minLength(1, "a non-empty string"));
/** A model or provider name: sent to servers, stored with each session, shown on one line. */
const nameString = v.pipe(nonEmptyString, v.check((t) => !hasControls(t), plainName));
const httpUrl = v.pipe(v.string("a string"), v.check(isHttpUrl, "an http:// or https:// URL"));
const days = v.pipe(
  v.number("a whole number of days from 0 to 36500 (0 means no limit)"),
  v.integer("a whole number of days from 0 to 36500 (0 means no limit)"),
  v.minValue(0, "a whole number of days from 0 to 36500 (0 means no limit)"),
  v.maxValue(36500, "a whole number of days from 0 to 36500 (0 means no limit)"),
);
const count = v.pipe(
  v.number("a whole number ≥ 0 (0 means no limit)"),
  v.integer("a whole number ≥ 0 (0 means no limit)"),
  v.minValue(0, "a whole number ≥ 0 (0 means no limit)"),
);

/** `setTimeout` cannot wait longer than about 24 days; a day is more than any reply needs. */
const MAX_TIMEOUT_SECONDS = 86_400;
const seconds = v.pipe(
  v.number("a number of seconds from 0 to 86400 (0 means no limit)"),
  v.minValue(0, "a number of seconds from 0 to 86400 (0 means no limit)"),
  v.maxValue(MAX_TIMEOUT_SECONDS, "a number of seconds from 0 to 86400 (0 means no limit)"),
);

const providerTable = v.object(
  {
    api_key: v.optional(nonEmptyString),
    base_url: v.optional(httpUrl),
    model: v.optional(nameString),
    max_tokens: v.optional(
      v.pipe(
        v.number("a whole number ≥ 1"),
        v.integer("a whole number ≥ 1"),
        v.minValue(1, "a whole number ≥ 1"),
      ),
    ),
    max_tokens_field: v.optional(v.picklist(["max_tokens", "max_completion_tokens"], 'one of "max_tokens" or "max_completion_tokens"')),
    first_byte_timeout: v.optional(seconds),
    idle_timeout: v.optional(seconds),
    images: v.optional(v.boolean("true or false")),
  },
  "a table (for example [anthropic] with api_key, base_url, model, max_tokens)",
);

/** The environment variable a `[providers.NAME]` table reads its key from. */
const envVariable = v.pipe(v.string("a string"), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name, such as GROQ_API_KEY"));
/** A header's value: one line, sent as it is. */
const headerValue = v.pipe(v.string("a string"), v.check((t) => !/[\r\n\0]/.test(t), "one line of text"));

/** An MCP server's name: what `[mcp.servers.NAME]`, `allow = ["NAME.tool"]` and offered tool names (`NAME_tool`) use. */
export const MCP_SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const mcpServerName = v.pipe(v.string(), v.regex(MCP_SERVER_NAME, "a server name of letters, digits, - and _ (at most 32)"));
/** `"NAME.tool"` or `"NAME.*"`: the server's name, a dot, then the tool's own name as the server lists it. */
const mcpAllowEntry = v.pipe(
  v.string("a string"),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}\.[^\s]+$/, 'a list of "SERVER.tool" or "SERVER.*" strings'),
);

/** `[mcp.servers.NAME]`: a server started as a command (stdio), or one reached at a URL (streamable HTTP). */
const mcpServerTable = v.object(
  {
    command: v.optional(v.pipe(nonEmptyString, v.check((t) => !hasControls(t), "one line of text"))),
    args: v.optional(v.array(v.string("a string"), "an array of strings")),
    env: v.optional(v.record(v.string(), v.string("a string"), "a table of environment variables and their string values")),
    url: v.optional(httpUrl),
    enabled: v.optional(v.boolean("true or false")),
  },
  "a table (for example [mcp.servers.files] with command and args, or url)",
);

/** `[mcp]`: which tools run without asking, and the limits of a tool loop. */
const mcpTable = v.object(
  {
    allow: v.optional(v.array(mcpAllowEntry, 'a list of "SERVER.tool" or "SERVER.*" strings')),
    max_steps: v.optional(
      v.pipe(v.number("a whole number from 1 to 1000"), v.integer("a whole number from 1 to 1000"), v.minValue(1, "a whole number from 1 to 1000"), v.maxValue(1000, "a whole number from 1 to 1000")),
    ),
    startup_timeout: v.optional(seconds),
    call_timeout: v.optional(seconds),
    servers: v.optional(v.record(mcpServerName, mcpServerTable, "a table of servers ([mcp.servers.NAME])")),
  },
  "a table ([mcp] with allow, max_steps, startup_timeout, call_timeout, and [mcp.servers.NAME] tables)",
);

/** `[providers.NAME]`: a provider of the user's own, or one that overrides a built-in or preset. */
const namedProviderTable = v.object(
  {
    type: v.optional(v.picklist(PROVIDER_TYPES, 'one of "openai" or "anthropic" (the wire format the server speaks), or "llama.cpp" (a GGUF model file run by Synapse itself)')),
    model_path: v.optional(nonEmptyString),
    context_size: v.optional(v.pipe(v.number("a whole number of tokens from 256"), v.integer("a whole number of tokens from 256"), v.minValue(256, "a whole number of tokens from 256"))),
    threads: v.optional(v.pipe(v.number("a whole number ≥ 1"), v.integer("a whole number ≥ 1"), v.minValue(1, "a whole number ≥ 1"))),
    gpu: v.optional(v.union([v.literal("auto"), v.literal(false)], '"auto" or false')),
    base_url: v.optional(httpUrl),
    api_key: v.optional(nonEmptyString),
    api_key_env: v.optional(envVariable),
    model: v.optional(nameString),
    max_tokens: v.optional(v.pipe(v.number("a whole number ≥ 1"), v.integer("a whole number ≥ 1"), v.minValue(1, "a whole number ≥ 1"))),
    max_tokens_field: v.optional(v.picklist(["max_tokens", "max_completion_tokens"], 'one of "max_tokens" or "max_completion_tokens"')),
    headers: v.optional(v.record(v.string(), headerValue, "a table of header names and values")),
    first_byte_timeout: v.optional(seconds),
    idle_timeout: v.optional(seconds),
    images: v.optional(v.boolean("true or false")),
  },
  "a table (for example [providers.local] with type, base_url, model)",
);

/**
 * A file is sent inside one JSON request (an image as base64, a third bigger): beyond a gigabyte
 * no provider takes it, and the request would hold it all in memory.
 */
const MAX_FILE_MB = 1024;
const MAX_SIZE_MB_EXPECTED = `a number of megabytes more than 0 and at most ${MAX_FILE_MB} (fractions allowed)`;

/** A provider's name as `-p` takes it: lower case letters, digits, `-` and `_`. */
const providerNameKey = v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9_-]*$/, "a provider name of lower-case letters, digits, - and _"));

/** `config.toml`. Unknown keys are not errors: the loader warns about them and drops them. */
export const ConfigFileSchema = v.object({
  render: v.optional(v.picklist(RENDER_MODES, 'one of "never", "auto" or "always"')),
  quiet: v.optional(v.boolean("true or false")),
  provider: v.optional(nameString),
  model: v.optional(nameString),
  system_prompt: v.optional(v.string("a string")),
  anthropic: v.optional(providerTable),
  openai: v.optional(providerTable),
  deepseek: v.optional(providerTable),
  providers: v.optional(v.record(providerNameKey, namedProviderTable, "a table of providers ([providers.NAME])")),
  aliases: v.optional(v.record(v.string(), nameString, 'a table of aliases (fast = "groq:llama-3.1-8b-instant")')),
  session: v.optional(
    v.object(
      {
        max_sessions: v.optional(count),
        retention_days: v.optional(days),
        auto_cleanup: v.optional(v.boolean("true or false")),
        database_url: v.optional(nonEmptyString),
      },
      "a table ([session] with max_sessions, retention_days, auto_cleanup, database_url)",
    ),
  ),
  files: v.optional(
    v.object(
      {
        max_size_mb: v.optional(
          v.pipe(
            v.number(MAX_SIZE_MB_EXPECTED),
            v.check((mb) => mb > 0, MAX_SIZE_MB_EXPECTED),
            v.maxValue(MAX_FILE_MB, MAX_SIZE_MB_EXPECTED),
          ),
        ),
      },
      "a table ([files] with max_size_mb)",
    ),
  ),
  mcp: v.optional(mcpTable),
});

export type ConfigFile = v.InferOutput<typeof ConfigFileSchema>;

/** The keys the file may hold, as dotted paths: what "unknown key" is measured against. */
export const KNOWN_KEYS: Record<string, readonly string[]> = {
  "": ["render", "quiet", "provider", "model", "system_prompt", ...REMOTE_PROVIDERS, "providers", "aliases", "session", "files", "mcp"],
  ...Object.fromEntries(REMOTE_PROVIDERS.map((name) => [name, ["api_key", "base_url", "model", "max_tokens", "max_tokens_field", "first_byte_timeout", "idle_timeout", "images"]])),
  session: ["max_sessions", "retention_days", "auto_cleanup", "database_url"],
  files: ["max_size_mb"],
  mcp: ["allow", "max_steps", "startup_timeout", "call_timeout", "servers"],
};

/** The keys of an `[mcp.servers.NAME]` table: what "unknown key" is measured against there. */
export const MCP_SERVER_TABLE_KEYS = ["command", "args", "env", "url", "enabled"] as const;

/** The keys of a `[providers.NAME]` table: what "unknown key" is measured against there. */
export const PROVIDER_TABLE_KEYS = ["type", "base_url", "api_key", "api_key_env", "model", "max_tokens", "max_tokens_field", "headers", "first_byte_timeout", "idle_timeout", "images", "model_path", "context_size", "threads", "gpu"] as const;

/** `[providers.NAME] type = "llama.cpp"`: the model file and how it is run. */
export interface LocalModelConfig {
  /** The GGUF file: `~/` is the home folder, a relative path the config file's folder. */
  modelPath: string;
  contextSize: number;
  /** `undefined`: the runtime chooses. */
  threads: number | undefined;
  gpu: "auto" | false;
}

/** One provider's settings after every layer was applied: a built-in, a preset, or the file's own. */
export interface ResolvedProviderConfig {
  /** As `-p` takes it and sessions store it. */
  name: string;
  /** The wire format it speaks, or `llama.cpp` for a model file Synapse runs itself. */
  type: ProviderType;
  /** A `llama.cpp` provider's file and settings; undefined for every other. */
  local: LocalModelConfig | undefined;
  /** How messages name it: `Anthropic`, `Groq`, or its name. */
  label: string;
  origin: "built-in" | "preset" | "configured";
  /** `undefined` when no layer set one. */
  apiKey: string | undefined;
  /** The environment variable the key is read from, if any. */
  keyEnv: string | undefined;
  /** Whether it fails without a key (a local server needs none). */
  needsKey: boolean;
  /** Where its settings go in the file: `[anthropic]`, `[providers.groq]`. */
  table: string;
  /** Without a trailing slash. */
  baseUrl: string;
  /** The variable that overrides the address (built-ins: `OPENAI_BASE_URL`). */
  baseUrlEnv: string | undefined;
  /** The model used when this provider runs and nothing chose another; `undefined` where none can be assumed (LM Studio). */
  model: string | undefined;
  maxTokens: number;
  /**
   * Where an OpenAI-compatible request carries the limit: `max_completion_tokens` for OpenAI's
   * own API, `max_tokens` for every other server (DeepSeek, Ollama, llama.cpp…), which ignore the
   * other field; `max_tokens_field` in the table overrides it.
   */
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /** Extra request headers. */
  headers: Record<string, string>;
  /** Seconds to wait from sending the request to the reply's first bytes; `0` = no limit. */
  firstByteTimeout: number;
  /** Seconds of silence tolerated once the reply has begun; `0` = no limit. */
  idleTimeout: number;
  /**
   * Whether its wire format takes images (`images` in its table): sent as image parts when it
   * does, refused before anything is stored when it does not. Built-in DeepSeek: false; every
   * other provider: true.
   */
  images: boolean;
}

/** `[files]`: what a file sent with a question may be. */
export interface FileSettings {
  /** The most a file may weigh, in MB of 1,048,576 bytes (fractions allowed). */
  maxSizeMb: number;
}

/** `[session]` after defaults and `SYNAPSE_DATABASE_URL`: the store's limits, and where it is. */
export interface SessionSettings {
  /** Keep at most this many sessions, the most recently updated; 0 means no limit. */
  maxSessions: number;
  /** Delete sessions not updated for this many days; 0 means keep them forever. */
  retentionDays: number;
  /** Run the cleanup on every start of the CLI. */
  autoCleanup: boolean;
  /** Where the database lives, as written by the user; `undefined` = the default location. */
  databaseUrl: string | undefined;
}

/** One `[mcp.servers.NAME]` table, resolved: how to start or reach the server. */
export type McpServerConfig = McpStdioServerConfig | McpHttpServerConfig;

interface McpServerCommon {
  /** Its name in the file: `[mcp.servers.NAME]`. */
  name: string;
  /** `enabled = false` keeps it configured but never started. */
  enabled: boolean;
}

/** A server Synapse starts as a child process and talks to over its stdin and stdout. */
export interface McpStdioServerConfig extends McpServerCommon {
  transport: "stdio";
  /** `~/` expanded; otherwise looked up on PATH. */
  command: string;
  args: string[];
  /** Added to the few variables every server gets (PATH, HOME, …); Synapse's own environment is not passed on. */
  env: Record<string, string>;
}

/** A server already running, reached at a URL (MCP's streamable HTTP transport). */
export interface McpHttpServerConfig extends McpServerCommon {
  transport: "http";
  url: string;
}

/** `[mcp]` resolved: the servers in the file's order, and the limits of a tool loop. */
export interface McpSettings {
  servers: Record<string, McpServerConfig>;
  /** `"SERVER.tool"` or `"SERVER.*"`: tools that may run without asking where no one can be asked. */
  allow: string[];
  /** Tool steps in one exchange. */
  maxSteps: number;
  /** For a server to start and list its tools; `undefined` = no limit. */
  startupTimeoutMs: number | undefined;
  /** For one tool call; `undefined` = no limit. */
  callTimeoutMs: number | undefined;
}

/** The one configuration object the rest of Synapse reads: validated, every default applied. */
export interface ResolvedConfig {
  /** The config file consulted (whether or not it exists); messages name it. */
  configPath: string;
  /** Whether that file existed and was read. */
  configFileLoaded: boolean;
  /** `echo`, or one of `providers`. */
  provider: string;
  /** The model for `provider`; `""` when it has none and nothing chose one (LM Studio). */
  model: string;
  /** `undefined` = no system prompt. */
  systemPrompt: string | undefined;
  /** Every provider but echo, by name: built-ins, presets, the file's `[providers.NAME]`. */
  providers: Record<string, ResolvedProviderConfig>;
  /** `[aliases]`: a name for a provider and a model together. */
  aliases: Record<string, { provider: string; model: string }>;
  session: SessionSettings;
  display: DisplaySettings;
  files: FileSettings;
  /** `[mcp]`: the tool servers, and what runs without asking. */
  mcp: McpSettings;
  /** The built-in providers with a key (environment or file), in REMOTE_PROVIDERS' order: named by the no-key error. */
  keyed: RemoteProviderName[];
}
