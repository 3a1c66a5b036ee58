/**
 * Waiting for another process's write lock without blocking the event loop: the database itself
 * waits only briefly (SQLite's busy_timeout, PostgreSQL's lock_timeout), and this loop retries
 * after short pauses until a deadline. Between attempts signal handlers run, so Ctrl+C is
 * handled while waiting, and an aborted wait gives up before anything is written.
 */
import { log } from "../log.ts";
import { StorageError } from "./errors.ts";

/**
 * How long the database itself waits for a lock per attempt (it blocks the JS thread meanwhile).
 * SQLite's busy handler retries within it at most 10 ms apart, and {@link pauseMs} adds little,
 * so a waiter notices a free lock within about 15 ms (see bulk.ts, which leaves it that long).
 */
export const lockAttemptMs = 20;
/** How long an ordinary write waits for another process's lock before failing. */
export const lockWaitMs = 10_000;
/**
 * How long storing a reply the user has already seen waits: it must not be lost to a database
 * that is busy for a while (a long cleanup or copy in another process).
 */
export const replyLockWaitMs = 10 * 60_000;
/** After this long, a waiting write says so on stderr, so the user knows why nothing happens. */
const noticeAfterMs = 1000;
/** Between attempts: signal handlers run here. */
const pauseMs = 5;

/** How a write waits for a lock another process holds. */
export interface WaitOptions {
  /** Stops the wait: the write fails with kind `interrupted`, and nothing of it is stored. */
  signal?: AbortSignal | undefined;
  /** How long to wait before failing; {@link lockWaitMs} by default. */
  waitMs?: number | undefined;
  /** What to say on stderr once the write has waited a while; a generic line by default. */
  waitNotice?: string | undefined;
}

/**
 * Runs `attempt` until it succeeds, it fails for another reason than a lock (`isLocked`), the
 * deadline passes (the lock error is rethrown), or `signal` aborts. `attempt` must change nothing
 * when it fails with a lock error: one whole transaction, or one statement.
 */
export async function retryWhileLocked<T>(
  attempt: () => T | Promise<T>,
  isLocked: (error: unknown) => boolean,
  database: string,
  options: WaitOptions = {},
): Promise<T> {
  const started = Date.now();
  const deadline = started + (options.waitMs ?? lockWaitMs);
  let noticed = false;
  for (;;) {
    if (options.signal?.aborted) throw interrupted(database);
    try {
      return await attempt();
    } catch (error) {
      if (!isLocked(error) || Date.now() >= deadline) throw error;
    }
    if (!noticed && Date.now() - started >= noticeAfterMs) {
      noticed = true;
      log.info(`${options.waitNotice ?? "waiting for another process to finish writing to the session database"} (${database})`);
    }
    await pauseUnlessAborted(pauseMs, options.signal);
  }
}

function interrupted(database: string): StorageError {
  return new StorageError("interrupted", `interrupted while waiting for another process to release the session database ${database}; nothing was stored`);
}

function pauseUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
