/**
 * Cleanup: which sessions the `[session]` limits remove, and removing them, for the chat's
 * automatic cleanup, `sessions prune` and every store alike; and the age rule a person asks for
 * with `sessions delete --older-than`. The rules, the loop and its batches,
 * the counting and the report live here; a store only takes one short step at a time.
 */
import type { SessionSummary } from "../session.ts";
import type { PurgeProgress, SessionStore } from "../storage/session-store.ts";
import { StorageError } from "../storage/errors.ts";
import { shortIdsOf } from "./refs.ts";
import { checkCount, checkId, checkLimit } from "../storage/validate.ts";

/** How many sessions to keep and for how long: `[session]` in the configuration. */
export interface CleanupLimits {
  /** Keep at most this many sessions, the most recently used; 0 means no limit. */
  maxSessions: number;
  /** Delete sessions not used for this many days; 0 means keep them forever. */
  retentionDays: number;
}

export interface CleanupOptions {
  /** Sessions never to delete, such as the one the caller is about to continue. */
  keep?: readonly string[];
  /** The time retention is measured from; now by default. */
  now?: Date;
  /**
   * Sessions about to be created: the limit leaves room for them, so that after they are
   * there are no more than `maxSessions`.
   */
  reserve?: number;
  /** Stops a cleanup waiting for another process's lock (kind `interrupted`), and its purge. */
  signal?: AbortSignal | undefined;
  /**
   * How long the rows of what it hid (and any purge still pending) may be reclaimed before it
   * returns, in milliseconds: all of them by default; 0 leaves them all to a later run. The
   * sessions are gone for every reader either way.
   */
  purgeBudgetMs?: number;
}

/** What a cleanup would delete now, and why, oldest first. */
export interface CleanupPlan {
  byMaxLimit: SessionSummary[];
  byRetention: SessionSummary[];
}

export interface CleanupResult {
  sessionsDeleted: number;
  /** The sessions deleted, as they were, oldest first. */
  removed: SessionSummary[];
  /** Deleted because there were more than `maxSessions`. */
  byMaxLimit: number;
  /** Deleted because they were older than `retentionDays`. */
  byRetention: number;
  /** What was reclaimed of pending purges (these sessions' rows, or earlier ones) before it returned. */
  purge: PurgeProgress;
}

/**
 * How long `sessions prune` reclaims rows before it returns (the rest waits for a later run,
 * such as the next chat's, or `prune --now`): the whole command stays well under a second.
 */
export const pruneBudgetMs = 300;
/**
 * How long a chat reclaims rows after its reply is out and stored: the reply is not waiting, only
 * the shell prompt is, so a little. 100,000 deleted messages take about 7 s in all.
 */
export const afterReplyBudgetMs = 400;

/**
 * Sessions hidden per write transaction. Hiding only marks session rows (about 16 ms for 1,000
 * on the bench database), so a cleanup of a thousand is one short step, and the chat's first
 * token waits for one commit, not five. Their messages go later, in batches the store measures.
 */
const cleanupBatch = 1000;
const dayMs = 24 * 60 * 60 * 1000;

/**
 * Deletes the least recently used sessions beyond `maxSessions`, then those not used for
 * `retentionDays`; a limit of 0 disables its rule. Sessions in use are never deleted (they still
 * count toward `maxSessions`), nor those in `keep`. Bulk work a stopped process left behind is
 * taken over first, whatever the limits. Hidden sessions are gone for every reader at once; their
 * rows are reclaimed within `purgeBudgetMs` (all by default), the rest later. Concurrent cleanups, in any process, never delete more
 * together than the limits ask: each step counts again under the store's write lock.
 *
 * @example
 * const result = await cleanUp(store, { maxSessions: 100, retentionDays: 90 }, { reserve: 1 });
 */
export async function cleanUp(store: SessionStore, limits: CleanupLimits, options: CleanupOptions = {}): Promise<CleanupResult> {
  const { target, cutoff, keep } = rulesOf(limits, options);
  const wait = { signal: options.signal };
  await store.finishAbandonedWork(options.now, wait);
  const byMaxLimit: SessionSummary[] = [];
  // Each step hides sessions (gone for every reader from then on); their messages follow at the end.
  while (target !== null) {
    const hidden = await store.hideSessionsBeyond(target, { keep, max: cleanupBatch }, wait);
    if (hidden.length === 0) break;
    byMaxLimit.push(...hidden);
  }
  const byRetention: SessionSummary[] = [];
  while (cutoff !== null) {
    const hidden = await store.hideSessionsUpdatedBefore(cutoff, { keep, max: cleanupBatch }, wait);
    byRetention.push(...hidden);
    if (hidden.length < cleanupBatch) break;
  }
  const removed = [...byMaxLimit, ...byRetention];
  const purge = await purgeDeleted(store, { budgetMs: options.purgeBudgetMs, signal: options.signal });
  return { sessionsDeleted: removed.length, removed: oldestFirst(removed), byMaxLimit: byMaxLimit.length, byRetention: byRetention.length, purge };
}

/**
 * Reclaims the rows and search index entries of sessions deleted already (hidden from every
 * read), within `budgetMs` (no limit by default), until `signal` stops it between two short
 * batches. What is left stays pending for a later run; a crash loses or doubles nothing. A
 * budgeted purge that cannot go on (another process holds the lock too long) leaves the rest for
 * later rather than fail what already succeeded; a damaged file or a full disk is still said.
 */
export async function purgeDeleted(store: SessionStore, options: { budgetMs?: number | undefined; signal?: AbortSignal | undefined } = {}): Promise<PurgeProgress> {
  const { budgetMs, signal } = options;
  const bounded = budgetMs !== undefined && budgetMs !== Infinity;
  try {
    // A budgeted purge waits for another process's lock no longer than its budget either: after
    // a reply, nobody should wait on it (and no "waiting for…" line comes after the answer).
    return await store.purgePendingDeletions({ budgetMs, signal }, bounded ? { signal, waitMs: budgetMs } : { signal });
  } catch (error) {
    if (!bounded || !(error instanceof StorageError) || error.kind === "corrupt" || error.kind === "disk_full") throw error;
    return { sessions: 0, messages: 0, more: true };
  }
}

/**
 * The cleanup before a chat exchange stores anything: room is made for a new session, and the
 * one being continued (`continuing`) is never deleted. It does not run when `autoCleanup` is off,
 * nor on a shared database (PostgreSQL), where one person's limits must not delete everyone's
 * sessions on each chat: there `sessions prune` is run deliberately. Null when it did not run.
 */
export async function cleanUpBeforeExchange(
  store: SessionStore,
  limits: CleanupLimits & { autoCleanup: boolean },
  continuing: string | undefined,
  signal: AbortSignal,
): Promise<CleanupResult | null> {
  if (!limits.autoCleanup || store.shared) return null;
  // The sessions are hidden now, in a few short transactions; reclaiming their rows (seconds for
  // thousands) waits until the reply is out: see purgeAfterReply.
  return cleanUp(store, limits, continuing === undefined ? { reserve: 1, signal, purgeBudgetMs: 0 } : { keep: [continuing], signal, purgeBudgetMs: 0 });
}

/**
 * The chat's reclaiming after its reply is out and stored: what cleanups hid (this one's, or
 * earlier ones') is reclaimed for up to {@link afterReplyBudgetMs}, or until `signal` (Ctrl+C)
 * stops it between two batches. Not on a shared database, where only `sessions prune` works.
 * Null when it did not run.
 */
export async function purgeAfterReply(store: SessionStore, signal: AbortSignal): Promise<PurgeProgress | null> {
  if (store.shared || signal.aborted) return null;
  return purgeDeleted(store, { budgetMs: afterReplyBudgetMs, signal });
}

/** What {@link cleanUp} would delete now, deleting nothing. */
export async function planCleanup(store: SessionStore, limits: CleanupLimits, options: CleanupOptions = {}): Promise<CleanupPlan> {
  const { target, cutoff, keep } = rulesOf(limits, options);
  const byMaxLimit = target === null ? [] : await store.sessionsBeyond(target, keep);
  const spared = new Set([...keep, ...byMaxLimit.map((s) => s.id)]);
  // A titled session is never cleaned up (only `sessions delete` removes it).
  const byRetention = cutoff === null ? [] : (await store.sessionsUpdatedBefore(cutoff)).filter((s) => !spared.has(s.id) && s.title === null);
  return { byMaxLimit, byRetention };
}

/**
 * The age rule asked for by hand (`sessions delete --older-than`): the sessions not used for
 * `olderThanMs` and not in use now, oldest first, and the cutoff they were measured against.
 * Delete them with {@link deleteIdle}, which judges each again.
 */
export async function idleSessions(store: SessionStore, olderThanMs: number, now = new Date()): Promise<{ cutoff: Date; sessions: SessionSummary[] }> {
  const cutoff = new Date(now.getTime() - olderThanMs);
  return { cutoff, sessions: await store.sessionsUpdatedBefore(cutoff) };
}

/**
 * Deletes those of `ids` that are still unused since `cutoff` and not in use: one used since
 * they were found (while a person was asked, say) is kept. Returns how many were deleted.
 */
export function deleteIdle(store: SessionStore, ids: readonly string[], cutoff: Date): Promise<number> {
  return store.deleteSessions(ids, { unusedSince: cutoff });
}

export interface PruneResult {
  /** False when both limits are 0: no rule applies, and no session is pruned. */
  limited: boolean;
  /** What was deleted (oldest first), or on a dry run would be (over the limit first, then past retention). */
  sessions: SessionSummary[];
  byMaxLimit: number;
  byRetention: number;
  /** Short ids measured among the sessions there were before, so that those deleted have one too. */
  shortIds: ReadonlyMap<string, string>;
  /** What was reclaimed before it returned; `more` when rows are left for a later run (never with `now`). */
  purge: PurgeProgress;
}

/**
 * `sessions prune`: applies the limits now, whether or not they apply automatically, or with
 * `dryRun` only says what that would delete. The sessions it deletes are gone from every read
 * when it returns; their rows are reclaimed for up to {@link pruneBudgetMs}, the rest later (by
 * the next chat or prune). With `now`, every pending purge is reclaimed before it returns, and so
 * always on a shared database (PostgreSQL), where no chat reclaims anything.
 */
export async function prune(store: SessionStore, limits: CleanupLimits, options: { dryRun?: boolean; now?: boolean } = {}): Promise<PruneResult> {
  const none = { sessions: 0, messages: 0, more: false };
  const purgeBudgetMs = options.now === true || store.shared ? Infinity : pruneBudgetMs;
  if (limits.maxSessions === 0 && limits.retentionDays === 0) {
    // No limits, but what a stopped import or deletion left hidden still goes (said on stderr).
    const purge = options.dryRun === true ? none : (await cleanUp(store, limits, { purgeBudgetMs })).purge;
    return { limited: false, sessions: [], byMaxLimit: 0, byRetention: 0, shortIds: new Map(), purge };
  }
  if (options.dryRun === true) {
    const plan = await planCleanup(store, limits);
    const sessions = [...plan.byMaxLimit, ...plan.byRetention];
    const ids = await shortIdsOf(store, sessions.map((s) => s.id));
    return { limited: true, sessions, byMaxLimit: plan.byMaxLimit.length, byRetention: plan.byRetention.length, shortIds: ids, purge: none };
  }
  // The cleanup itself decides, under the write lock, so a session used meanwhile is safe.
  const result = await cleanUp(store, limits, { purgeBudgetMs });
  const ids = await shortIdsOf(store, result.removed.map((s) => s.id));
  return { limited: true, sessions: result.removed, byMaxLimit: result.byMaxLimit, byRetention: result.byRetention, shortIds: ids, purge: result.purge };
}

/** The limits as the rules apply them: a target count (null: no limit) and a cutoff (null: none). */
function rulesOf(limits: CleanupLimits, options: CleanupOptions) {
  const maxSessions = checkLimit(limits.maxSessions, "maxSessions");
  const retentionDays = checkLimit(limits.retentionDays, "retentionDays");
  const reserve = checkCount(options.reserve ?? 0, "reserve");
  const keep = (options.keep ?? []).map((id) => checkId(id, "session id to keep"));
  const now = options.now ?? new Date();
  return {
    keep,
    target: maxSessions > 0 ? Math.max(0, maxSessions - reserve) : null,
    cutoff: retentionDays > 0 ? new Date(now.getTime() - retentionDays * dayMs) : null,
  };
}

/** Oldest first, whatever order the store hid them in. */
function oldestFirst(sessions: SessionSummary[]): SessionSummary[] {
  return sessions.sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || (a.id < b.id ? -1 : 1));
}
