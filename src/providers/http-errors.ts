/**
 * A provider's HTTP error answers turned into `ProviderError`s a user can act on: what the status
 * means, what the body said (clipped), and what to do. A conversation too long for the model is
 * its own verdict, whether an error status or a stream's error event says so.
 */
import { clip, isContextOverflow, type ErrorBody } from "./error-body.ts";
import { ProviderError, redact, type ProviderErrorKind, type ProviderErrorOptions } from "./errors.ts";
import type { RemoteSettings } from "./remote-settings.ts";

/** `retry-after-ms` (what the official SDKs also read), else `retry-after` in seconds or as a date. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers.get("retry-after");
  if (after === null || after.trim() === "") return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** An HTTP error answer, as read off the response. */
export interface HttpFailure {
  status: number;
  body: ErrorBody;
  retryAfterMs: number | undefined;
  model: string;
  url: string;
}

/** How an HTTP error answer is reported: its kind, the message, and its parts for other wordings. */
interface HttpVerdict {
  kind: ProviderErrorKind;
  message: string;
  /** What the status means, in a few words: `a server error`, `rate limit reached`. */
  meaning: string;
  /** The clause that says what to do; `""` when there is none. */
  advice: string;
}

/** Maps an HTTP error answer to a kind and a message that says what to do. */
export function httpError(settings: RemoteSettings, failure: HttpFailure): ProviderError {
  const { name } = settings;
  const { status, body, model } = failure;
  if (status < 500 && status !== 401 && status !== 403 && status !== 404 && isContextOverflow(body)) {
    return contextTooLong(settings, model, whatWasSaid(status, body), status);
  }
  const { kind, message } = httpVerdict(settings, failure);
  return new ProviderError(kind, name, redact(message, settings.secrets), retryOptions(status, failure.retryAfterMs));
}

/**
 * An HTTP error answer whose body never finished arriving (a proxy's page that stalls): the
 * status line alone says what happened, with the advice that goes with it.
 */
export function unfinishedErrorBody(
  settings: RemoteSettings,
  failure: Omit<HttpFailure, "body"> & { statusText: string; html: boolean },
): ProviderError {
  const { status } = failure;
  const none: ErrorBody = { type: undefined, code: undefined, message: undefined };
  const { kind, meaning, advice } = httpVerdict(settings, { ...failure, body: none });
  const statusText = failure.statusText.trim() || reasonPhrase(status);
  const message =
    `${settings.label} answered ${status}${statusText === "" ? "" : ` ${clip(statusText, 60)}`} (${meaning}); ` +
    `its error ${failure.html ? "page" : "message"} never finished${advice === "" ? "" : `; ${advice}`}`;
  return new ProviderError(kind, settings.name, redact(message, settings.secrets), retryOptions(status, failure.retryAfterMs));
}

function retryOptions(status: number, retryAfterMs: number | undefined): ProviderErrorOptions {
  return retryAfterMs === undefined ? { status } : { status, retryAfterMs };
}

/** The status and the body's details, clipped: `502 Bad Gateway`, `429: rate_limit_error: slow down`. */
function whatWasSaid(status: number, body: ErrorBody): string {
  const details = [body.type ?? body.code, body.message].filter((part) => part !== undefined).join(": ");
  // A proxy page's title often is the status already ("502 Bad Gateway"): say it once.
  return details.startsWith(String(status)) ? clip(details) : `${status}${details ? `: ${clip(details)}` : ""}`;
}

function httpVerdict(settings: RemoteSettings, failure: HttpFailure): HttpVerdict {
  const { name, configPath } = settings;
  const { status, body, model } = failure;
  const label = settings.label;
  const said = whatWasSaid(status, body);
  const keyHint = settings.keyHint;
  const errorType = body.type ?? "";
  const errorCode = body.code ?? "";

  if (status === 401) {
    const advice = `check ${keyHint}`;
    return { kind: "auth", meaning: "the API key was rejected", advice, message: `${label} rejected the API key (${said}); ${advice}` };
  }
  if (status === 403) {
    const advice = `check that the key in ${keyHint} may use model "${model}"`;
    return { kind: "auth", meaning: "access refused", advice, message: `${label} refused access for this API key (${said}); ${advice}` };
  }
  if (status === 404) {
    const advice = `check the model name (--model, SYNAPSE_MODEL, or model in ${configPath}) and ${settings.baseUrlHint}`;
    return {
      kind: "not_found",
      meaning: `unknown model "${model}", or ${failure.url} is not its API`,
      advice,
      message: `${label} does not know model "${model}", or ${failure.url} is not its API (${said}); ${advice}`,
    };
  }
  if (status === 402 || errorCode === "insufficient_quota" || errorType === "insufficient_quota") {
    const advice = "check billing for this API key, then try again";
    return { kind: "quota", meaning: "no credit left", advice, message: `${label} says the account has no credit left (${said}); ${advice}` };
  }
  if (status === 429) {
    const wait = failure.retryAfterMs === undefined ? "" : `it asks to retry after ${Math.ceil(failure.retryAfterMs / 1000)} s; `;
    const advice = `${wait}wait a little and try again`;
    return { kind: "rate_limit", meaning: "rate limit reached", advice, message: `${label} rate limit reached (${said}); ${advice}` };
  }
  if (status === 529 || status === 503 || errorType === "overloaded_error") {
    const advice = "try again in a moment";
    return { kind: "overloaded", meaning: "overloaded", advice, message: `${label} is overloaded (${said}); ${advice}` };
  }
  if (status >= 500) {
    const advice = "try again in a moment";
    return { kind: "server", meaning: "a server error", advice, message: `${label} had a server error (${said}); ${advice}` };
  }
  return { kind: "bad_request", meaning: "the request was rejected", advice: "", message: `${label} rejected the request (${said})` };
}

/** What to do when a conversation no longer fits the model: retrying cannot help. */
export const TOO_LONG_ADVICE =
  "continue it with a model that has a larger context window (-m MODEL), or start a new session";

/**
 * The provider said the conversation is longer than the model's context window (`said` is its
 * own words, clipped), before the reply or in the middle of its stream.
 */
export function contextTooLong(settings: RemoteSettings, model: string, said: string, status?: number): ProviderError {
  const { name } = settings;
  return new ProviderError(
    "context_length",
    name,
    redact(`${settings.label} says the conversation is too long for model "${model}" (${said}); ${TOO_LONG_ADVICE}`, settings.secrets),
    status === undefined ? {} : { status },
  );
}

/**
 * The standard reason phrase of a status (`Bad Gateway`), for a server that sent none. Loaded
 * only on this error path: node:http costs about 8 ms of start-up, more than the chat's own work.
 */
function reasonPhrase(status: number): string {
  return (require("node:http") as typeof import("node:http")).STATUS_CODES[status] ?? "";
}
