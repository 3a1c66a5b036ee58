/**
 * From the resolved configuration to a provider: the glue between config/ and providers/, so
 * that neither imports the other.
 */
import { checkProvider } from "../config/load.ts";
import type { ResolvedConfig } from "../config/schema.ts";
import {
  createAnthropicProvider,
  createEchoProvider,
  createOpenAICompatibleProvider,
  DEFAULT_RETRY,
  keyEnvName,
  ProviderError,
  providerLabel,
  type EchoOptions,
  type Provider,
  type RetryPolicy,
} from "../providers/index.ts";

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
      `No API key for ${providerLabel(provider)}. Set ${keyEnvName(provider)}, or api_key under ` +
        `[${provider}] in ${config.configPath} (then chmod 600 it). ` +
        `To try Synapse without an account, use the offline provider: --provider echo.`,
    );
  }
  const remote = {
    apiKey: settings.apiKey,
    baseUrl: settings.baseUrl,
    maxTokens: settings.maxTokens,
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
