/**
 * Trying a reply again after a failure worth retrying (rate limit, overload, server error), only
 * before its first token, reasoning included: a retry never repeats text the user has already
 * seen, and a second train of thought would follow the first one on the screen.
 */
import { log } from "../log.ts";
import { cancelledError, ProviderError } from "./errors.ts";
import type { RemoteSettings, RetryPolicy } from "./remote-settings.ts";
import type { StreamEvent } from "./types.ts";

/** Resolves after `ms`, or throws `cancelled` as soon as `signal` aborts. */
function sleep(ms: number, signal: AbortSignal, settings: RemoteSettings): Promise<void> {
  if (signal.aborted) return Promise.reject(cancelledError(settings.name, settings.label));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError(settings.name, settings.label));
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
 * Runs `attempt` (one request and its stream), retrying retryable failures while no text or
 * reasoning has been delivered. Any error thrown carries `partialText`: the reply's text yielded
 * before it (reasoning is no part of it).
 */
export async function* withRetries(
  settings: RemoteSettings,
  signal: AbortSignal,
  attempt: () => AsyncIterable<StreamEvent>,
): AsyncGenerator<StreamEvent> {
  let partial = "";
  let delivered = false;
  for (let tries = 0; ; tries++) {
    try {
      for await (const event of attempt()) {
        if (event.type === "text") partial += event.text;
        if (event.type !== "done") delivered = true;
        yield event;
      }
      return;
    } catch (caught) {
      const error = caught instanceof ProviderError ? caught : signal.aborted ? cancelledError(settings.name, settings.label) : undefined;
      if (error === undefined) throw caught;
      const wait = !delivered && !signal.aborted ? retryDelay(error, tries, settings.retry) : undefined;
      if (wait === undefined) {
        error.partialText = partial;
        throw error;
      }
      log.warn(
        `${settings.label}: ${error.kind.replace("_", " ")}` +
          `${error.status === undefined ? "" : ` (${error.status})`}; retrying in ${(wait / 1000).toFixed(1)} s ` +
          `(${tries + 1}/${settings.retry.maxRetries})`,
      );
      await sleep(wait, signal, settings);
    }
  }
}
