/**
 * The one configuration loader. Precedence, lowest first: defaults < config file <
 * environment < flags. Everything it reads comes in through its argument, so tests (and the
 * CLI) say exactly which environment and flags apply.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import { log } from "../log.ts";
import { configDir, expandHome } from "../paths.ts";
import { baseUrlEnvName, isProviderName, keyEnvName, PROVIDER_NAMES, type ProviderName } from "../provider-names.ts";
import { ConfigError } from "./errors.ts";
import {
  ConfigFileSchema,
  DEFAULTS,
  isHttpUrl,
  KNOWN_KEYS,
  REMOTE_PROVIDERS,
  type ConfigFile,
  type RemoteProviderName,
  type ResolvedConfig,
  type ResolvedProviderConfig,
  type SessionSettings,
} from "./schema.ts";
import { errnoCode, isRecord } from "../unknown-values.ts";
import { hasControls, plainName } from "../plain-text.ts";

type Env = Record<string, string | undefined>;

/** What the command line says; `undefined` means "not given". */
export interface ConfigFlags {
  provider?: string | undefined;
  model?: string | undefined;
  /** `""` turns off a system prompt set by the file. */
  systemPrompt?: string | undefined;
}

export interface LoadConfigOptions {
  /** The environment to read, usually `process.env`. */
  env: Env;
  flags?: ConfigFlags;
  /** A config file chosen by the caller (e.g. a `--config` flag); wins over `SYNAPSE_CONFIG`. */
  path?: string | undefined;
  /** Where warnings go (unknown keys, file permissions); `log.warn` by default. */
  warn?: (message: string) => void;
}

/** Which layer set a value; a higher layer wins. */
const Layer = { Default: 0, File: 1, Env: 2, Flag: 3 } as const;
type Layer = (typeof Layer)[keyof typeof Layer];

/**
 * Which file is read: `path`, else `$SYNAPSE_CONFIG`, else `<config dir>/config.toml`. The
 * second value says whether the user named the file, in which case it must exist.
 */
export function configFilePath(env: Env, path?: string): { path: string; explicit: boolean } {
  const chosen = nonEmpty(path) ?? nonEmpty(env.SYNAPSE_CONFIG);
  if (chosen !== undefined) return { path: expandHome(chosen, env), explicit: true };
  return { path: join(configDir(env), "config.toml"), explicit: false };
}

/**
 * Loads, validates and resolves the configuration.
 *
 * @throws {ConfigError} for an unreadable or invalid file, a bad environment value or flag, or
 *   an unknown provider name.
 * @example
 * const config = loadConfig({ env: process.env, flags: { model: args.model } });
 * config.provider; // "anthropic"
 * config.providers.anthropic.apiKey; // from ANTHROPIC_API_KEY or [anthropic] api_key
 */
export function loadConfig(options: LoadConfigOptions): ResolvedConfig {
  const { env } = options;
  const flags = options.flags ?? {};
  const warn = options.warn ?? ((message: string) => log.warn(message));
  const { path, explicit } = configFilePath(env, options.path);
  const file = readConfigFile(path, explicit, warn);
  const data: ConfigFile = file ?? {};

  // Provider: the highest layer that names one.
  // `providerAt[layer]` is the provider in effect once that layer is applied.
  const providerAt: ProviderName[] = [DEFAULTS.provider];
  const providerChoices: [string | undefined, Layer, string][] = [
    [data.provider, Layer.File, "provider"],
    [nonEmpty(env.SYNAPSE_PROVIDER), Layer.Env, "SYNAPSE_PROVIDER"],
    [flagValue(flags.provider, "--provider"), Layer.Flag, "--provider"],
  ];
  for (const [value, layer, key] of providerChoices) {
    const previous = providerAt[layer - 1] ?? DEFAULTS.provider;
    providerAt[layer] = value === undefined ? previous : checkProvider(value, key, layer === Layer.File ? path : undefined);
  }
  const provider = providerAt[Layer.Flag] ?? DEFAULTS.provider;

  const providers = {} as Record<RemoteProviderName, ResolvedProviderConfig>;
  for (const name of REMOTE_PROVIDERS) {
    const table = data[name] ?? {};
    const baseUrlVar = baseUrlEnvName(name);
    const baseUrl = nonEmpty(env[baseUrlVar]);
    if (baseUrl !== undefined && !isHttpUrl(baseUrl)) {
      throw new ConfigError("invalid", `${baseUrlVar} must be an http:// or https:// URL, but it is "${clip(baseUrl)}".`, {
        key: baseUrlVar,
      });
    }
    providers[name] = {
      apiKey: nonEmpty(env[keyEnvName(name)]) ?? table.api_key,
      baseUrl: trimSlashes(baseUrl ?? table.base_url ?? DEFAULTS.baseUrls[name]),
      model: table.model ?? DEFAULTS.models[name],
      maxTokens: table.max_tokens ?? DEFAULTS.maxTokens,
      firstByteTimeout: table.first_byte_timeout ?? DEFAULTS.firstByteTimeout,
      idleTimeout: table.idle_timeout ?? DEFAULTS.idleTimeout,
    };
  }

  // Model: the highest layer that names one, as long as it was named for the provider that
  // ends up running: `--provider openai` must not inherit `model = "claude-…"` from a file that
  // chose anthropic. Otherwise the provider's own model applies.
  let model: string | undefined;
  let modelLayer: Layer = Layer.Default;
  const modelChoices: [string | undefined, Layer][] = [
    [data.model, Layer.File],
    [envName(env, "SYNAPSE_MODEL"), Layer.Env],
    [flagValue(flags.model, "--model"), Layer.Flag],
  ];
  for (const [value, layer] of modelChoices) {
    if (value === undefined) continue;
    model = value;
    modelLayer = layer;
  }
  if (model === undefined || providerAt[modelLayer] !== provider) {
    model = provider === "echo" ? DEFAULTS.models.echo : providers[provider].model;
  }

  const systemPrompt = flags.systemPrompt !== undefined ? flags.systemPrompt : data.system_prompt;
  return {
    configPath: path,
    configFileLoaded: file !== undefined,
    provider,
    model,
    systemPrompt: systemPrompt === "" ? undefined : systemPrompt,
    providers,
    session: sessionSettings(data, env),
  };
}

/**
 * Only `[session]` (and `SYNAPSE_DATABASE_URL`), from the same file and environment: what the
 * `sessions` commands need, so a provider setting they never use cannot stop them.
 */
export function loadSessionSettings(options: Omit<LoadConfigOptions, "flags">): SessionSettings {
  const { path, explicit } = configFilePath(options.env, options.path);
  const file = readConfigFile(path, explicit, options.warn ?? ((message: string) => log.warn(message)));
  return sessionSettings(file ?? {}, options.env);
}

function sessionSettings(data: ConfigFile, env: Env): SessionSettings {
  const session = data.session ?? {};
  return {
    maxSessions: session.max_sessions ?? DEFAULTS.session.maxSessions,
    retentionDays: session.retention_days ?? DEFAULTS.session.retentionDays,
    autoCleanup: session.auto_cleanup ?? DEFAULTS.session.autoCleanup,
    databaseUrl: nonEmpty(env.SYNAPSE_DATABASE_URL) ?? session.database_url,
  };
}

/**
 * Throws a `ConfigError` listing the known providers unless `name` is one of them. `key` says
 * where the name came from (`SYNAPSE_PROVIDER`, `--provider`, or `provider` in `file`); without
 * it the name came from elsewhere, e.g. a stored session.
 */
export function checkProvider(name: string, key?: string, file?: string): ProviderName {
  if (isProviderName(name)) return name;
  const source = key === undefined ? "" : file === undefined ? ` (from ${key})` : ` (from "${key}" in ${file})`;
  throw new ConfigError(
    "unknown_provider",
    `Unknown provider "${clip(name)}"${source}. Known providers: ${PROVIDER_NAMES.join(", ")}.`,
    { ...(key === undefined ? {} : { key }), ...(file === undefined ? {} : { file }) },
  );
}

/** Reads and validates the file; `undefined` when it does not exist and was not named. */
function readConfigFile(path: string, explicit: boolean, warn: (message: string) => void): ConfigFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = errnoCode(error) ?? String(error);
    if (code === "ENOENT" && !explicit) return undefined;
    const why =
      code === "ENOENT"
        ? "it does not exist (it was named by SYNAPSE_CONFIG)"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES"
            ? "permission denied"
            : code;
    throw new ConfigError("read", `Cannot read config file ${path}: ${why}.`, { file: path, cause: error });
  }

  let raw: unknown;
  try {
    raw = Bun.TOML.parse(text);
  } catch (error) {
    // Bun's TOML errors carry no position in the file (their line/column are the caller's), so
    // the parser's own words, which usually quote the offending token, have to do.
    const raw = error instanceof Error ? error.message.replace(/^TOML Parse error:\s*/, "") : String(error);
    // The parser quotes the offending token, which may be an API key typed without quotes.
    const detail = raw.replace(/"([^"]*)"/g, (quoted, token: string) => (token.length <= 16 ? quoted : '"…"'));
    throw new ConfigError("parse", `Config file ${path} is not valid TOML: ${detail}`, {
      file: path,
      cause: error,
    });
  }

  if (isRecord(raw)) {
    for (const key of Object.keys(KNOWN_KEYS)) {
      if (key !== "" && Array.isArray(raw[key])) {
        throw new ConfigError("invalid", `Config file ${path}: "${key}" must be a table ([${key}]), but it is an array of tables ([[${key}]]).`, {
          file: path,
          key,
        });
      }
    }
  }

  for (const key of unknownKeys(raw)) {
    const suggestion = closestKnownKey(key);
    warn(`Unknown key "${key}" in ${path} is ignored${suggestion ? ` (did you mean "${suggestion}"?)` : ""}.`);
  }

  const result = v.safeParse(ConfigFileSchema, raw);
  if (!result.success) {
    const issue = result.issues[0];
    const key = issue.path?.map((item) => String(item.key)).join(".") ?? "";
    throw new ConfigError(
      "invalid",
      `Config file ${path}: "${key}" must be ${issue.message}, but it is ${describe(issue.input)}.`,
      { file: path, key },
    );
  }

  const holdsKey = REMOTE_PROVIDERS.some((name) => result.output[name]?.api_key !== undefined);
  if (holdsKey && process.platform !== "win32") {
    const mode = statSync(path).mode;
    if ((mode & 0o044) !== 0) {
      warn(
        `Config file ${path} holds an API key and is readable by other users ` +
          `(mode ${(mode & 0o777).toString(8)}). Fix it with: chmod 600 ${path}`,
      );
    }
  }
  return result.output;
}

/** Dotted paths of keys the schema does not know, in file order. */
function unknownKeys(raw: unknown): string[] {
  const found: string[] = [];
  if (!isRecord(raw)) return found;
  for (const [key, value] of Object.entries(raw)) {
    if (!KNOWN_KEYS[""]!.includes(key)) {
      found.push(key);
      continue;
    }
    const known = KNOWN_KEYS[key];
    if (known === undefined || !isRecord(value)) continue;
    for (const inner of Object.keys(value)) {
      if (!known.includes(inner)) found.push(`${key}.${inner}`);
    }
  }
  return found;
}

/** A known key within two edits of a typo, in the same table: `max_token` → `max_tokens`. */
function closestKnownKey(dotted: string): string | undefined {
  const dot = dotted.lastIndexOf(".");
  const table = dot === -1 ? "" : dotted.slice(0, dot);
  const key = dot === -1 ? dotted : dotted.slice(dot + 1);
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of KNOWN_KEYS[table] ?? []) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? undefined : table === "" ? best : `${table}.${best}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * A value for a message. Long strings are not quoted: a misplaced API key (`anthropic =
 * "sk-…"`) must not end up in an error message.
 */
function describe(value: unknown): string {
  if (typeof value === "string") return value.length <= 16 ? `the string "${value}"` : "a long string";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "an array";
  if (isRecord(value)) return value.constructor === Object ? "a table" : "a date";
  return String(value);
}

/** A name from the environment: like a flag's, it must fit on one line. */
function envName(env: Env, name: string): string | undefined {
  const value = nonEmpty(env[name]);
  if (value !== undefined && hasControls(value)) throw new ConfigError("invalid", `${name} must be ${plainName}.`, { key: name });
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** Flags are explicit: an empty `--model ""` is a mistake, not "unset". */
function flagValue(value: string | undefined, flag: string): string | undefined {
  if (value === "") throw new ConfigError("invalid", `${flag} needs a value.`, { key: flag });
  if (value !== undefined && hasControls(value)) throw new ConfigError("invalid", `${flag} must be ${plainName}.`, { key: flag });
  return value;
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
