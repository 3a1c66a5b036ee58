import type { SQL } from "bun";
import * as attachmentsDb from "./generated/attachments.ts";
import * as leasesDb from "./generated/leases.ts";
import * as messageBatchesDb from "./generated/message-batches.ts";
import * as messagesDb from "./generated/messages.ts";
import * as sessionsDb from "./generated/sessions.ts";
import { newId, previewOf, type SearchHit, type Session, type SessionSummary, type StoredMessage } from "../../session.ts";
import { StorageError } from "../errors.ts";
import type { AbandonedSession, ForkOptions, ForkOrigin, ForkSummary, Lease, MessagePages, OpenOptions, PurgeBudget, PurgeProgress, SessionStore } from "../session-store.ts";
import { checkPageSize, pagesOf } from "../message-pages.ts";
import { attachmentsByMessage, forkCount, forkOrigin, forkTitle, hitMarkers, searchHit, sessionSummary, storedMessage, withAttachments } from "../rows.ts";
import { asStored, checkOrigin, checkCleanupStep, checkCount, checkDate, checkId, checkIdPrefix, checkImport, checkLease, checkMessage, checkSession, checkSha256, type CheckedMessage } from "../validate.ts";
import { openPostgres } from "./bootstrap.ts";
import { postgresCode, storageErrorFromPostgres } from "./postgres-errors.ts";
import { describeUrl } from "./url.ts";
import { isRecord } from "../../unknown-values.ts";
import { lockAttemptMs, retryWhileLocked, type WaitOptions } from "../lock-wait.ts";
import { finishAbandoned, finishLater, importFreeingIds, importHidden, purgeInBatches, purgePending, batchBudgetMs, heartbeatMs, lostImport, isSmallImport } from "../bulk.ts";

/** Heartbeats are kept by the server's clock. */
const leaseSeconds = heartbeatMs / 1000;
/** Pending purges reclaimed together: one array parameter, so any number fits; this many keeps a batch's join small. */
const pendingIdsAtOnce = 500;
/** SQLSTATE lock_not_available: a lock wait ran past lock_timeout. */
const lockNotAvailable = "55P03";
/** Search ranks only this many of the most recent matches: a common word matches most messages. */
const searchCandidates = 1000;
/**
 * Messages per statement when many are stored at once: each session's summary is updated once
 * per statement (statement-level triggers), so fewer, bigger statements; the character bound
 * keeps one statement about a megabyte.
 */
const messageBatch = 500;
const messageBatchChars = 1_000_000;

type SummaryRow = sessionsDb.ListSessionsRow;

/**
 * The PostgreSQL adapter of {@link SessionStore}, on Bun's built-in client: a server several
 * machines share. Same behaviour as SqliteStore, proven by the same contract suite.
 *
 * @example
 * const store = await PostgresStore.open("postgres://me@db.internal/synapse?sslmode=require");
 */
export class PostgresStore implements SessionStore {
  readonly shared = true;
  readonly #url: string;
  readonly #sql: SQL;

  private constructor(url: string, sql: SQL) {
    this.#url = url;
    this.#sql = sql;
  }

  /** Connects and migrates the database `url` names (`postgres://` or `postgresql://`). */
  static async open(url: string, options: OpenOptions = {}): Promise<PostgresStore> {
    return new PostgresStore(url, await openPostgres(url, undefined, options));
  }

  /** The database, as it may be shown: without the password. */
  get location(): string {
    return describeUrl(this.#url);
  }

  async createSession(session: Session): Promise<void> {
    const checked = checkSession(session);
    await this.#write("creating a session", async (tx) => {
      await sessionsDb.lockForWriting(tx);
      await this.#insertSession(tx, checked);
    });
  }

  async getSession(id: string): Promise<Session | null> {
    const sessionId = checkId(id, "session id");
    const row = await this.#run("reading a session", () => sessionsDb.getSession(this.#sql, { id: sessionId }));
    return row;
  }

  async listSessions(options: { limit?: number } = {}): Promise<SessionSummary[]> {
    const max = options.limit === undefined ? null : checkCount(options.limit, "limit");
    return (await this.#run("listing sessions", () => sessionsDb.listSessions(this.#sql, { max }))).map(toSummary);
  }

  async countSessions(): Promise<number> {
    return (await this.#run("counting sessions", () => sessionsDb.countSessions(this.#sql)))?.count ?? 0;
  }

  async countTitledSessions(): Promise<number> {
    return (await this.#run("counting sessions", () => sessionsDb.countTitledSessions(this.#sql)))?.count ?? 0;
  }

  async sessionIds(): Promise<string[]> {
    return (await this.#run("listing sessions", () => sessionsDb.listSessionIds(this.#sql))).map((r) => r.id);
  }

  async neighbourIds(id: string): Promise<{ before: string | null; after: string | null }> {
    const params = { id: checkId(id, "session id") };
    const [before, after] = await this.#run("reading session ids", () =>
      Promise.all([sessionsDb.getPreviousSessionId(this.#sql, params), sessionsDb.getNextSessionId(this.#sql, params)]),
    );
    return { before: before?.id ?? null, after: after?.id ?? null };
  }

  async findSessionsByIdPrefix(prefix: string, limit: number): Promise<Session[]> {
    // Only hex and '-': no LIKE wildcard can reach the pattern.
    const params = { pattern: `${checkIdPrefix(prefix)}%`, max: checkCount(limit, "limit") };
    return this.#run("finding sessions", () => sessionsDb.findSessionsByIdPrefix(this.#sql, params));
  }

  async findSessionsByTitle(title: string, limit: number): Promise<Session[]> {
    return this.#run("finding sessions", () => sessionsDb.findSessionsByTitle(this.#sql, { title, max: checkCount(limit, "limit") }));
  }

  async latestSession(): Promise<Session | null> {
    return this.#run("reading a session", () => sessionsDb.getLatestSession(this.#sql));
  }

  async renameSession(id: string, title: string | null): Promise<void> {
    const sessionId = checkId(id, "session id");
    const changed = await this.#run("renaming a session", () => sessionsDb.renameSession(this.#sql, { id: sessionId, title }));
    if (changed === 0) throw StorageError.notFound(sessionId);
  }

  async touchSession(id: string): Promise<void> {
    const sessionId = checkId(id, "session id");
    const changed = await this.#write("updating a session", async (tx) => {
      await sessionsDb.lockForWriting(tx);
      return sessionsDb.touchSession(tx, { id: sessionId, updatedAt: new Date() });
    });
    if (changed === 0) throw StorageError.notFound(sessionId);
  }

  async deleteSession(id: string): Promise<boolean> {
    return (await this.deleteSessions([checkId(id, "session id")])) > 0;
  }

  async deleteSessions(ids: readonly string[], options: { unusedSince?: Date } = {}): Promise<number> {
    const checked = ids.map((id) => checkId(id, "session id"));
    if (checked.length === 0) return 0;
    const cutoff = options.unusedSince;
    // One short transaction hides them all: from then on they are gone for every reader. Their
    // messages follow in batches, so a big session never holds its locks for long.
    const hidden = await this.#write("deleting sessions", async (tx) => {
      // Exclusive, like cleanup: no lease can be taken between the check and the hiding.
      await sessionsDb.lockCleanup(tx);
      // Named sessions are all deleted or none; idle ones in use are only skipped.
      if (cutoff === undefined) await refuseInUse(tx, checked);
      const rows =
        cutoff === undefined
          ? await sessionsDb.hideSessions(tx, { leaseSeconds, ids: checked })
          : await sessionsDb.hideSessionsIfUpdatedBefore(tx, { leaseSeconds, cutoff, ids: checked });
      return rows.map((r) => r.id);
    });
    await finishLater(this.#purge(hidden, "deleting sessions"), hidden.length);
    return hidden.length;
  }

  async sessionsUpdatedBefore(cutoff: Date): Promise<SessionSummary[]> {
    return (await this.#run("listing sessions", () => sessionsDb.listSessionsUpdatedBefore(this.#sql, { cutoff }))).map(toSummary);
  }

  async addMessage(message: StoredMessage, wait: WaitOptions = {}): Promise<void> {
    const checked = checkMessage(message);
    await this.#write(
      message.role === "assistant" ? "storing the reply" : "storing your question",
      async (tx) => {
        // Shared with other writers, exclusive to cleanup: see LockCleanup in queries/postgres/sessions.sql.
        await sessionsDb.lockForWriting(tx);
        // A hidden session (being deleted or imported) takes no new messages. Its row is locked
        // before the message is numbered: see GetSessionForAppend.
        const session = await sessionsDb.getSessionForAppend(tx, { id: checked.sessionId });
        if (session === null) throw StorageError.notFound(checked.sessionId);
        await lockFiles(tx, [checked]);
        await this.#insertMessage(tx, asStored(checked, session));
        await messagesDb.touchSessionForMessage(tx, { sessionId: checked.sessionId, timestamp: checked.timestamp });
      },
      wait,
    );
  }

  async forkSession(sourceId: string, options: ForkOptions = {}, wait: WaitOptions = {}): Promise<Session> {
    const id = checkId(sourceId, "session id");
    const forkId = newId();
    const now = new Date();
    return this.#write(
      "forking a session",
      async (tx) => {
        await sessionsDb.lockForWriting(tx);
        // FOR SHARE: no message is added to the source until this commits (a consistent prefix).
        const source = await sessionsDb.getForkSource(tx, { id });
        if (source === null) throw StorageError.notFound(id);
        const at = forkCount(options.at, source.messageCount, id);
        const fork = checkSession({
          id: forkId,
          title: options.title === undefined ? forkTitle(source) : options.title,
          provider: source.provider,
          model: source.model,
          systemPrompt: source.systemPrompt,
          createdAt: now,
          updatedAt: now,
        });
        const last = at === 0 ? null : ((await messagesDb.getMessageAt(tx, { sessionId: id, skip: at - 1 }))?.id ?? null);
        await sessionsDb.createForkedSession(tx, { ...fork, forkedFrom: id, forkedFromMessage: last, forkedAt: at });
        if (at > 0) {
          await messagesDb.copyMessages(tx, { forkId, sourceId: id, max: at });
          // No file lock: the source's links stay while it is locked FOR SHARE, so do their files.
          await attachmentsDb.copyMessageAttachments(tx, { forkId, sourceId: id });
        }
        return fork;
      },
      wait,
    );
  }

  async sessionOrigin(id: string): Promise<ForkOrigin | null> {
    const sessionId = checkId(id, "session id");
    const row = await this.#run("reading a session", () => sessionsDb.getSessionOrigin(this.#sql, { id: sessionId }));
    return row === null ? null : forkOrigin(row);
  }

  async setSessionOrigin(id: string, origin: ForkOrigin | null): Promise<void> {
    const sessionId = checkId(id, "session id");
    const params = checkOrigin(sessionId, origin);
    await this.#write("recording where a session was forked from", async (tx) => {
      if ((await sessionsDb.getSession(tx, { id: sessionId })) === null) throw StorageError.notFound(sessionId);
      await sessionsDb.setSessionOrigin(tx, params);
    });
  }

  async listForks(id: string): Promise<ForkSummary[]> {
    const sessionId = checkId(id, "session id");
    const rows = await this.#run("listing forks", () => sessionsDb.listForks(this.#sql, { id: sessionId }));
    return rows.map((row) => ({ id: row.id, title: row.title, preview: previewOf(row.firstUserMessage), at: row.forkedAt ?? 0, createdAt: row.createdAt }));
  }

  async getMessages(sessionId: string): Promise<StoredMessage[]> {
    const id = checkId(sessionId, "session id");
    // The messages first: a link is stored with its message and removed with it, so every
    // message read here has its files in what is read next.
    const { rows, attachments } = await this.#run("reading messages", async () => {
      const rows = await messagesDb.getMessages(this.#sql, { sessionId: id });
      return { rows, attachments: await attachmentsDb.getSessionAttachments(this.#sql, { sessionId: id }) };
    });
    return withAttachments(
      rows.map((row) => storedMessage(row, row.timestamp)),
      attachmentsByMessage(attachments),
    );
  }

  async readAttachment(sha256: string): Promise<Uint8Array | null> {
    const hash = checkSha256(sha256);
    const row = await this.#run("reading a file", () => attachmentsDb.getAttachmentData(this.#sql, { sha256: hash }));
    // Bun reads bytea as a Buffer: the same bytes, given as the plain Uint8Array the store promises.
    return row === null ? null : new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength);
  }

  async recentQuestions(limit: number): Promise<string[]> {
    const params = { max: checkCount(limit, "limit") };
    return (await this.#run("reading your earlier questions", () => messagesDb.recentQuestions(this.#sql, params))).map((r) => r.content);
  }

  async messagePages(sessionId: string, options: { pageSize?: number } = {}): Promise<MessagePages> {
    const id = checkId(sessionId, "session id");
    const pageSize = checkPageSize(options.pageSize);
    // The files are few beside the messages, and small without their bytes: read once, after the
    // span (so every message it counts has its links stored by then).
    const { span, attachments } = await this.#run("reading messages", async () => {
      const span = await messagesDb.getMessageSpan(this.#sql, { sessionId: id });
      return { span, attachments: attachmentsByMessage(await attachmentsDb.getSessionAttachments(this.#sql, { sessionId: id })) };
    });
    const last = span?.lastSeq ?? "0";
    return pagesOf(id, span?.count ?? 0, "0", pageSize, async (after, max) => {
      const rows = await this.#run("reading messages", () => messagesDb.getMessagePage(this.#sql, { sessionId: id, after, last, max }));
      return {
        messages: withAttachments(
          rows.map((row) => storedMessage(row, row.timestamp)),
          attachments,
        ),
        last: rows.at(-1)?.seq ?? after,
      };
    });
  }

  async searchMessages(query: string, options: { limit?: number } = {}): Promise<SearchHit[]> {
    if (query.trim() === "") throw StorageError.invalidData("the search query is empty");
    const markers = hitMarkers();
    const params = { query, ...markers, candidates: searchCandidates, max: checkCount(options.limit ?? 20, "limit") };
    // websearch_to_tsquery reads any text, so there is no syntax error to report here.
    const rows = await this.#run("searching", () => messagesDb.searchMessages(this.#sql, params));
    return rows.map((row) => searchHit(row, row.timestamp, markers));
  }

  async importSession(session: Session, messages: readonly StoredMessage[], wait: WaitOptions = {}): Promise<void> {
    const { session: checkedSession, messages: checkedMessages } = checkImport(session, messages);
    // A stopped import of this very session, or a deleted one whose rows are still to be
    // reclaimed, holds its ids: the one is taken over, and either is reclaimed if in the way.
    await this.finishAbandonedWork(undefined, wait);
    await importFreeingIds(
      () => this.#importChecked(checkedSession, checkedMessages, wait),
      () => this.#purge([checkedSession.id], "importing a session", wait),
    );
  }

  async #importChecked(checkedSession: Session, checkedMessages: CheckedMessage[], wait: WaitOptions): Promise<void> {
    if (isSmallImport(checkedMessages)) {
      await this.#write(
        "importing a session",
        async (tx) => {
          await sessionsDb.lockForWriting(tx);
          await this.#insertSession(tx, checkedSession);
          await lockFiles(tx, checkedMessages);
          await this.#insertMessages(tx, checkedMessages);
          // Messages move updated_at forward; the import keeps the given value exactly.
          await sessionsDb.touchSession(tx, { id: checkedSession.id, updatedAt: checkedSession.updatedAt });
        },
        wait,
      );
      return;
    }
    const id = checkedSession.id;
    const runs = [...batches(checkedMessages)];
    const files = fileHashes(checkedMessages);
    await importHidden(id, runs.length, {
      create: () =>
        this.#write(
          "importing a session",
          async (tx) => {
            await sessionsDb.lockForWriting(tx);
            await this.#insertSession(tx, checkedSession, true);
          },
          wait,
        ),
      addFrom: (from) =>
        this.#write(
          "importing a session",
          async (tx) => {
            await sessionsDb.lockForWriting(tx);
            if ((await sessionsDb.renewHiddenSessions(tx, { leaseSeconds, state: "importing", ids: [id] })) === 0) throw lostImport(id);
            // Every file of the import, locked at once (see lockFiles): the runs this step reaches
            // depend on the time they take, and a file already added is locked at no harm.
            await lockHashes(tx, files);
            const started = performance.now();
            let i = from;
            do await this.#insertMessages(tx, runs[i++]!);
            while (i < runs.length && performance.now() - started < batchBudgetMs);
            return i;
          },
          wait,
        ),
      show: () =>
        this.#write(
          "importing a session",
          async (tx) => {
            await sessionsDb.lockForWriting(tx);
            return sessionsDb.showImportedSession(tx, { id, updatedAt: checkedSession.updatedAt });
          },
          wait,
        ),
      undo: () => this.#undoImport(id),
    });
  }

  async extendSession(session: Session, messages: readonly StoredMessage[], options: { held: number }, wait: WaitOptions = {}): Promise<void> {
    const checked = checkImport(session, messages);
    const id = checked.session.id;
    const held = checkCount(options.held, "held");
    await this.#write(
      "bringing a session up to date",
      async (tx) => {
        // Exclusive, like a delete: no lease can be taken between the check and the writes.
        await sessionsDb.lockCleanup(tx);
        await refuseInUse(tx, [id]);
        // Its replies keep the provider and model that wrote them, should the session's change.
        await messagesDb.pinReplyModels(tx, { sessionId: id, provider: checked.session.provider, model: checked.session.model });
        if ((await sessionsDb.updateSessionIfHolding(tx, { ...checked.session, held })) === 0) {
          throw (await sessionsDb.getSession(tx, { id })) === null ? StorageError.notFound(id) : StorageError.writtenMeanwhile(id, held);
        }
        await lockFiles(tx, checked.messages);
        for (const run of batches(checked.messages)) await this.#insertMessages(tx, run);
      },
      wait,
    );
  }

  /** Removes what a failed import stored; if that fails too, the next cleanup will. */
  async #undoImport(id: string): Promise<void> {
    try {
      const abandoned = await this.#write("importing a session", (tx) => sessionsDb.abandonImport(tx, { id, leaseSeconds }));
      if (abandoned > 0) await this.#purge([id], "importing a session");
    } catch {
      // Still hidden: its heartbeat lapses and a cleanup removes it.
    }
  }

  /**
   * {@link purgeInBatches}, each batch one write transaction; every id in one array parameter,
   * as PostgreSQL takes any number. `doing` names the work in errors.
   */
  async #purge(ids: readonly string[], doing: string, wait: WaitOptions = {}): Promise<void> {
    await purgeInBatches(ids, Math.max(ids.length, 1), (some, rows, renew) => this.#purgeBatch(some, rows, renew, doing, wait));
  }

  /** One batch of a purge ({@link PurgeBatch}) in one write transaction. */
  async #purgeBatch(some: string[], rows: number, renew: boolean, doing: string, wait: WaitOptions): Promise<{ deleted: number; ms: number; sessions: number }> {
    return this.#write(
      doing,
      async (tx) => {
        const started = performance.now();
        if (renew) await sessionsDb.renewHiddenSessions(tx, { leaseSeconds, state: "deleting", ids: some });
        // Only sessions still hidden for deletion: none if another process finished them.
        const deleted = await sessionsDb.deleteMessagesOfHiddenSessions(tx, { ids: some, batch: rows });
        const sessions = deleted < rows ? await sessionsDb.deleteHiddenSessions(tx, { ids: some }) : 0;
        return { deleted, sessions, ms: performance.now() - started };
      },
      wait,
    );
  }

  async finishAbandonedWork(now?: Date, wait: WaitOptions = {}): Promise<AbandonedSession[]> {
    const at = now === undefined ? null : checkDate(now, "time");
    return finishAbandoned(
      async () => {
        // Nearly always there is none: one statement finds that out without a write transaction.
        if ((await this.#run("cleaning up sessions", () => sessionsDb.listAbandonedSessions(this.#sql, { at }))).length === 0) return [];
        return this.#write(
          "cleaning up sessions",
          async (tx) => {
            const rows = await sessionsDb.listAbandonedSessions(tx, { at });
            if (rows.length > 0) await sessionsDb.claimAbandonedSessions(tx, { ids: rows.map((r) => r.id) });
            return rows;
          },
          wait,
        );
      },
    );
  }

  async startSession(session: Session, first: StoredMessage, lease: Lease, wait: WaitOptions = {}): Promise<void> {
    const checked = checkImport(session, [first]);
    const { holder, ttlMs } = checkLease(lease);
    await this.#write(
      "storing your question",
      async (tx) => {
        await sessionsDb.lockForWriting(tx);
        await this.#insertSession(tx, checked.session);
        await lockFiles(tx, checked.messages);
        for (const message of checked.messages) await this.#insertMessage(tx, message);
        await takeLease(tx, checked.session.id, holder, ttlMs);
      },
      wait,
    );
  }

  async leaseSession(sessionId: string, lease: Lease): Promise<void> {
    const id = checkId(sessionId, "session id");
    const { holder, ttlMs } = checkLease(lease);
    await this.#write("marking a session in use", async (tx) => {
      // Shared with writers, exclusive to cleanup and deletes: none of them is halfway through
      // deciding to delete this session while the lease is taken.
      await sessionsDb.lockForWriting(tx);
      await takeLease(tx, id, holder, ttlMs);
    });
  }

  async releaseLease(sessionId: string, holder: string): Promise<void> {
    const params = { sessionId: checkId(sessionId, "session id"), holder: checkId(holder, "lease holder") };
    await this.#run("marking a session no longer in use", () => leasesDb.releaseLease(this.#sql, params));
  }

  async sessionsInUse(ids: readonly string[]): Promise<string[]> {
    const checked = ids.map((id) => checkId(id, "session id"));
    const rows = await this.#run("reading which sessions are in use", () => leasesDb.listSessionsInUse(this.#sql, { ids: checked }));
    return rows.map((r) => r.sessionId);
  }

  async sessionsBeyond(target: number, keep: readonly string[]): Promise<SessionSummary[]> {
    const beyond = checkCount(target, "target");
    const spared = keep.map((id) => checkId(id, "session id to keep"));
    const rows = await this.#run("planning a cleanup", () =>
      this.#sql.begin("read only", async (tx) => {
        const excess = ((await sessionsDb.countUntitledSessions(tx))?.count ?? 0) - beyond;
        return excess <= 0 ? [] : sessionsDb.listLeastRecentSessions(tx, { keep: spared, max: excess });
      }),
    );
    return rows.map(toSummary);
  }

  async hideSessionsBeyond(target: number, options: { keep: readonly string[]; max: number }, wait: WaitOptions = {}): Promise<SessionSummary[]> {
    const beyond = checkCount(target, "target");
    const { keep, max } = checkCleanupStep(options);
    const rows = await this.#write(
      "cleaning up sessions",
      async (tx) => {
        // Exclusive to cleanups and deletes, shared by every writer: another process's step cannot
        // make this one hide too many, and a session being written to is never taken from under it.
        await sessionsDb.lockCleanup(tx);
        const excess = ((await sessionsDb.countUntitledSessions(tx))?.count ?? 0) - beyond;
        if (excess <= 0) return [];
        return sessionsDb.hideLeastRecentSessions(tx, { keep, batch: Math.min(excess, max) });
      },
      wait,
    );
    return rows.map(toSummary);
  }

  async hideSessionsUpdatedBefore(cutoff: Date, options: { keep: readonly string[]; max: number }, wait: WaitOptions = {}): Promise<SessionSummary[]> {
    const before = checkDate(cutoff, "cutoff");
    const { keep, max } = checkCleanupStep(options);
    const rows = await this.#write(
      "cleaning up sessions",
      async (tx) => {
        await sessionsDb.lockCleanup(tx);
        return sessionsDb.hideSessionsUpdatedBefore(tx, { cutoff: before, keep, batch: max });
      },
      wait,
    );
    return rows.map(toSummary);
  }

  async purgePendingDeletions(budget: PurgeBudget = {}, wait: WaitOptions = {}): Promise<PurgeProgress> {
    const waits = { ...wait, signal: budget.signal ?? wait.signal };
    return purgePending(
      async (max) => (await this.#run("cleaning up sessions", () => sessionsDb.listPendingPurges(this.#sql, { max }))).map((r) => r.id),
      pendingIdsAtOnce,
      (some, rows) => this.#purgeBatch(some, rows, false, "cleaning up sessions", waits),
      budget,
    );
  }

  async close(): Promise<void> {
    await this.#sql.close();
  }

  /** Inserts a session: visible, or hidden (with a heartbeat) for an import in batches. */
  async #insertSession(sql: SQL, session: Session, hidden = false): Promise<void> {
    try {
      if (hidden) await sessionsDb.createHiddenSession(sql, { ...session, leaseSeconds });
      else await sessionsDb.createSession(sql, session);
    } catch (error) {
      if (postgresCode(error) === "23505") throw StorageError.idTaken(`session ${session.id}`, { sessionId: session.id, cause: error });
      throw error;
    }
  }

  /** Inserts a message with the files it carried; the caller holds their locks ({@link lockFiles}). */
  async #insertMessage(sql: SQL, message: CheckedMessage): Promise<void> {
    try {
      await messagesDb.addMessage(sql, message);
    } catch (error) {
      const code = postgresCode(error);
      if (code === "23503") throw StorageError.notFound(message.sessionId);
      if (code === "23505") throw StorageError.idTaken(`message ${message.id}`, { sessionId: message.sessionId, cause: error });
      throw error;
    }
    await addFiles(sql, [message]);
  }

  async #insertMessages(sql: SQL, messages: CheckedMessage[]): Promise<void> {
    try {
      await messageBatchesDb.addMessages(sql, {
        ids: messages.map((m) => m.id),
        sessionIds: messages.map((m) => m.sessionId),
        roles: messages.map((m) => m.role),
        contents: messages.map((m) => m.content),
        timestamps: messages.map((m) => m.timestamp),
        interrupted: messages.map((m) => m.interrupted),
        // -1 stands for "not reported", "" for the session's provider or model (see AddMessages).
        inputTokens: messages.map((m) => m.inputTokens ?? -1),
        outputTokens: messages.map((m) => m.outputTokens ?? -1),
        providers: messages.map((m) => m.provider ?? ""),
        models: messages.map((m) => m.model ?? ""),
        toolCalls: messages.map((m) => m.toolCalls ?? ""),
        toolCallIds: messages.map((m) => m.toolCallId ?? ""),
        toolErrors: messages.map((m) => m.toolError),
      });
    } catch (error) {
      const sessionId = messages[0]?.sessionId ?? "";
      const code = postgresCode(error);
      if (code === "23503") throw StorageError.notFound(sessionId);
      if (code === "23505") {
        const id = /\(id\)=\(([0-9a-f-]+)\)/.exec(detailOf(error))?.[1];
        throw StorageError.idTaken(`message ${id ?? "id"}`, { sessionId, cause: error });
      }
      throw error;
    }
    await addFiles(sql, messages);
  }

  /**
   * One write transaction whose lock waits are short on the server and retried here, so the
   * event loop (and Ctrl+C) keeps running while another process holds a lock; see lock-wait.ts.
   */
  async #write<T>(doing: string, work: (tx: SQL) => Promise<T>, wait: WaitOptions = {}): Promise<T> {
    const attempt = () =>
      this.#sql.begin(async (tx) => {
        await sessionsDb.limitLockWait(tx, { timeout: `${lockAttemptMs}ms` });
        return work(tx);
      });
    return this.#run(doing, () => retryWhileLocked(attempt, (error) => postgresCode(error) === lockNotAvailable, this.location, wait));
  }

  async #run<T>(doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw storageErrorFromPostgres(error, this.#url, doing);
    }
  }
}

/**
 * Messages in runs of at most `messageBatch`, and of `messageBatchChars` unless one alone is
 * longer; the bytes of the files they carry count as characters.
 */
function* batches(messages: CheckedMessage[]): Generator<CheckedMessage[]> {
  let batch: CheckedMessage[] = [];
  let chars = 0;
  for (const message of messages) {
    const size = message.content.length + message.attachments.reduce((sum, file) => sum + file.size, 0);
    if (batch.length > 0 && (batch.length === messageBatch || chars + size > messageBatchChars)) {
      yield batch;
      batch = [];
      chars = 0;
    }
    batch.push(message);
    chars += size;
  }
  if (batch.length > 0) yield batch;
}

/**
 * Locks, for the rest of the transaction, the files `messages` carry: one statement, all at once
 * in the order of their keys, before the transaction adds any (so two writers never wait for each
 * other), and none when they carry none. Without it, a purge removing the last link to a file
 * could remove the file while this transaction links to it (see migration 006).
 */
async function lockFiles(sql: SQL, messages: readonly CheckedMessage[]): Promise<void> {
  await lockHashes(sql, fileHashes(messages));
}

/** {@link lockFiles}, given the hashes. */
async function lockHashes(sql: SQL, hashes: string[]): Promise<void> {
  if (hashes.length > 0) await attachmentsDb.lockAttachments(sql, { hashes });
}

/** The hashes of the files `messages` carry, each once. */
function fileHashes(messages: readonly CheckedMessage[]): string[] {
  return [...new Set(messages.flatMap((m) => m.attachments.map((file) => file.sha256)))];
}

/**
 * Stores the files `messages` carried, each content once however many carry it, and their links
 * (one statement); the messages are in, and the files locked ({@link lockFiles}).
 */
async function addFiles(sql: SQL, messages: readonly CheckedMessage[]): Promise<void> {
  const links: attachmentsDb.AddMessageAttachmentsParams = { messageIds: [], positions: [], sessionIds: [], names: [], hashes: [] };
  const added = new Set<string>();
  for (const message of messages) {
    for (const [position, file] of message.attachments.entries()) {
      if (!added.has(file.sha256)) {
        added.add(file.sha256);
        await attachmentsDb.addAttachment(sql, file);
      }
      links.messageIds.push(message.id);
      links.positions.push(position);
      links.sessionIds.push(message.sessionId);
      links.names.push(file.name);
      links.hashes.push(file.sha256);
    }
  }
  if (links.messageIds.length > 0) await attachmentsDb.addMessageAttachments(sql, links);
}

/** The server's detail line of an error (`Key (id)=(…) already exists.`), or "". */
function detailOf(error: unknown): string {
  const detail = isRecord(error) ? error.detail : undefined;
  return typeof detail === "string" ? detail : "";
}

/** Takes or renews a lease, inside the caller's transaction; expired leases are cleared on the way. */
async function takeLease(tx: SQL, sessionId: string, holder: string, ttlMs: number): Promise<void> {
  await leasesDb.deleteExpiredLeases(tx);
  const taken = await leasesDb.leaseSession(tx, { holder, ttlSeconds: ttlMs / 1000, sessionId });
  // No row: the session is not there, or hidden (being imported or deleted).
  if (taken === 0) throw StorageError.notFound(sessionId);
}

/** A session named for deletion that is in use is refused, not pulled from under its writer. */
async function refuseInUse(tx: SQL, ids: string[]): Promise<void> {
  const inUse = (await leasesDb.listSessionsInUse(tx, { ids })).map((r) => r.sessionId);
  if (inUse.length > 0) throw StorageError.inUse(inUse);
}

function toSummary(row: SummaryRow): SessionSummary {
  return sessionSummary(row, row.createdAt, row.updatedAt);
}
