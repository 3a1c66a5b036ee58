/**
 * Bulk work (a big import, deleting a big session, a cleanup) in short write transactions, so
 * another process never waits long for the lock. The session concerned is hidden meanwhile
 * (schema 20261201_006 / PostgreSQL 003) and carries a heartbeat that every batch renews; what a
 * stopped process leaves behind is removed by the next cleanup once the heartbeat has lapsed.
 */
import type { AbandonedSession, PurgeBudget, PurgeProgress } from "./session-store.ts";
import { log } from "../log.ts";
import { StorageError } from "./errors.ts";
import { messageOf } from "../unknown-values.ts";

/**
 * The work one batch aims at (statements, before the commit). The commit adds about as much
 * again (FTS5 writes out what the batch indexed, then the disk syncs), so a transaction stays
 * under the ~100 ms another process may have to wait: measured by bench/bulk.bench.ts.
 */
export const batchBudgetMs = 30;
/**
 * The same for deletions, lower: removing rows from the FTS5 index costs more at commit than
 * adding them (measured: a 300,000-message deletion with 30 ms batches kept others waiting
 * up to 134 ms, p99 111 ms).
 */
export const deleteBudgetMs = 20;
/**
 * How long a hidden session's heartbeat lasts. Every batch renews it, so only a process that
 * stopped (or waited this long for a lock) lets it lapse.
 */
export const heartbeatMs = 60_000;
/**
 * Bulk work rests this long after each batch. SQLite queues no one: without a gap, the next batch
 * would take the lock again before a waiting process (retrying about every 10 ms) could.
 */
export const restBetweenBatchesMs = 15;
/**
 * How often a deletion in batches renews its heartbeat: each renewal rewrites every row it
 * concerns (up to hundreds in a cleanup), so not on every batch, but well before it lapses.
 */
export const renewEveryMs = heartbeatMs / 4;
/**
 * An import this small, in messages and in characters, is stored in one transaction, visible at
 * once; a bigger one goes in batches. Both bounds matter: 200 long messages take as long to index
 * as thousands of short ones.
 */
const smallImportMessages = 200;
const smallImportChars = 256_000;

/** Whether an import is stored in one transaction: a few messages, their text and files small. */
export function isSmallImport(messages: readonly { content: string; attachments?: readonly { size: number }[] }[]): boolean {
  if (messages.length > smallImportMessages) return false;
  let chars = 0;
  for (const message of messages) {
    chars += message.content.length;
    for (const file of message.attachments ?? []) chars += file.size;
  }
  return chars <= smallImportChars;
}
/** Ids per statement, under SQLite's limit on bound parameters. */
export const idsPerStatement = 500;

/** When a heartbeat renewed now lapses. */
export function heartbeatEnd(now = Date.now()): Date {
  return new Date(now + heartbeatMs);
}

/**
 * How many rows the next batch deletes: measured, so that a batch takes about
 * {@link deleteBudgetMs} whatever the rows cost (the FTS5 delete trigger re-tokenises each one).
 */
class BatchSizer {
  #size: number;

  constructor(
    // Small at first: rows may be long messages, and the measure grows the batch soon enough.
    initial = 20,
    private readonly min = 1,
    private readonly max = 50_000,
  ) {
    this.#size = initial;
  }

  get size(): number {
    return this.#size;
  }

  /** A batch of `rows` took `ms`: aim the next at the budget, shrinking at once, growing at most twofold. */
  record(rows: number, ms: number): void {
    if (rows === 0) return;
    const fitting = Math.round((rows / Math.max(ms, 0.1)) * deleteBudgetMs);
    this.#size = Math.max(this.min, Math.min(this.max, this.#size * 2, fitting));
  }
}

/**
 * One batch of a purge, as an adapter runs it in one write transaction: deletes up to `rows`
 * messages of the sessions `ids` that are hidden for deletion (and, once fewer are left, those
 * sessions), renewing their heartbeats first when `renew` says so. Gives the rows deleted and how
 * long the statements took: the work only, as an import measures it. The commit adds about as
 * much again (see {@link deleteBudgetMs}); counting it too made batches small and commits many.
 */
export type PurgeBatch = (ids: string[], rows: number, renew: boolean) => Promise<{ deleted: number; ms: number; sessions: number }>;

/**
 * Deletes the messages of sessions hidden for deletion, then the sessions, `idsAtOnce` sessions
 * at a time, in batches sized to take about {@link deleteBudgetMs} each, resting between them.
 */
export async function purgeInBatches(ids: readonly string[], idsAtOnce: number, batch: PurgeBatch): Promise<void> {
  const sizer = new BatchSizer();
  for (let i = 0; i < ids.length; i += idsAtOnce) {
    const some = ids.slice(i, i + idsAtOnce);
    // Renewed at once: these sessions' heartbeats began when they were hidden, maybe long ago.
    let renewed = 0;
    for (;;) {
      const rows = sizer.size;
      const renew = Date.now() - renewed > renewEveryMs;
      const { deleted, ms } = await batch(some, rows, renew);
      if (renew) renewed = Date.now();
      sizer.record(deleted, ms);
      if (deleted < rows) break;
      await Bun.sleep(restBetweenBatchesMs);
    }
  }
}

/**
 * Takes over what {@link AbandonedSession}s `claim` finds (in one write transaction, as pending
 * purges: hidden at once, reclaimed later like a cleanup's), and says so on stderr.
 */
export async function finishAbandoned(claim: () => Promise<AbandonedSession[]>): Promise<AbandonedSession[]> {
  const abandoned = await claim();
  if (abandoned.length > 0) reportAbandoned(abandoned);
  return abandoned;
}

/**
 * Reclaims the rows of pending purges (sessions hidden for deletion with no heartbeat, listed by
 * `pending` in a fixed order), `idsAtOnce` at a time, in batches measured like
 * {@link purgeInBatches}, until none is left, the budget is spent or the signal stops it. Each
 * batch is one transaction and deletes only rows still there, so two runs at once, or a run
 * after a crash, never lose or double anything: the next run takes up what is left.
 */
export async function purgePending(
  pending: (max: number) => Promise<string[]>,
  idsAtOnce: number,
  batch: PurgeBatch,
  budget: PurgeBudget = {},
): Promise<PurgeProgress> {
  const deadline = performance.now() + (budget.budgetMs ?? Infinity);
  const stopped = () => budget.signal?.aborted === true || performance.now() >= deadline;
  const progress: PurgeProgress = { sessions: 0, messages: 0, more: false };
  const sizer = new BatchSizer();
  let first = true;
  for (;;) {
    if (stopped()) {
      progress.more = (await pending(1)).length > 0;
      return progress;
    }
    const ids = await pending(idsAtOnce);
    if (ids.length === 0) return progress;
    for (;;) {
      if (!first) await Bun.sleep(restBetweenBatchesMs);
      first = false;
      const rows = sizer.size;
      // No heartbeat to renew: a pending purge belongs to no process.
      const { deleted, ms, sessions } = await batch(ids, rows, false);
      sizer.record(deleted, ms);
      progress.messages += deleted;
      progress.sessions += sessions;
      if (deleted < rows || stopped()) break;
    }
  }
}

/**
 * Runs an import of session `sessionId`, and once more if an id it brings is taken: a session
 * deleted a while ago whose rows are still a pending purge holds its ids until `free` reclaims
 * them (a person deletes a session, then imports it again from its export).
 */
export async function importFreeingIds(work: () => Promise<void>, free: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof StorageError) || !error.idTaken) throw error;
    await free();
    await work();
  }
}

/** The steps of a big import, each one short write transaction of the store's own. */
export interface HiddenImportSteps {
  /** Stores the session hidden, with a heartbeat. */
  create(): Promise<void>;
  /**
   * Renews the heartbeat ({@link lostImport} when the session is gone) and adds the units from
   * `from` on until {@link batchBudgetMs} is spent; returns where the next step starts.
   */
  addFrom(from: number): Promise<number>;
  /** Shows the session; how many rows that changed (0: a cleanup took it meanwhile). */
  show(): Promise<number>;
  /** Removes what was stored, as well as it can (a later cleanup finishes it otherwise). */
  undo(): Promise<void>;
}

/**
 * A big import, all of it or nothing without holding the write lock long: the session is
 * created hidden, its `units` (messages, or runs of them) added in short transactions with a
 * rest between them for other writers, and one last short step shows it. On any failure what
 * was stored is undone.
 */
export async function importHidden(sessionId: string, units: number, steps: HiddenImportSteps): Promise<void> {
  await steps.create();
  try {
    let next = 0;
    while (next < units) {
      if (next > 0) await Bun.sleep(restBetweenBatchesMs);
      next = await steps.addFrom(next);
    }
    if ((await steps.show()) === 0) throw lostImport(sessionId);
  } catch (error) {
    await steps.undo();
    throw error;
  }
}

/** An import whose hidden session a cleanup removed (its heartbeat lapsed while it waited). */
export function lostImport(sessionId: string): StorageError {
  return new StorageError(
    "database",
    `the import of session ${sessionId} stopped: it waited so long that a cleanup took it for abandoned and removed it; import it again`,
    { sessionId },
  );
}

/**
 * The sessions are deleted for every reader once hidden; if removing their messages fails (the
 * database stayed locked, say), that is said, and the next cleanup finishes it.
 */
export async function finishLater(purge: Promise<void>, sessions: number): Promise<void> {
  try {
    await purge;
  } catch (error) {
    // A damaged file or a full disk is not left for later: the command fails and says so.
    if (error instanceof StorageError && (error.kind === "corrupt" || error.kind === "disk_full")) throw error;
    log.warn(
      `${sessions === 1 ? "the session is" : `the ${sessions} sessions are`} deleted, but removing the messages stopped (${messageOf(error)}); the next cleanup finishes it`,
    );
  }
}


/** Says on stderr what a cleanup removed of bulk work that a stopped process left behind. */
function reportAbandoned(sessions: readonly AbandonedSession[]): void {
  for (const session of sessions) {
    if (session.state === "importing") {
      log.warn(
        `removed an incomplete import of session ${session.id} (${session.messageCount} messages), left by a process that stopped before it finished; import the file again if you need it`,
      );
    } else {
      log.warn(`finished deleting session ${session.id} (${session.messageCount} messages left), which a process stopped while deleting it`);
    }
  }
}
