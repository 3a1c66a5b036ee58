/**
 * From the resolved configuration to a provider: the glue between config/ and providers/, so
 * that neither imports the other. Which provider and model an exchange uses is decided here too.
 */
import { checkProvider, providerOfModel } from "../config/load.ts";
import { ConfigError } from "../config/errors.ts";
import { REMOTE_PROVIDERS, type ResolvedConfig } from "../config/schema.ts";
import {
  createAnthropicProvider,
  createEchoProvider,
  createOpenAICompatibleProvider,
  DEFAULT_RETRY,
  isProviderName,
  PROVIDER_NAMES,
  ProviderError,
  type EchoOptions,
  type Provider,
  type ProviderName,
  type RetryPolicy,
} from "../providers/index.ts";
import { keyEnvName, providerLabel } from "../provider-names.ts";
import type { Session } from "../session.ts";

export interface CreateProviderOptions {
  /** Override the retry policy (tests use tiny waits). */
  retry?: Partial<RetryPolicy>;
  echo?: EchoOptions;
}

/**
 * Builds provider `name` (often `config.provider`, or the provider a resumed session was
 * started with) from the resolved configuration.
 *
 * @throws {ConfigError} `unknown_provider` for a name Synapse does not know.
 * @throws {ProviderError} `auth` when the provider needs an API key and none is configured;
 *   the message names the environment variable and the config key to set. No request is made.
 * @example
 * const provider = createProvider(config.provider, config);
 * for await (const event of provider.stream({ messages, model: config.model, signal })) …
 */
export function createProvider(name: string, config: ResolvedConfig, options: CreateProviderOptions = {}): Provider {
  const provider = checkProvider(name);
  if (provider === "echo") return createEchoProvider(options.echo);
  const settings = config.providers[provider];
  if (settings.apiKey === undefined) {
    throw new ProviderError(
      "auth",
      provider,
      `no API key for ${providerLabel(provider)}; set ${keyEnvName(provider)}, or api_key under ` +
        `[${provider}] in ${config.configPath} (then chmod 600 it); ` +
        (config.keyed.length > 0
          ? `keys were found for ${config.keyed.map((name) => `${name} (-p ${name})`).join(", ")}`
          : `no key was found for ${REMOTE_PROVIDERS.map(keyEnvName).join(", ")}; to try Synapse without an account, use the offline provider: --provider echo`),
    );
  }
  const remote = {
    apiKey: settings.apiKey,
    baseUrl: settings.baseUrl,
    maxTokens: settings.maxTokens,
    maxTokensField: settings.maxTokensField,
    firstByteTimeout: settings.firstByteTimeout,
    idleTimeout: settings.idleTimeout,
    defaultModel: provider === config.provider ? config.model : settings.model,
    configPath: config.configPath,
    retry: { ...DEFAULT_RETRY, ...options.retry },
  };
  return provider === "anthropic"
    ? createAnthropicProvider({ ...remote, name: provider })
    : createOpenAICompatibleProvider({ ...remote, name: provider });
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
export function chooseProvider(config: ResolvedConfig, flags: ProviderFlags, session: Session | null): ProviderName {
  if (flags.provider !== undefined || session === null) return config.provider;
  // `-m gpt-4o-mini` on a session started with Claude: the model names its provider.
  const owner = flags.model === undefined ? undefined : providerOfModel(flags.model);
  if (owner !== undefined) return owner;
  if (isProviderName(session.provider)) return session.provider;
  // Stored text may be anything: quoted with escapes, and short, so it stays one line.
  const stored = JSON.stringify(session.provider.length > 40 ? `${session.provider.slice(0, 40)}…` : session.provider);
  throw new ConfigError(
    "unknown_provider",
    `session ${session.id} was started with provider ${stored}, which this version of Synapse does not know; ` +
      `to continue it with another provider, add -p NAME (one of ${PROVIDER_NAMES.join(", ")})`,
  );
}

/**
 * A continued session keeps its model unless a flag names one, or names another provider
 * (whose configured model then applies); a new session uses the configuration's choice.
 */
export function chooseModel(config: ResolvedConfig, flags: ProviderFlags, provider: Provider, session: Session | null): string {
  if (flags.model !== undefined) return flags.model;
  if (session === null) return provider.name === config.provider ? config.model : provider.defaultModel;
  return provider.name === session.provider ? session.model : provider.defaultModel;
}
