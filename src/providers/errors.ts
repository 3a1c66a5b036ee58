
/**
 * What went wrong, coarse enough to pick an exit code or a retry policy:
 * - `auth`: no API key, or the key was refused (401/403);
 * - `not_found`: unknown model or wrong base URL (404);
 * - `bad_request`: the provider refused the request itself (400/413/422);
 * - `context_length`: the conversation is longer than the model's context window (the
 *   provider said so, or sent an empty reply, which is how some servers overflow);
 * - `rate_limit`: too many requests (429), retried a bounded number of times;
 * - `quota`: out of credit (OpenAI `insufficient_quota`, DeepSeek 402), never retried;
 * - `overloaded`: provider busy (529, 503, Anthropic `overloaded_error`), retried;
 * - `server`: another 5xx, retried;
 * - `network`: no HTTP answer at all (connection refused, DNS, reset);
 * - `timeout`: the server stayed silent longer than `first_byte_timeout` or `idle_timeout`;
 *   not retried, since a retry would make the user wait as long again;
 * - `stream_ended_early`: the stream stopped before its end marker, or ended without saying
 *   why the reply stopped (no finish or stop reason), so it may be cut off;
 * - `stream_error`: the stream carried an error event or something unreadable;
 * - `cancelled`: the caller aborted;
 * - `model_file`: a local model cannot be loaded (its file missing, unreadable, a folder, no GGUF,
 *   damaged, of an architecture the runtime lacks, too big for memory, or the runtime itself
 *   missing); never retried, since only changing the file or the config helps.
 */
export type ProviderErrorKind =
  | "auth"
  | "not_found"
  | "bad_request"
  | "context_length"
  | "rate_limit"
  | "quota"
  | "overloaded"
  | "server"
  | "network"
  | "timeout"
  | "stream_ended_early"
  | "stream_error"
  | "cancelled"
  | "model_file";

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set(["rate_limit", "overloaded", "server"]);

export interface ProviderErrorOptions {
  status?: number;
  /** How long the provider asked us to wait (`retry-after`), in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

/**
 * Every failure of a provider. The message says what happened and what to do; it never holds
 * an API key. `partialText` is the text already delivered when the reply broke off (also on
 * `cancelled`), so a caller can keep what arrived.
 */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly kind: ProviderErrorKind;
  /** The provider's name (`anthropic`, `groq`, a configured one). */
  readonly provider: string;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** Text yielded before the failure; `""` when none. Set by the stream wrapper. */
  partialText = "";

  constructor(kind: ProviderErrorKind, provider: string, message: string, options: ProviderErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.provider = provider;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** Whether trying again may help (and the retry loop will, before the first token). */
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

/** Replaces every occurrence of each secret with `***`, so a key echoed by a server never leaks. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    // Short strings would blank out ordinary words; real keys are long.
    if (secret && secret.length >= 8) out = out.split(secret).join("***");
  }
  return out;
}

/** What every provider throws when its caller aborts the reply. */
export function cancelledError(name: string, label: string): ProviderError {
  return new ProviderError("cancelled", name, `${label} reply cancelled`);
}
