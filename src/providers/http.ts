/**
 * The HTTP side every remote provider shares: POST a JSON body with global `fetch` (so tests
 * point base URLs at local servers), turn HTTP failures into `ProviderError`s a user can act
 * on, read the answer as server-sent events, and retry what is worth retrying — only before the
 * first token, so a retry never repeats text the user has already seen.
 */
import { log } from "../log.ts";
import { STATUS_CODES } from "node:http";
import { ProviderError, redact, type ProviderErrorKind, type ProviderErrorOptions } from "./errors.ts";
import { isContextOverflow, isHtml, pageTitle, parseErrorBody, type ErrorBody } from "./error-body.ts";
import { readSse, type SseEvent } from "./sse.ts";
import { StallTimer, type StallPhase } from "./stall-timer.ts";
import { baseUrlEnvName, keyEnvName, providerLabel, type ProviderName } from "../provider-names.ts";
import type { StreamEvent } from "./types.ts";
import { errnoCode, isRecord } from "../unknown-values.ts";

export { baseUrlEnvName, isRecord, keyEnvName, providerLabel };

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

/** What a remote provider needs to talk and to explain failures. */
export interface RemoteSettings {
  name: Exclude<ProviderName, "echo">;
  apiKey: string;
  /** Without a trailing slash. */
  baseUrl: string;
  maxTokens: number;
  defaultModel: string;
  /** Seconds to wait for the reply's first bytes; `0` = no limit. */
  firstByteTimeout: number;
  /** Seconds of silence tolerated once the reply has begun; `0` = no limit. */
  idleTimeout: number;
  /** The config file consulted, named in messages about keys and models. */
  configPath: string;
  retry: RetryPolicy;
}

/** One line of at most `max` characters: server messages can be long, or span lines. */
export function clip(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

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

interface HttpFailure {
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
  /** The sentence that says what to do; `""` when there is none. */
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
  return new ProviderError(kind, name, redact(message, [settings.apiKey]), retryOptions(status, failure.retryAfterMs));
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
  const statusText = failure.statusText.trim() || STATUS_CODES[status] || "";
  const message =
    `${providerLabel(settings.name)} answered ${status}${statusText === "" ? "" : ` ${clip(statusText, 60)}`} (${meaning}); ` +
    `its error ${failure.html ? "page" : "message"} never finished.${advice === "" ? "" : ` ${advice}`}`;
  return new ProviderError(kind, settings.name, redact(message, [settings.apiKey]), retryOptions(status, failure.retryAfterMs));
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
  const label = providerLabel(name);
  const said = whatWasSaid(status, body);
  const keyHint = `${keyEnvName(name)} or api_key under [${name}] in ${configPath}`;
  const errorType = body.type ?? "";
  const errorCode = body.code ?? "";

  if (status === 401) {
    const advice = `Check ${keyHint}.`;
    return { kind: "auth", meaning: "the API key was rejected", advice, message: `${label} rejected the API key (${said}). ${advice}` };
  }
  if (status === 403) {
    const advice = `Check that the key in ${keyHint} may use model "${model}".`;
    return { kind: "auth", meaning: "access refused", advice, message: `${label} refused access for this API key (${said}). ${advice}` };
  }
  if (status === 404) {
    const advice = `Check the model name (--model, SYNAPSE_MODEL, or model in ${configPath}) and ${baseUrlEnvName(name)} / base_url.`;
    return {
      kind: "not_found",
      meaning: `unknown model "${model}", or ${failure.url} is not its API`,
      advice,
      message: `${label} does not know model "${model}", or ${failure.url} is not its API (${said}). ${advice}`,
    };
  }
  if (status === 402 || errorCode === "insufficient_quota" || errorType === "insufficient_quota") {
    const advice = "Check billing for this API key, then try again.";
    return { kind: "quota", meaning: "no credit left", advice, message: `${label} says the account has no credit left (${said}). ${advice}` };
  }
  if (status === 429) {
    const wait = failure.retryAfterMs === undefined ? "" : `It asks to retry after ${Math.ceil(failure.retryAfterMs / 1000)} s. `;
    const advice = `${wait}Wait a little and try again.`;
    return { kind: "rate_limit", meaning: "rate limit reached", advice, message: `${label} rate limit reached (${said}). ${advice}` };
  }
  if (status === 529 || status === 503 || errorType === "overloaded_error") {
    const advice = "Try again in a moment.";
    return { kind: "overloaded", meaning: "overloaded", advice, message: `${label} is overloaded (${said}). ${advice}` };
  }
  if (status >= 500) {
    const advice = "Try again in a moment.";
    return { kind: "server", meaning: "a server error", advice, message: `${label} had a server error (${said}). ${advice}` };
  }
  return { kind: "bad_request", meaning: "the request was rejected", advice: "", message: `${label} rejected the request (${said}).` };
}

/** What to do when a conversation no longer fits the model: retrying cannot help. */
export const TOO_LONG_ADVICE =
  "Continue it with a model that has a larger context window (-m MODEL), or start a new session.";

/**
 * The provider said the conversation is longer than the model's context window (`said` is its
 * own words, clipped), before the reply or in the middle of its stream.
 */
export function contextTooLong(settings: RemoteSettings, model: string, said: string, status?: number): ProviderError {
  const { name } = settings;
  return new ProviderError(
    "context_length",
    name,
    redact(`${providerLabel(name)} says the conversation is too long for model "${model}" (${said}). ${TOO_LONG_ADVICE}`, [
      settings.apiKey,
    ]),
    status === undefined ? {} : { status },
  );
}

function cancelled(name: ProviderName): ProviderError {
  return new ProviderError("cancelled", name, `${providerLabel(name)} reply cancelled.`);
}

/** The server stayed silent too long: say for how long, and which setting allows longer. */
function stalled(settings: RemoteSettings, phase: StallPhase): ProviderError {
  const { name, configPath } = settings;
  const seconds = phase === "first_byte" ? settings.firstByteTimeout : settings.idleTimeout;
  const key = phase === "first_byte" ? "first_byte_timeout" : "idle_timeout";
  const when = phase === "first_byte" ? "" : " after the reply began";
  const why = phase === "first_byte" ? "If the model needs longer to start" : "If the model pauses that long";
  return new ProviderError(
    "timeout",
    name,
    `No answer from ${providerLabel(name)} in ${seconds} s${when}. ${why}, raise ${key} under [${name}] in ${configPath} (0 waits forever).`,
  );
}

/** Why `timer`'s signal aborted: a stall, or the caller. `undefined` while it has not. */
function abortError(settings: RemoteSettings, timer: StallTimer): ProviderError | undefined {
  if (!timer.signal.aborted) return undefined;
  return timer.stalled === undefined ? cancelled(settings.name) : stalled(settings, timer.stalled);
}

function errorCode(error: unknown): string {
  return errnoCode(error) ?? (error instanceof Error ? error.name : "unknown error");
}

/** One streaming request: where it goes, what it carries, and the model it asks for. */
export interface StreamCall {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  model: string;
}

/**
 * POSTs the call and yields the server-sent events of its answer, or throws a `ProviderError`:
 * network failure, HTTP error, not an event stream, a server silent for longer than the
 * provider's `first_byte_timeout` / `idle_timeout` (`timeout`), or cancelled. Leaving the loop
 * closes the connection.
 */
export async function* streamEvents(settings: RemoteSettings, call: StreamCall, signal: AbortSignal): AsyncGenerator<SseEvent> {
  const timer = new StallTimer(signal, {
    firstByteMs: settings.firstByteTimeout * 1000,
    idleMs: settings.idleTimeout * 1000,
  });
  try {
    const response = await postForStream(settings, call, timer);
    yield* responseEvents(settings, response, timer);
  } finally {
    timer.dispose();
  }
}

async function postForStream(settings: RemoteSettings, call: StreamCall, timer: StallTimer): Promise<Response> {
  const { name } = settings;
  const { url, model } = call;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream", ...call.headers },
      body: JSON.stringify(call.body),
      signal: timer.signal,
      // Bun's own socket timeout (5 minutes idle) would cut a wait the user configured longer,
      // with a misleading "could not reach": the stall timer alone decides.
      timeout: false,
    });
  } catch (error) {
    const aborted = abortError(settings, timer);
    if (aborted !== undefined) throw aborted;
    const where = new URL(url).origin;
    throw new ProviderError(
      "network",
      name,
      `Could not reach ${providerLabel(name)} at ${where} (${errorCode(error)}). ` +
        `Check your network connection, and ${baseUrlEnvName(name)} / base_url if you set one.`,
      { cause: error },
    );
  }
  if (!response.ok) {
    // The status line is the answer: the body only adds detail, so reading it is bounded.
    timer.stopLimits();
    const contentType = response.headers.get("content-type") ?? "";
    const retryAfterMs = parseRetryAfter(response.headers);
    const read = await readBody(settings, response, timer);
    if (!read.complete) {
      const html = isHtml(read.text, contentType);
      throw unfinishedErrorBody(settings, { status: response.status, statusText: response.statusText, html, retryAfterMs, model, url });
    }
    throw httpError(settings, { status: response.status, body: parseErrorBody(read.text, contentType), retryAfterMs, model, url });
  }
  const type = response.headers.get("content-type") ?? "";
  if (/json|html/i.test(type) || response.body === null) {
    // A proxy's login page or a non-streaming JSON answer: nothing to stream. Other types are
    // given a chance, since some compatible servers label their event stream loosely.
    timer.stopLimits();
    const { text, complete } = await readBody(settings, response, timer);
    // A page says what it is by its title; its markup is no message.
    const shown = isHtml(text, type) ? pageTitle(text) : text === "" ? undefined : clip(text, 200);
    const unfinished = complete ? "" : `, which never finished`;
    throw new ProviderError(
      "stream_error",
      name,
      redact(
        `${providerLabel(name)} answered with ${type || "no content type"} instead of an event stream` +
          `${shown === undefined ? "" : ` (${shown})`}${unfinished}. Check ${baseUrlEnvName(name)} / base_url.`,
        [settings.apiKey],
      ),
      { status: response.status },
    );
  }
  return response;
}

/** The longest wait for the body of an answer that is not a stream (an error page, say). */
export const BODY_WAIT_MS = 5_000;

/** The most of such a body that is read: its title or error object comes first. */
const BODY_MAX_BYTES = 64 * 1024;

/**
 * The body of an answer that is not a stream, read for at most {@link BODY_WAIT_MS} (or the
 * idle timeout, when shorter) and {@link BODY_MAX_BYTES}: `complete` is false when it stopped
 * coming before its end. A connection lost meanwhile ends it too; only the caller's abort throws.
 */
async function readBody(settings: RemoteSettings, response: Response, timer: StallTimer): Promise<{ text: string; complete: boolean }> {
  if (response.body === null) return { text: "", complete: true };
  const idleMs = settings.idleTimeout * 1000;
  const waitMs = idleMs > 0 ? Math.min(idleMs, BODY_WAIT_MS) : BODY_WAIT_MS;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  let complete = false;
  let expired = false;
  const stop = () => void reader.cancel().catch(() => {});
  const deadline = setTimeout(() => {
    expired = true;
    stop();
  }, waitMs);
  timer.signal.addEventListener("abort", stop, { once: true });
  try {
    while (bytes < BODY_MAX_BYTES) {
      const { done, value } = await reader.read();
      if (done) {
        complete = !expired && !timer.signal.aborted;
        break;
      }
      bytes += value.length;
      text += decoder.decode(value, { stream: true });
    }
    if (bytes >= BODY_MAX_BYTES) complete = true;
  } catch {
    // The connection broke off: the status still says what happened.
    complete = !expired;
  } finally {
    clearTimeout(deadline);
    timer.signal.removeEventListener("abort", stop);
    if (!complete || bytes >= BODY_MAX_BYTES) stop();
    reader.releaseLock();
  }
  const aborted = abortError(settings, timer);
  if (aborted !== undefined) throw aborted;
  return { text: text + decoder.decode(), complete };
}

/**
 * The server-sent events of a streaming response. A connection lost mid-stream becomes a
 * `network` error, a stall a `timeout`, an abort a `cancelled` one; leaving the loop closes the
 * connection. Every chunk of bytes, keep-alives included, counts as activity for `timer`.
 */
async function* responseEvents(settings: RemoteSettings, response: Response, timer: StallTimer): AsyncGenerator<SseEvent> {
  const { name } = settings;
  if (response.body === null) return;
  const events = readSse(response.body, timer.signal, () => timer.activity());
  try {
    for (;;) {
      let result: IteratorResult<SseEvent>;
      try {
        result = await events.next();
      } catch (error) {
        const aborted = abortError(settings, timer);
        if (aborted !== undefined) throw aborted;
        throw new ProviderError(
          "network",
          name,
          `The connection to ${providerLabel(name)} broke off mid-reply (${errorCode(error)}). Try again.`,
          { cause: error },
        );
      }
      if (result.done) return;
      yield result.value;
    }
  } finally {
    await events.return(undefined);
  }
}

/** Parses an event's JSON data, or throws a `stream_error` naming the provider. */
export function parseEventJson(settings: RemoteSettings, event: SseEvent): unknown {
  try {
    return JSON.parse(event.data);
  } catch (error) {
    throw new ProviderError(
      "stream_error",
      settings.name,
      redact(`${providerLabel(settings.name)} sent an unreadable event (${clip(event.data, 120)}). Try again.`, [
        settings.apiKey,
      ]),
      { cause: error },
    );
  }
}

/** Resolves after `ms`, or throws `cancelled` as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal, name: ProviderName): Promise<void> {
  if (signal.aborted) return Promise.reject(cancelled(name));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled(name));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** How long to wait before retry number `attempt + 1`, or `undefined` for "don't". */
function retryDelay(error: ProviderError, attempt: number, policy: RetryPolicy): number | undefined {
  if (!error.retryable || attempt >= policy.maxRetries) return undefined;
  if (error.retryAfterMs !== undefined) return error.retryAfterMs <= policy.maxWaitMs ? error.retryAfterMs : undefined;
  // ±25% jitter, so many clients hit by one outage do not come back in step.
  const backoff = policy.baseDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
  return Math.min(backoff, policy.maxWaitMs);
}

/**
 * Runs `attempt` (one request and its stream), retrying retryable failures while no text has
 * been delivered. Any error thrown carries `partialText`: the text yielded before it.
 */
export async function* withRetries(
  settings: RemoteSettings,
  signal: AbortSignal,
  attempt: () => AsyncIterable<StreamEvent>,
): AsyncGenerator<StreamEvent> {
  let partial = "";
  for (let tries = 0; ; tries++) {
    try {
      for await (const event of attempt()) {
        if (event.type === "text") partial += event.text;
        yield event;
      }
      return;
    } catch (caught) {
      const error = caught instanceof ProviderError ? caught : signal.aborted ? cancelled(settings.name) : undefined;
      if (error === undefined) throw caught;
      const wait = partial === "" && !signal.aborted ? retryDelay(error, tries, settings.retry) : undefined;
      if (wait === undefined) {
        error.partialText = partial;
        throw error;
      }
      log.warn(
        `${providerLabel(settings.name)}: ${error.kind.replace("_", " ")}` +
          `${error.status === undefined ? "" : ` (${error.status})`}; retrying in ${(wait / 1000).toFixed(1)} s ` +
          `(${tries + 1}/${settings.retry.maxRetries})`,
      );
      await sleep(wait, signal, settings.name);
    }
  }
}
