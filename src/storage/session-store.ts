import type { SearchHit, Session, SessionSummary, StoredMessage } from "../session.ts";
import type { SearchSyntaxError } from "./errors.ts";
import type { WaitOptions } from "./lock-wait.ts";

export type { WaitOptions } from "./lock-wait.ts";

/** Bulk work a stopped process left hidden, as a cleanup found it. */
export interface AbandonedSession {
  id: string;
  state: string;
  messageCount: number;
}

/** What one run of {@link SessionStore.purgePendingDeletions} reclaimed, and whether any is left. */
export interface PurgeProgress {
  /** Sessions whose last rows went in this run. */
  sessions: number;
  /** Messages deleted in this run (with their search index entries). */
  messages: number;
  /** True when pending purges are left for a later run (the budget ran out, or it was stopped). */
  more: boolean;
}

/** How long a purge may go on, and what stops it between two batches. */
export interface PurgeBudget {
  /** Stop starting batches after this many milliseconds; no limit by default. */
  budgetMs?: number | undefined;
  /** Stops the purge between batches (what is done stays done), and any wait for a lock. */
  signal?: AbortSignal | undefined;
}

/** A session's messages as {@link SessionStore.messagePages} reads them: page by page. */
export interface MessagePages extends AsyncIterable<StoredMessage[]> {
  /** How many messages the pages hold together. */
  readonly count: number;
}

/** Where a fork came from: what {@link SessionStore.forkSession} records, export carries and import keeps. */
export interface ForkOrigin {
  /** The session it copied; it may have been deleted since. */
  sessionId: string;
  /** The last message it copied, in the source; null for a fork at 0. */
  messageId: string | null;
  /** How many messages it copied: the first `at` of the source, as `sessions show` numbers them. */
  at: number;
}

/** One fork of a session, as {@link SessionStore.listForks} lists it. */
export interface ForkSummary {
  id: string;
  title: string | null;
  /** The first question it holds, on one line, shortened; null when none. */
  preview: string | null;
  /** How many of the source's messages it copied. */
  at: number;
  createdAt: Date;
}

/** What {@link SessionStore.forkSession} may be told. */
export interface ForkOptions {
  /** Copy the first `at` messages (0 to all); all by default. More than it holds is `invalid_data`. */
  at?: number | undefined;
  /** The fork's title; by default the source's title (or its first question) with " (fork)". */
  title?: string | null | undefined;
}

/** How a store is opened. */
export interface OpenOptions {
  /**
   * Only a database Synapse has written before: never create one (a mistyped path stays a
   * mistake, not a new empty database). It is still migrated to this version.
   */
  existing?: boolean;
}

/**
 * A claim on a session by an exchange in progress: until it is released or lapses, no cleanup
 * or delete, in any process, touches the session. It lapses by itself, so a holder that
 * crashed protects the session for one `ttlMs` at most; a live holder renews it.
 */
export interface Lease {
  /** The exchange holding it (a UUID): several may continue one session at once. */
  holder: string;
  /** How long the lease lasts from when it is taken or renewed, in milliseconds. */
  ttlMs: number;
}

/**
 * The port every storage backend implements. Promise-returning so that a networked backend
 * (PostgreSQL) fits the same interface as the in-process SQLite one.
 *
 * Ids are UUIDs; a malformed one is rejected with a `StorageError` of kind `invalid_data`
 * before any query runs.
 */
export interface SessionStore {
  /**
   * True when other people's sessions live here too (a PostgreSQL server): one user's limits
   * must not delete everyone's sessions, so nothing is cleaned up automatically.
   */
  readonly shared: boolean;
  /** Stores a new session; an id that exists already is `invalid_data`. */
  createSession(session: Session): Promise<void>;
  /** The session, or null when there is none with that id. */
  getSession(id: string): Promise<Session | null>;
  /** Sessions, most recently updated first; all of them, or the `limit` most recent. */
  listSessions(options?: { limit?: number }): Promise<SessionSummary[]>;
  countSessions(): Promise<number>;
  /** How many visible sessions have a title: cleanup never deletes those. */
  countTitledSessions(): Promise<number>;
  /** Every session id, sorted: what short ids are measured against. */
  sessionIds(): Promise<string[]>;
  /** The ids just before and just after `id` in sorted order (null at either end): all its short id depends on. */
  neighbourIds(id: string): Promise<{ before: string | null; after: string | null }>;
  /** Sessions whose id starts with `prefix` (lower-case hex), at most `limit`, by id. */
  findSessionsByIdPrefix(prefix: string, limit: number): Promise<Session[]>;
  /** Sessions titled exactly `title`, most recently used first, at most `limit`. */
  findSessionsByTitle(title: string, limit: number): Promise<Session[]>;
  /** The session used most recently, or null when there is none. */
  latestSession(): Promise<Session | null>;
  /** Sets or (with null) clears a session's title; `not_found` when it does not exist. */
  renameSession(id: string, title: string | null): Promise<void>;
  /**
   * Deletes these sessions with their messages: they are hidden from every read at once, in one
   * transaction, and their messages removed in short batches after; returns how many went.
   * `in_use` (and nothing deleted) when one of them is in use. With `unusedSince`, only those
   * still not used since that time and not in use now: one used meanwhile is kept.
   */
  deleteSessions(ids: readonly string[], options?: { unusedSince?: Date }): Promise<number>;
  /** Sessions last used before `cutoff` and not in use now, oldest first. */
  sessionsUpdatedBefore(cutoff: Date): Promise<SessionSummary[]>;
  /** Full-text search over message content, best first; a {@link SearchSyntaxError} for a malformed query. */
  searchMessages(query: string, options?: { limit?: number }): Promise<SearchHit[]>;
  /**
   * Stores a whole session exactly as given (ids, timestamps, order), all of it or none: a big
   * one in short transactions, hidden from every read until the last one shows it.
   * `invalid_data` when the session or one of its message ids exists. `wait` says how long to wait for another process's lock, and what stops the wait.
   */
  importSession(session: Session, messages: readonly StoredMessage[], wait?: WaitOptions): Promise<void>;
  /**
   * Brings a stored session up to date with a later state of it, in one transaction, all or
   * nothing: appends `messages` (each must belong to it) after the `held` it holds, and sets its
   * fields to `session`'s, `updatedAt` exactly. Refused, changing nothing: `not_found` when it is
   * not there, `in_use` when an exchange holds it, `invalid_data` when a message id exists or it
   * no longer holds `held` messages (written to meanwhile).
   */
  extendSession(session: Session, messages: readonly StoredMessage[], options: { held: number }, wait?: WaitOptions): Promise<void>;
  /**
   * A new session holding copies (new ids) of the first `options.at` messages of `sourceId`
   * (all by default), with its provider, model and system prompt and a {@link ForkOrigin}
   * record, in one transaction: a source written to meanwhile gives a consistent prefix.
   * `not_found` when the source is not there; `invalid_data` when `at` is beyond its end.
   *
   * @example
   * const fork = await store.forkSession(id, { at: 4 }); // the first two turns
   */
  forkSession(sourceId: string, options?: ForkOptions, wait?: WaitOptions): Promise<Session>;
  /** Where the session was forked from; null when it is no fork (or not there). */
  sessionOrigin(id: string): Promise<ForkOrigin | null>;
  /** Records where an imported session was forked from; `not_found` when it is not there. */
  setSessionOrigin(id: string, origin: ForkOrigin | null): Promise<void>;
  /** The visible sessions forked from this one, oldest first. */
  listForks(id: string): Promise<ForkSummary[]>;
  /** Sets the session's `updatedAt` to now; `not_found` when it does not exist. */
  touchSession(id: string): Promise<void>;
  /** Deletes the session and its messages; false when there was no such session, `in_use` when it is in use. */
  deleteSession(id: string): Promise<boolean>;
  /**
   * Stores a new session with its first message and a {@link Lease} on it, in one transaction:
   * no cleanup can take the session between its creation and its first reply.
   * `invalid_data` when the session or the message id exists.
   */
  startSession(session: Session, first: StoredMessage, lease: Lease, wait?: WaitOptions): Promise<void>;
  /**
   * Takes a {@link Lease} on the session, or renews the one this holder has; `not_found` when
   * the session does not exist (any more).
   */
  leaseSession(sessionId: string, lease: Lease): Promise<void>;
  /** Gives a lease up; nothing happens when it has gone already. */
  releaseLease(sessionId: string, holder: string): Promise<void>;
  /** Those of the sessions that are in use now: they have a lease that has not lapsed. */
  sessionsInUse(ids: readonly string[]): Promise<string[]>;
  /**
   * Appends a message and moves the session's `updatedAt` up to the message's time, in one
   * transaction; `not_found` when the session does not exist. `wait` says how long to wait for
   * another process's lock (a reply already shown waits long), and what stops the wait.
   */
  addMessage(message: StoredMessage, wait?: WaitOptions): Promise<void>;
  /**
   * The bytes of a stored attachment, by its SHA-256 (64 lower-case hex digits); null when none
   * is stored under it (any more).
   */
  readAttachment(sha256: string): Promise<Uint8Array | null>;
  /** The session's messages in the order they were added (empty for an unknown session). */
  getMessages(sessionId: string): Promise<StoredMessage[]>;
  /** The text of the latest `limit` user messages in every visible session, newest first, repeats included. */
  recentQuestions(limit: number): Promise<string[]>;
  /**
   * The session's messages in the order they were added, read a page of at most `pageSize` at a
   * time as the pages are iterated, so a long session is never in memory whole. They are the
   * messages the session holds when this is called (`count` of them): one added meanwhile is
   * left out. A session deleted while its pages are read fails with kind `not_found` rather than
   * ending early. Empty for an unknown session.
   *
   * @example
   * const pages = await store.messagePages(id, { pageSize: 500 });
   * for await (const page of pages) for (const message of page) console.log(message.content);
   */
  messagePages(sessionId: string, options?: { pageSize?: number }): Promise<MessagePages>;
  /**
   * The least recently used sessions beyond the newest `target`, oldest first, without those in
   * `keep` and those in use (which still count): what {@link hideSessionsBeyond} would hide now.
   */
  sessionsBeyond(target: number, keep: readonly string[]): Promise<SessionSummary[]>;
  /**
   * One step of a cleanup by count, in one short write transaction that counts the sessions
   * again under the write lock: hides up to `max` of the least recently used sessions beyond the
   * newest `target`, never those in `keep` nor those in use (which still count). So however many
   * processes take such steps at once, together they never leave fewer than `target`. Hidden
   * sessions are gone for every reader (list, show, search, count, references) and left as
   * pending purges, which {@link purgePendingDeletions} reclaims, in this run or a later one.
   * Returns them as they were, in no set order.
   */
  hideSessionsBeyond(target: number, options: { keep: readonly string[]; max: number }, wait?: WaitOptions): Promise<SessionSummary[]>;
  /** One step of a cleanup by age, the same way: hides up to `max` sessions last used before `cutoff`. */
  hideSessionsUpdatedBefore(cutoff: Date, options: { keep: readonly string[]; max: number }, wait?: WaitOptions): Promise<SessionSummary[]>;
  /**
   * Reclaims pending purges (sessions a cleanup hid, or abandoned work taken over): their
   * messages with their search index entries, then their rows, in short transactions measured to
   * keep others' waits short, until none is left, `budget.budgetMs` is spent or `budget.signal`
   * stops it. Any process may run it at any time, several at once, or again after a crash:
   * nothing is lost or deleted twice, and what is left waits for the next run.
   */
  purgePendingDeletions(budget?: PurgeBudget, wait?: WaitOptions): Promise<PurgeProgress>;
  /**
   * Takes over bulk work (an import, a deletion) whose process stopped, its heartbeat lapsed
   * before `now` (by default the database's clock): hidden already, it becomes a pending purge
   * (see {@link purgePendingDeletions}), and is said on stderr. Returns what it took over. A
   * pending purge is not such work, and is never reported.
   */
  finishAbandonedWork(now?: Date, wait?: WaitOptions): Promise<AbandonedSession[]>;
  /** Releases the database; the store is unusable afterwards. */
  close(): Promise<void>;
}
