/**
 * The one configuration loader. Precedence, lowest first: defaults < config file <
 * environment < flags. Everything it reads comes in through its argument, so tests (and the
 * CLI) say exactly which environment and flags apply.
 */
import { log } from "../log.ts";
import { baseUrlEnvName, isProviderName, keyEnvName, PROVIDER_NAMES, type ProviderName } from "../provider-names.ts";
import { configFilePath, readConfigFile } from "./config-file.ts";
import { envName, flagValue, nonEmpty, type Env } from "./env-and-flags.ts";
import { ConfigError } from "./errors.ts";
import {
  DEFAULTS,
  isHttpUrl,
  REMOTE_PROVIDERS,
  type ConfigFile,
  type DisplaySettings,
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

  // Provider: the highest layer that names one; with none, the first built-in whose key is set
  // (in REMOTE_PROVIDERS' order), so a user with only OPENAI_API_KEY is not sent to Anthropic.
  // `providerAt[layer]` is the provider in effect once that layer is applied.
  const keyed = REMOTE_PROVIDERS.filter((name) => nonEmpty(env[keyEnvName(name)]) !== undefined || data[name]?.api_key !== undefined);
  const providerAt: ProviderName[] = [keyed[0] ?? DEFAULTS.provider];
  const providerChoices: [string | undefined, Layer, string][] = [
    [data.provider, Layer.File, "provider"],
    [nonEmpty(env.SYNAPSE_PROVIDER), Layer.Env, "SYNAPSE_PROVIDER"],
    [flagValue(flags.provider, "--provider"), Layer.Flag, "--provider"],
  ];
  for (const [value, layer, key] of providerChoices) {
    const previous = providerAt[layer - 1] ?? DEFAULTS.provider;
    providerAt[layer] = value === undefined ? previous : checkProvider(value, key, layer === Layer.File ? path : undefined);
  }
  // `-m gpt-4o-mini` without `-p`: the provider the model plainly belongs to.
  const flagModel = flagValue(flags.model, "--model");
  const owner = flags.provider === undefined && flagModel !== undefined ? providerOfModel(flagModel) : undefined;
  if (owner !== undefined) providerAt[Layer.Flag] = owner;
  const provider = providerAt[Layer.Flag] ?? DEFAULTS.provider;

  const providers = {} as Record<RemoteProviderName, ResolvedProviderConfig>;
  for (const name of REMOTE_PROVIDERS) {
    const table = data[name] ?? {};
    const baseUrlVar = baseUrlEnvName(name);
    const baseUrl = nonEmpty(env[baseUrlVar]);
    if (baseUrl !== undefined && !isHttpUrl(baseUrl)) {
      throw new ConfigError("invalid", `${baseUrlVar} must be an http:// or https:// URL, but it is "${clip(baseUrl)}"`, {
        key: baseUrlVar,
      });
    }
    const resolvedUrl = trimSlashes(baseUrl ?? table.base_url ?? DEFAULTS.baseUrls[name]);
    providers[name] = {
      apiKey: nonEmpty(env[keyEnvName(name)]) ?? table.api_key,
      baseUrl: resolvedUrl,
      maxTokensField: table.max_tokens_field ?? (new URL(resolvedUrl).hostname === "api.openai.com" ? "max_completion_tokens" : "max_tokens"),
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
    display: displaySettings(data),
    keyed,
  };
}

/**
 * The built-in provider a model name plainly belongs to (`claude-…` Anthropic, `gpt-…`, `o1`,
 * `o3`, `o4…`, `chatgpt-…` OpenAI, `deepseek-…` DeepSeek), or undefined for any other name.
 */
export function providerOfModel(model: string): RemoteProviderName | undefined {
  const name = model.trim().toLowerCase();
  if (name.startsWith("claude-")) return "anthropic";
  if (/^(gpt-|chatgpt-|o[134](-|$))/.test(name)) return "openai";
  if (name.startsWith("deepseek-")) return "deepseek";
  return undefined;
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
 * Throws a `ConfigError` listing the known providers unless `name` is one of them. `key` says
 * where the name came from (`SYNAPSE_PROVIDER`, `--provider`, or `provider` in `file`); without
 * it the name came from elsewhere, e.g. a stored session.
 */
export function checkProvider(name: string, key?: string, file?: string): ProviderName {
  if (isProviderName(name)) return name;
  const source = key === undefined ? "" : file === undefined ? ` (from ${key})` : ` (from "${key}" in ${file})`;
  throw new ConfigError(
    "unknown_provider",
    `unknown provider "${clip(name)}"${source}; known providers: ${PROVIDER_NAMES.join(", ")}`,
    { ...(key === undefined ? {} : { key }), ...(file === undefined ? {} : { file }) },
  );
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}

function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
