/** What a remote provider (Anthropic, OpenAI, DeepSeek) is built with: where and how to talk, and how hard to retry. */

/** How hard to try again after a retryable failure. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** A wait longer than this (say, `retry-after: 3600`) is not waited for: the error is thrown. */
  maxWaitMs: number;
  /** First backoff when the provider gives no `retry-after`; doubles each retry. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 2, maxWaitMs: 30_000, baseDelayMs: 500 };

/**
 * Where an OpenAI-compatible request puts the reply's token limit. OpenAI's own API reads
 * `max_completion_tokens` (its reasoning models refuse `max_tokens`); DeepSeek, Ollama, LM
 * Studio, llama.cpp and most other servers read only `max_tokens` and ignore the other, so a
 * limit sent there would not limit anything.
 */
export type MaxTokensField = "max_tokens" | "max_completion_tokens";

/** What a remote provider needs to talk and to explain failures. */
export interface RemoteSettings {
  /** The provider's name, as the user chooses it (`-p groq`) and sessions store it. */
  name: string;
  /** How messages name it: `Anthropic`, `Groq`, or the configured name. */
  label: string;
  /** Where its settings are written in the config file: `[anthropic]`, `[providers.groq]`. */
  table: string;
  /** Where its key comes from, for messages: `GROQ_API_KEY or api_key under [providers.groq] in …`. */
  keyHint: string;
  /** Where its address comes from, for messages: `OPENAI_BASE_URL / base_url`. */
  baseUrlHint: string;
  /** Extra request headers (the config's `headers`). */
  headers: Readonly<Record<string, string>>;
  /** The key and the values of credential headers: taken out of any message, should a server echo one. */
  secrets: readonly string[];
  /** Sent as the wire format's credential; none for a server that needs none (a local one). */
  apiKey: string | undefined;
  /** Without a trailing slash. */
  baseUrl: string;
  maxTokens: number;
  /** OpenAI-compatible providers only: the field the limit is sent in. */
  maxTokensField: MaxTokensField;
  defaultModel: string;
  /** Seconds to wait for the reply's first bytes; `0` = no limit. */
  firstByteTimeout: number;
  /** Seconds of silence tolerated once the reply has begun; `0` = no limit. */
  idleTimeout: number;
  /** Whether its wire format takes images (`images` in its table); true when not said. */
  images?: boolean;
  /** The config file consulted, named in messages about keys and models. */
  configPath: string;
  retry: RetryPolicy;
}
