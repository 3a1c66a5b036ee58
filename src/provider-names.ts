/**
 * The providers Synapse knows, by name: the one list that configuration checks names against
 * and providers are built for, the label each goes by in messages, and the environment
 * variables that configure it. A root module, so config and providers share it without
 * importing each other.
 */

/** The providers Synapse knows, in the order they are listed to users. */
export const PROVIDER_NAMES = ["anthropic", "openai", "deepseek", "echo"] as const;

export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Whether `name` is one of {@link PROVIDER_NAMES}. */
export function isProviderName(name: string): name is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(name);
}

const LABEL: Record<ProviderName, string> = {
  anthropic: "Anthropic",
  openai: "OpenAI",
  deepseek: "DeepSeek",
  echo: "Echo",
};

/** `Anthropic`, `OpenAI`, …: how a provider is named in messages. */
export function providerLabel(name: ProviderName): string {
  return LABEL[name];
}

/** The environment variable holding a provider's key, e.g. `ANTHROPIC_API_KEY`. */
export function keyEnvName(name: ProviderName): string {
  return `${name.toUpperCase()}_API_KEY`;
}

/** The environment variable overriding a provider's base URL, e.g. `OPENAI_BASE_URL`. */
export function baseUrlEnvName(name: ProviderName): string {
  return `${name.toUpperCase()}_BASE_URL`;
}
