/**
 * One streaming request of a remote provider: POST a JSON body with global `fetch` (so tests
 * point base URLs at local servers), watched by a stall timer, and read the answer as
 * server-sent events. HTTP failures, silence and lost connections become `ProviderError`s.
 */
import { errnoCode } from "../unknown-values.ts";
import { clip, isHtml, pageTitle, parseErrorBody } from "./error-body.ts";
import { cancelledError, ProviderError, redact } from "./errors.ts";
import { httpError, parseRetryAfter, unfinishedErrorBody } from "./http-errors.ts";
import type { RemoteSettings } from "./remote-settings.ts";
import { readSse, type SseEvent } from "./sse.ts";
import { StallTimer, type StallPhase } from "./stall-timer.ts";

/** The server stayed silent too long: say for how long, and which setting allows longer. */
function stalled(settings: RemoteSettings, phase: StallPhase): ProviderError {
  const { name, configPath } = settings;
  const seconds = phase === "first_byte" ? settings.firstByteTimeout : settings.idleTimeout;
  const key = phase === "first_byte" ? "first_byte_timeout" : "idle_timeout";
  const when = phase === "first_byte" ? "" : " after the reply began";
  const why = phase === "first_byte" ? "if the model needs longer to start" : "if the model pauses that long";
  return new ProviderError(
    "timeout",
    name,
    `no answer from ${settings.label} in ${seconds} s${when}; ${why}, raise ${key} under ${settings.table} in ${configPath} (0 waits forever)`,
  );
}

/** Why `timer`'s signal aborted: a stall, or the caller. `undefined` while it has not. */
function abortError(settings: RemoteSettings, timer: StallTimer): ProviderError | undefined {
  if (!timer.signal.aborted) return undefined;
  return timer.stalled === undefined ? cancelledError(settings.name, settings.label) : stalled(settings, timer.stalled);
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
    const { origin, hostname } = new URL(url);
    // A server on this machine (Ollama, LM Studio, llama.cpp) that refuses is most often not started.
    const local = hostname === "localhost" || hostname.startsWith("127.") || hostname === "[::1]";
    const advice = local
      ? `is the server running? start it, or check ${settings.baseUrlHint}`
      : `check your network connection, and ${settings.baseUrlHint} if you set one`;
    throw new ProviderError("network", name, `could not reach ${settings.label} at ${origin} (${errorCode(error)}); ${advice}`, { cause: error });
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
        `${settings.label} answered with ${type || "no content type"} instead of an event stream` +
          `${shown === undefined ? "" : ` (${shown})`}${unfinished}; check ${settings.baseUrlHint}`,
        settings.secrets,
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
          `the connection to ${settings.label} broke off mid-reply (${errorCode(error)}); try again`,
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
      redact(`${settings.label} sent an unreadable event (${clip(event.data, 120)}); try again`, settings.secrets),
      { cause: error },
    );
  }
}
