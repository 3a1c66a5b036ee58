/**
 * From the resolved configuration to a provider: the glue between config/ and providers/, so
 * that neither imports the other. Which provider and model an exchange uses is decided here too.
 */
import { checkProvider } from "../config/load.ts";
import { flagModelChoice, isCredentialHeader } from "../config/providers.ts";
import { ConfigError } from "../config/errors.ts";
import { REMOTE_PROVIDERS, type ResolvedConfig } from "../config/schema.ts";
import { createLlamaCppProvider } from "../providers/llama-cpp.ts";
import {
  createAnthropicProvider,
  createEchoProvider,
  createOpenAICompatibleProvider,
  DEFAULT_RETRY,
  ProviderError,
  type EchoOptions,
  type Provider,
  type RemoteSettings,
  type RetryPolicy,
} from "../providers/index.ts";
import type { Session } from "../session.ts";

export interface CreateProviderOptions {
  /** Override the retry policy (tests use tiny waits). */
  retry?: Partial<RetryPolicy>;
  echo?: EchoOptions;
}

/**
 * Builds provider `name` (often `config.provider`, or the provider a resumed session was
 * started with) from the resolved configuration: a built-in, a preset or a `[providers.NAME]`.
 *
 * @throws {ConfigError} `unknown_provider` for a name the configuration does not know.
 * @throws {ProviderError} `auth` when the provider needs an API key and none is configured;
 *   the message names the environment variable and the config key to set. No request is made.
 * @example
 * const provider = createProvider(config.provider, config);
 * for await (const event of provider.stream({ messages, model: config.model, signal })) …
 */
export function createProvider(name: string, config: ResolvedConfig, options: CreateProviderOptions = {}): Provider {
  const provider = checkProvider(name, config.providers);
  if (provider === "echo") return createEchoProvider(options.echo);
  const settings = config.providers[provider]!;
  if (settings.local !== undefined) {
    return createLlamaCppProvider({
      name: provider,
      table: settings.table,
      configPath: config.configPath,
      ...settings.local,
      maxTokens: settings.maxTokens,
    });
  }
  const inFile = `api_key under ${settings.table} in ${config.configPath}`;
  if (settings.needsKey && settings.apiKey === undefined) {
    throw new ProviderError(
      "auth",
      provider,
      `no API key for ${settings.label}; set ${settings.keyEnv === undefined ? "" : `${settings.keyEnv}, or `}${inFile} (then chmod 600 it); ` +
        (config.keyed.length > 0
          ? `keys were found for ${config.keyed.map((keyed) => `${keyed} (-p ${keyed})`).join(", ")}`
          : `no key was found for ${REMOTE_PROVIDERS.map((builtIn) => config.providers[builtIn]?.keyEnv).join(", ")}; to try Synapse without an account, use the offline provider: --provider echo`),
    );
  }
  const remote: RemoteSettings = {
    name: provider,
    label: settings.label,
    table: settings.table,
    keyHint: settings.keyEnv === undefined ? inFile : `${settings.keyEnv} or ${inFile}`,
    baseUrlHint: settings.baseUrlEnv === undefined ? `base_url under ${settings.table}` : `${settings.baseUrlEnv} / base_url`,
    headers: settings.headers,
    secrets: [settings.apiKey ?? "", ...Object.entries(settings.headers).flatMap(([header, value]) => (isCredentialHeader(header) ? [value] : []))].filter((secret) => secret !== ""),
    apiKey: settings.apiKey,
    baseUrl: settings.baseUrl,
    maxTokens: settings.maxTokens,
    maxTokensField: settings.maxTokensField,
    firstByteTimeout: settings.firstByteTimeout,
    idleTimeout: settings.idleTimeout,
    defaultModel: provider === config.provider ? config.model : (settings.model ?? ""),
    configPath: config.configPath,
    images: settings.images,
    retry: { ...DEFAULT_RETRY, ...options.retry },
  };
  return settings.type === "anthropic" ? createAnthropicProvider(remote) : createOpenAICompatibleProvider(remote);
}

/** What the command line chose; for a continued session only these override its own settings. */
export interface ProviderFlags {
  provider?: string | undefined;
  model?: string | undefined;
}

/**
 * A flag's provider, else the continued session's own, else the configuration's. The
 * configuration was loaded with the same flags, so its provider is the flag's, checked. A
 * session stored with a provider this version does not know (written by a newer Synapse, or
 * imported) can still be continued with another one: the error says how.
 */
export function chooseProvider(config: ResolvedConfig, flags: ProviderFlags, session: Session | null): string {
  if (flags.provider !== undefined) return checkProvider(flags.provider, config.providers, "--provider");
  // `-m fast`, `-m groq:…`, or `-m gpt-4o-mini` on a session started elsewhere: the model names its provider.
  const choice = flags.model === undefined ? undefined : flagModelChoice(flags.model, config.aliases, config.providers);
  if (choice !== undefined) return choice.provider;
  if (session === null) return config.provider;
  if (session.provider === "echo" || Object.hasOwn(config.providers, session.provider)) return session.provider;
  // Stored text may be anything: quoted with escapes, and short, so it stays one line.
  const stored = JSON.stringify(session.provider.length > 40 ? `${session.provider.slice(0, 40)}…` : session.provider);
  throw new ConfigError(
    "unknown_provider",
    `session ${session.id} was started with provider ${stored}, which is not configured here; ` +
      `to continue it with another provider, add -p NAME (one of ${[...Object.keys(config.providers), "echo"].join(", ")}), or add [providers.${session.provider.replace(/[^a-z0-9_-]/g, "")}] to ${config.configPath}`,
  );
}

/**
 * A continued session keeps its model unless a flag names one, or names another provider
 * (whose configured model then applies); a new session uses the configuration's choice.
 */
export function chooseModel(config: ResolvedConfig, flags: ProviderFlags, provider: Provider, session: Session | null): string {
  const model = modelFor(config, flags, provider, session);
  if (model === "") {
    const table = config.providers[provider.name]?.table ?? `[providers.${provider.name}]`;
    throw new ConfigError("invalid", `${provider.name} has no model to use; give one with -m NAME, or model under ${table} in ${config.configPath}`, { key: "--model" });
  }
  return model;
}

function modelFor(config: ResolvedConfig, flags: ProviderFlags, provider: Provider, session: Session | null): string {
  // An alias or `PROVIDER:MODEL` gives its model.
  if (flags.model !== undefined) return flagModelChoice(flags.model, config.aliases, config.providers)?.model ?? flags.model;
  if (session === null) return provider.name === config.provider ? config.model : provider.defaultModel;
  return provider.name === session.provider ? session.model : provider.defaultModel;
}
