/**
 * The one configuration loader. Precedence, lowest first: defaults < config file <
 * environment < flags. Everything it reads comes in through its argument, so tests (and the
 * CLI) say exactly which environment and flags apply.
 */
import { log } from "../log.ts";
import { expandHome } from "../paths.ts";
import { flagModelChoice, readModelChoice, resolveProviders, type ModelChoice } from "./providers.ts";
import { configFilePath, readConfigFile } from "./config-file.ts";
import { envName, flagValue, nonEmpty, type Env } from "./env-and-flags.ts";
import { ConfigError } from "./errors.ts";
import {
  DEFAULTS,
  isHttpUrl,
  REMOTE_PROVIDERS,
  type ConfigFile,
  type DisplaySettings,
  type McpServerConfig,
  type McpSettings,
  type RemoteProviderName,
  type ResolvedConfig,
  type ResolvedProviderConfig,
  type SessionSettings,
} from "./schema.ts";

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

  const providers = resolveProviders(data, env, path);
  const aliases = resolveAliases(data, providers, path);
  // With no provider named anywhere, the first built-in whose key is set (in REMOTE_PROVIDERS'
  // order), so a user with only OPENAI_API_KEY is not sent to Anthropic.
  const keyed = REMOTE_PROVIDERS.filter((name) => providers[name]?.apiKey !== undefined);
  // Each layer may name a provider, a model, or both (`-m fast`, `-m groq:llama-3.1-8b-instant`).
  // `providerAt[layer]` is the provider in effect once that layer is applied. The model of the
  // highest layer that names one is kept as long as it was named for the provider that ends up
  // running: `--provider openai` must not inherit `model = "claude-…"` from a file that chose anthropic.
  const providerAt: string[] = [keyed[0] ?? DEFAULTS.provider];
  let model: string | undefined;
  let modelLayer: Layer = Layer.Default;
  const layers: [Layer, string | undefined, string, string | undefined][] = [
    [Layer.File, data.provider, "provider", data.model],
    [Layer.Env, nonEmpty(env.SYNAPSE_PROVIDER), "SYNAPSE_PROVIDER", envName(env, "SYNAPSE_MODEL")],
    [Layer.Flag, flagValue(flags.provider, "--provider"), "--provider", flagValue(flags.model, "--model")],
  ];
  for (const [layer, providerName, key, modelName] of layers) {
    let named = providerName === undefined ? undefined : checkProvider(providerName, providers, key, layer === Layer.File ? path : undefined);
    let layerModel = modelName;
    if (layerModel !== undefined && named === undefined) {
      // Only a flag's model names the provider it plainly belongs to (`-m gpt-4o-mini`).
      const choice = layer === Layer.Flag ? flagModelChoice(layerModel, aliases, providers) : readModelChoice(layerModel, aliases, providers);
      if (choice !== undefined) {
        named = choice.provider;
        layerModel = choice.model;
      }
    }
    providerAt[layer] = named ?? providerAt[layer - 1] ?? DEFAULTS.provider;
    if (layerModel !== undefined) {
      model = layerModel;
      modelLayer = layer;
    }
  }
  const provider = providerAt[Layer.Flag] ?? DEFAULTS.provider;
  if (providerAt[modelLayer] !== provider) model = undefined;
  model ??= provider === "echo" ? DEFAULTS.models.echo : (providers[provider]?.model ?? "");

  const systemPrompt = flags.systemPrompt !== undefined ? flags.systemPrompt : data.system_prompt;
  return {
    configPath: path,
    configFileLoaded: file !== undefined,
    provider,
    model,
    systemPrompt: systemPrompt === "" ? undefined : systemPrompt,
    providers,
    aliases,
    session: sessionSettings(data, env),
    display: displaySettings(data),
    files: { maxSizeMb: data.files?.max_size_mb ?? DEFAULTS.files.maxSizeMb },
    mcp: mcpSettings(data, env, path, warn),
    keyed,
  };
}

/**
 * `[mcp]` and its `[mcp.servers.NAME]` tables: each server either a `command` (stdio) or a `url`
 * (streamable HTTP), never both; an `allow` entry that names no server is warned about.
 */
function mcpSettings(data: ConfigFile, env: Env, path: string, warn: (message: string) => void): McpSettings {
  const mcp = data.mcp ?? {};
  const servers: Record<string, McpServerConfig> = {};
  for (const [name, table] of Object.entries(mcp.servers ?? {})) {
    const where = `[mcp.servers.${name}] in ${path}`;
    const enabled = table.enabled ?? true;
    if (table.command !== undefined && table.url !== undefined) {
      throw new ConfigError("invalid", `${where} has both command and url; keep command (a server Synapse starts) or url (one already running)`, { key: `mcp.servers.${name}`, file: path });
    }
    if (table.url !== undefined) {
      if (table.args !== undefined || table.env !== undefined) {
        throw new ConfigError("invalid", `${where} has a url, so args and env mean nothing there; remove them, or give a command instead of the url`, { key: `mcp.servers.${name}`, file: path });
      }
      servers[name] = { name, enabled, transport: "http", url: table.url };
    } else if (table.command !== undefined) {
      servers[name] = { name, enabled, transport: "stdio", command: expandHome(table.command, env), args: table.args ?? [], env: table.env ?? {} };
    } else {
      throw new ConfigError("invalid", `${where} has neither command nor url; give command (and args) for a server Synapse starts, or url for one already running`, { key: `mcp.servers.${name}`, file: path });
    }
  }
  const allow = mcp.allow ?? [];
  for (const entry of allow) {
    const server = entry.slice(0, entry.indexOf("."));
    if (!Object.hasOwn(servers, server)) warn(`"${clip(entry)}" in mcp.allow in ${path} names no server in [mcp.servers]; it allows nothing`);
  }
  const ms = (seconds: number) => (seconds === 0 ? undefined : seconds * 1000);
  return {
    servers,
    allow,
    maxSteps: mcp.max_steps ?? DEFAULTS.mcp.maxSteps,
    startupTimeoutMs: ms(mcp.startup_timeout ?? DEFAULTS.mcp.startupTimeout),
    callTimeoutMs: ms(mcp.call_timeout ?? DEFAULTS.mcp.callTimeout),
  };
}

/**
 * Only `[session]` (and `SYNAPSE_DATABASE_URL`), from the same file and environment: what the
 * `sessions` commands need, so a provider setting they never use cannot stop them.
 */
export function loadSessionSettings(options: Omit<LoadConfigOptions, "flags">): SessionSettings {
  return loadStoreSettings(options).session;
}

/** {@link loadSessionSettings} with the top-level display settings: what the `sessions` commands read. */
export function loadStoreSettings(options: Omit<LoadConfigOptions, "flags">): { session: SessionSettings; display: DisplaySettings } {
  const { path, explicit } = configFilePath(options.env, options.path);
  const file = readConfigFile(path, explicit, options.warn ?? ((message: string) => log.warn(message)));
  return { session: sessionSettings(file ?? {}, options.env), display: displaySettings(file ?? {}) };
}

function displaySettings(data: ConfigFile): DisplaySettings {
  return { render: data.render ?? DEFAULTS.display.render, quiet: data.quiet ?? DEFAULTS.display.quiet };
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
 * `name` when it names a provider (`echo`, or one of `providers`); else a `ConfigError` listing
 * them. `key` says where the name came from (`SYNAPSE_PROVIDER`, `--provider`, or `provider` in
 * `file`); without it the name came from elsewhere, e.g. a stored session.
 */
export function checkProvider(name: string, providers: Readonly<Record<string, unknown>>, key?: string, file?: string): string {
  if (name === "echo" || Object.hasOwn(providers, name)) return name;
  const source = key === undefined ? "" : file === undefined ? ` (from ${key})` : ` (from "${key}" in ${file})`;
  throw new ConfigError("unknown_provider", `unknown provider "${clip(name)}"${source}; known providers: ${[...Object.keys(providers), "echo"].join(", ")}`, {
    ...(key === undefined ? {} : { key }),
    ...(file === undefined ? {} : { file }),
  });
}

/** `[aliases]`: each a `PROVIDER:MODEL` whose provider exists. */
function resolveAliases(data: ConfigFile, providers: Readonly<Record<string, ResolvedProviderConfig>>, path: string): Record<string, ModelChoice> {
  const aliases: Record<string, ModelChoice> = {};
  for (const [alias, target] of Object.entries(data.aliases ?? {})) {
    const choice = readModelChoice(target, {}, providers);
    if (choice === undefined) {
      throw new ConfigError(
        "invalid",
        `alias "${clip(alias)}" in ${path} must be PROVIDER:MODEL with a known provider (${[...Object.keys(providers), "echo"].join(", ")}), but it is "${clip(target)}"`,
        { key: `aliases.${alias}`, file: path },
      );
    }
    aliases[alias] = choice;
  }
  return aliases;
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
