import type { Database } from "bun:sqlite";
import * as attachmentsDb from "./generated/attachments.ts";
import * as leasesDb from "./generated/leases.ts";
import * as messagesDb from "./generated/messages.ts";
import * as sessionsDb from "./generated/sessions.ts";
import { newId, previewOf, type SearchHit, type Session, type SessionSummary, type StoredMessage } from "../../session.ts";
import { SearchSyntaxError, StorageError } from "../errors.ts";
import type { AbandonedSession, ForkOptions, ForkOrigin, ForkSummary, Lease, MessagePages, OpenOptions, PurgeBudget, PurgeProgress, SessionStore } from "../session-store.ts";
import { checkPageSize, pagesOf } from "../message-pages.ts";
import { fromStoredTime, toStoredTime } from "../timestamps.ts";
import { attachmentsByMessage, forkCount, forkOrigin, forkTitle, hitMarkers, searchHit, sessionSummary, storedMessage, withAttachments } from "../rows.ts";
import { asStored, checkOrigin, checkCleanupStep, checkCount, checkDate, checkId, checkIdPrefix, checkImport, checkLease, checkMessage, checkSha256, checkSession, type CheckedAttachment, type CheckedMessage } from "../validate.ts";
import { memoryPath, openDatabase } from "./bootstrap.ts";
import { sqliteCode, storageErrorFrom } from "./sqlite-errors.ts";
import { retryWhenFull } from "./disk-full.ts";
import { messageOf } from "../../unknown-values.ts";
import { retryWhileLocked, type WaitOptions } from "../lock-wait.ts";
import { finishAbandoned, finishLater, importFreeingIds, importHidden, purgeInBatches, purgePending, batchBudgetMs, heartbeatEnd, idsPerStatement, lostImport, isSmallImport } from "../bulk.ts";

/** Search ranks only this many of the most recent matches: a common word matches most messages. */
const searchCandidates = 1000;

type SessionRow = sessionsDb.GetSessionRow;
/** A message to insert, with the files it carried (each with its bytes). */
type MessageParams = messagesDb.AddMessageParams & { attachments: readonly CheckedAttachment[] };
type SummaryRow = sessionsDb.ListSessionsRow;

/**
 * The SQLite adapter of {@link SessionStore}: one file (WAL journal, foreign keys on, a busy
 * timeout), shared safely by several Synapse processes at once.
 *
 * @example
 * const store = SqliteStore.open("/home/me/.config/synapse/sessions.db");
 * const sessions = await store.listSessions();
 */
export class SqliteStore implements SessionStore {
  readonly path: string;
  readonly shared = false;
  #db: Database;
  /** Set once SQLite reports the file damaged: every later call fails with it, writing nothing. */
  #corrupt: StorageError | null = null;

  private constructor(path: string, db: Database) {
    this.path = path;
    this.#db = db;
  }

  /** Opens (creating and migrating when needed) the database at `path`, or `:memory:`. */
  static open(path: string, options: OpenOptions = {}): SqliteStore {
    return new SqliteStore(path, openDatabase(path, undefined, options));
  }

  /** A private database that lives as long as the store; for tests and trials. */
  static inMemory(): SqliteStore {
    return SqliteStore.open(memoryPath);
  }

  async createSession(session: Session): Promise<void> {
    const row = sessionParams(session);
    await this.#run("creating a session", () => this.#insertSession(row));
  }

  async getSession(id: string): Promise<Session | null> {
    const sessionId = checkId(id, "session id");
    const row = await this.#run("reading a session", () => sessionsDb.getSession(this.#db, { id: sessionId }));
    return row === null ? null : toSession(row);
  }

  async listSessions(options: { limit?: number } = {}): Promise<SessionSummary[]> {
    const max = options.limit === undefined ? -1 : checkCount(options.limit, "limit");
    return (await this.#run("listing sessions", () => sessionsDb.listSessions(this.#db, { max }))).map(toSummary);
  }

  async countSessions(): Promise<number> {
    return this.#run("counting sessions", () => sessionsDb.countSessions(this.#db)?.count ?? 0);
  }

  async countTitledSessions(): Promise<number> {
    return this.#run("counting sessions", () => sessionsDb.countTitledSessions(this.#db)?.count ?? 0);
  }

  async sessionIds(): Promise<string[]> {
    return this.#run("listing sessions", () => sessionsDb.listSessionIds(this.#db).map((r) => r.id));
  }

  async neighbourIds(id: string): Promise<{ before: string | null; after: string | null }> {
    const params = { id: checkId(id, "session id") };
    return this.#run("reading session ids", () => ({
      before: sessionsDb.getPreviousSessionId(this.#db, params)?.id ?? null,
      after: sessionsDb.getNextSessionId(this.#db, params)?.id ?? null,
    }));
  }

  async findSessionsByIdPrefix(prefix: string, limit: number): Promise<Session[]> {
    const low = checkIdPrefix(prefix);
    const params = { low, high: `${low}g`, max: checkCount(limit, "limit") };
    return (await this.#run("finding sessions", () => sessionsDb.findSessionsByIdRange(this.#db, params))).map(toSession);
  }

  async findSessionsByTitle(title: string, limit: number): Promise<Session[]> {
    const params = { title, max: checkCount(limit, "limit") };
    return (await this.#run("finding sessions", () => sessionsDb.findSessionsByTitle(this.#db, params))).map(toSession);
  }

  async latestSession(): Promise<Session | null> {
    const row = await this.#run("reading a session", () => sessionsDb.getLatestSession(this.#db));
    return row === null ? null : toSession(row);
  }

  async renameSession(id: string, title: string | null): Promise<void> {
    const sessionId = checkId(id, "session id");
    const changed = await this.#run("renaming a session", () => sessionsDb.renameSession(this.#db, { id: sessionId, title }));
    if (changed === 0) throw StorageError.notFound(sessionId);
  }

  async touchSession(id: string): Promise<void> {
    const sessionId = checkId(id, "session id");
    const changed = await this.#run("updating a session", () =>
      sessionsDb.touchSession(this.#db, { id: sessionId, updatedAt: toStoredTime(new Date()) }),
    );
    if (changed === 0) throw StorageError.notFound(sessionId);
  }

  async deleteSession(id: string): Promise<boolean> {
    return (await this.deleteSessions([checkId(id, "session id")])) > 0;
  }

  async deleteSessions(ids: readonly string[], options: { unusedSince?: Date } = {}): Promise<number> {
    const checked = ids.map((id) => checkId(id, "session id"));
    const cutoff = options.unusedSince === undefined ? undefined : toStoredTime(options.unusedSince);
    if (checked.length === 0) return 0;
    // One short transaction hides them all: from then on they are gone for every reader. Their
    // messages follow in batches, so a big session never holds the write lock for long.
    const hidden = await this.#run("deleting sessions", () =>
      this.#db
        .transaction(() => {
          const hiddenUntil = toStoredTime(heartbeatEnd());
          const now = toStoredTime(new Date());
          // Named sessions are all deleted or none; idle ones in use are only skipped.
          if (cutoff === undefined) this.#refuseInUse(checked, now);
          const out: string[] = [];
          for (let i = 0; i < checked.length; i += idsPerStatement) {
            const batch = checked.slice(i, i + idsPerStatement);
            const rows =
              cutoff === undefined
                ? sessionsDb.hideSessions(this.#db, { hiddenUntil, now, ids: batch })
                : sessionsDb.hideSessionsIfUpdatedBefore(this.#db, { hiddenUntil, cutoff, now, ids: batch });
            out.push(...rows.map((r) => r.id));
          }
          return out;
        })
        .immediate(),
    );
    await finishLater(this.#purge(hidden, "deleting sessions"), hidden.length);
    return hidden.length;
  }

  async sessionsUpdatedBefore(cutoff: Date): Promise<SessionSummary[]> {
    const params = { cutoff: toStoredTime(cutoff), now: toStoredTime(new Date()) };
    return (await this.#run("listing sessions", () => sessionsDb.listSessionsUpdatedBefore(this.#db, params))).map(toSummary);
  }

  async addMessage(message: StoredMessage, wait: WaitOptions = {}): Promise<void> {
    const row = messageParams(message);
    await this.#run(
      row.role === "assistant" ? "storing the reply" : "storing your question",
      () =>
        this.#db
          .transaction(() => {
            // A hidden session (being deleted or imported) takes no new messages.
            const session = sessionsDb.getSession(this.#db, { id: row.sessionId });
            if (session === null) throw StorageError.notFound(row.sessionId);
            this.#insertMessage(asStored(row, session));
            messagesDb.touchSessionForMessage(this.#db, { sessionId: row.sessionId, timestamp: row.timestamp });
          })
          .immediate(),
      wait,
    );
  }

  async getMessages(sessionId: string): Promise<StoredMessage[]> {
    const id = checkId(sessionId, "session id");
    const { rows, attachments } = await this.#run("reading messages", () =>
      this.#db.transaction(() => ({
        rows: messagesDb.getMessages(this.#db, { sessionId: id }),
        attachments: attachmentsDb.getSessionAttachments(this.#db, { sessionId: id }),
      }))(),
    );
    const messages = rows.map((row) => storedMessage(row, fromStoredTime(row.timestamp, "message", row.id)));
    return withAttachments(messages, attachmentsByMessage(attachments));
  }

  async readAttachment(sha256: string): Promise<Uint8Array | null> {
    const hash = checkSha256(sha256);
    const row = await this.#run("reading a file", () => attachmentsDb.getAttachmentData(this.#db, { sha256: hash }));
    return row === null ? null : row.data;
  }

  async recentQuestions(limit: number): Promise<string[]> {
    const params = { max: checkCount(limit, "limit") };
    return (await this.#run("reading your earlier questions", () => messagesDb.recentQuestions(this.#db, params))).map((r) => r.content);
  }

  async messagePages(sessionId: string, options: { pageSize?: number } = {}): Promise<MessagePages> {
    const id = checkId(sessionId, "session id");
    const pageSize = checkPageSize(options.pageSize);
    // The files are few beside the messages, and small without their bytes: read once, with the span.
    const { span, attachments } = await this.#run("reading messages", () =>
      this.#db.transaction(() => ({
        span: messagesDb.getMessageSpan(this.#db, { sessionId: id }),
        attachments: attachmentsByMessage(attachmentsDb.getSessionAttachments(this.#db, { sessionId: id })),
      }))(),
    );
    const last = span?.lastSeq ?? 0;
    return pagesOf(id, span?.count ?? 0, 0, pageSize, async (after, max) => {
      const rows = await this.#run("reading messages", () => messagesDb.getMessagePage(this.#db, { sessionId: id, after, last, max }));
      return {
        messages: withAttachments(
          rows.map((row) => storedMessage(row, fromStoredTime(row.timestamp, "message", row.id))),
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
    const rows = await this.#run("searching", () => {
      try {
        return messagesDb.searchMessages(this.#db, params);
      } catch (error) {
        // The statement itself is fixed and known good: a plain SQLITE_ERROR here is the query's.
        if (sqliteCode(error) === "SQLITE_ERROR") {
          const detail = messageOf(error).replace(/^fts5: /, "") || "not understood";
          throw new SearchSyntaxError(
            `the search ${JSON.stringify(query)} is not valid full-text syntax (${detail}); put words in double quotes to search for them as they are`,
            { cause: error },
          );
        }
        throw error;
      }
    });
    return rows.map((row) => searchHit(row, fromStoredTime(row.timestamp, "message", row.id), markers));
  }

  async importSession(session: Session, messages: readonly StoredMessage[], wait: WaitOptions = {}): Promise<void> {
    const checked = checkImport(session, messages);
    const sessionRow = sessionParams(checked.session);
    const messageRows = checked.messages.map(storedParams);
    // A stopped import of this very session, or a deleted one whose rows are still to be
    // reclaimed, holds its ids: the one is taken over, and either is reclaimed if in the way.
    await this.finishAbandonedWork(new Date(), wait);
    const id = sessionRow.id;
    await importFreeingIds(
      () => this.#importChecked(sessionRow, messageRows, wait),
      () => this.#purge([id], "importing a session", wait),
    );
  }

  async #importChecked(sessionRow: sessionsDb.CreateSessionParams, messageRows: MessageParams[], wait: WaitOptions): Promise<void> {
    const id = sessionRow.id;
    if (isSmallImport(messageRows)) {
      await this.#run(
        "importing a session",
        () =>
          this.#db
            .transaction(() => {
              this.#insertSession(sessionRow);
              for (const row of messageRows) this.#insertMessage(row);
              // Messages move updated_at forward; the import keeps the exported value exactly.
              sessionsDb.touchSession(this.#db, { id: sessionRow.id, updatedAt: sessionRow.updatedAt });
            })
            .immediate(),
        wait,
      );
      return;
    }
    await importHidden(id, messageRows.length, {
      create: () => this.#run("importing a session", () => this.#insertSession(sessionRow, toStoredTime(heartbeatEnd())), wait),
      addFrom: (from) =>
        this.#run(
          "importing a session",
          () =>
            this.#db
              .transaction(() => {
                const renewed = sessionsDb.renewHiddenSessions(this.#db, { hiddenUntil: toStoredTime(heartbeatEnd()), state: "importing", ids: [id] });
                if (renewed === 0) throw lostImport(id);
                const started = performance.now();
                let i = from;
                do this.#insertMessage(messageRows[i++]!);
                while (i < messageRows.length && performance.now() - started < batchBudgetMs);
                return i;
              })
              .immediate(),
          wait,
        ),
      show: () => this.#run("importing a session", () => sessionsDb.showImportedSession(this.#db, { id, updatedAt: sessionRow.updatedAt }), wait),
      undo: () => this.#undoImport(id),
    });
  }

  async extendSession(session: Session, messages: readonly StoredMessage[], options: { held: number }, wait: WaitOptions = {}): Promise<void> {
    const checked = checkImport(session, messages);
    const sessionRow = sessionParams(checked.session);
    const messageRows = checked.messages.map(storedParams);
    const held = checkCount(options.held, "held");
    await this.#run(
      "bringing a session up to date",
      () =>
        this.#db
          .transaction(() => {
            this.#refuseInUse([sessionRow.id], toStoredTime(new Date()));
            // Its replies keep the provider and model that wrote them, should the session's change.
            messagesDb.pinReplyModels(this.#db, { sessionId: sessionRow.id, provider: sessionRow.provider, model: sessionRow.model });
            if (sessionsDb.updateSessionIfHolding(this.#db, { ...sessionRow, held }) === 0) {
              throw sessionsDb.getSession(this.#db, { id: sessionRow.id }) === null ? StorageError.notFound(sessionRow.id) : StorageError.writtenMeanwhile(sessionRow.id, held);
            }
            for (const row of messageRows) this.#insertMessage(row);
          })
          .immediate(),
      wait,
    );
  }

  async forkSession(sourceId: string, options: ForkOptions = {}, wait: WaitOptions = {}): Promise<Session> {
    const id = checkId(sourceId, "session id");
    const forkId = newId();
    const now = new Date();
    // One write transaction: the source's count, the fork point and the copies agree, whatever
    // another process appends meanwhile.
    return this.#run(
      "forking a session",
      () =>
        this.#db
          .transaction(() => {
            const source = sessionsDb.getForkSource(this.#db, { id });
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
            const last = at === 0 ? null : (messagesDb.getMessageAt(this.#db, { sessionId: id, skip: at - 1 })?.id ?? null);
            sessionsDb.createForkedSession(this.#db, {
              ...sessionParams(fork),
              forkedFrom: id,
              forkedFromMessage: last,
              forkedAt: at,
            });
            if (at > 0) {
              messagesDb.copyMessages(this.#db, { forkId, sourceId: id, max: at });
              attachmentsDb.copyMessageAttachments(this.#db, { forkId, sourceId: id });
            }
            return fork;
          })
          .immediate(),
      wait,
    );
  }

  async sessionOrigin(id: string): Promise<ForkOrigin | null> {
    const sessionId = checkId(id, "session id");
    const row = await this.#run("reading a session", () => sessionsDb.getSessionOrigin(this.#db, { id: sessionId }));
    return row === null ? null : forkOrigin(row);
  }

  async setSessionOrigin(id: string, origin: ForkOrigin | null): Promise<void> {
    const sessionId = checkId(id, "session id");
    const params = checkOrigin(sessionId, origin);
    await this.#run("recording where a session was forked from", () =>
      this.#db
        .transaction(() => {
          if (sessionsDb.getSession(this.#db, { id: sessionId }) === null) throw StorageError.notFound(sessionId);
          sessionsDb.setSessionOrigin(this.#db, params);
        })
        .immediate(),
    );
  }

  async listForks(id: string): Promise<ForkSummary[]> {
    const sessionId = checkId(id, "session id");
    const rows = await this.#run("listing forks", () => sessionsDb.listForks(this.#db, { id: sessionId }));
    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      preview: previewOf(row.firstUserMessage),
      at: row.forkedAt ?? 0,
      createdAt: fromStoredTime(row.createdAt, "session", row.id),
    }));
  }

  /** Removes what a failed import stored; if that fails too, the next cleanup will. */
  async #undoImport(id: string): Promise<void> {
    try {
      const abandoned = await this.#run("importing a session", () =>
        sessionsDb.abandonImport(this.#db, { id, hiddenUntil: toStoredTime(heartbeatEnd()) }),
      );
      if (abandoned > 0) await this.#purge([id], "importing a session");
    } catch {
      // Still hidden: its heartbeat lapses and a cleanup removes it.
    }
  }

  /** {@link purgeInBatches}, each batch one write transaction; `doing` names it in errors. */
  async #purge(ids: readonly string[], doing: string, wait: WaitOptions = {}): Promise<void> {
    await purgeInBatches(ids, idsPerStatement, (some, rows, renew) => this.#purgeBatch(some, rows, renew, doing, wait));
  }

  /** One batch of a purge ({@link PurgeBatch}) in one write transaction. */
  #purgeBatch(some: string[], rows: number, renew: boolean, doing: string, wait: WaitOptions): Promise<{ deleted: number; ms: number; sessions: number }> {
    return this.#run(
      doing,
      () =>
        this.#db
          .transaction(() => {
            const started = performance.now();
            if (renew) sessionsDb.renewHiddenSessions(this.#db, { hiddenUntil: toStoredTime(heartbeatEnd()), state: "deleting", ids: some });
            // Only sessions still hidden for deletion: none if another process finished them.
            const deleted = sessionsDb.deleteMessagesOfHiddenSessions(this.#db, { ids: some, batch: rows });
            const sessions = deleted < rows ? sessionsDb.deleteHiddenSessions(this.#db, { ids: some }) : 0;
            return { deleted, sessions, ms: performance.now() - started };
          })
          .immediate(),
      wait,
    );
  }

  async startSession(session: Session, first: StoredMessage, lease: Lease, wait: WaitOptions = {}): Promise<void> {
    const checked = checkImport(session, [first]);
    const sessionRow = sessionParams(checked.session);
    const messageRows = checked.messages.map(storedParams);
    const { holder, ttlMs } = checkLease(lease);
    await this.#run(
      "storing your question",
      () =>
        this.#db
          .transaction(() => {
            this.#insertSession(sessionRow);
            for (const row of messageRows) this.#insertMessage(row);
            this.#lease(sessionRow.id, holder, ttlMs);
          })
          .immediate(),
      wait,
    );
  }

  async leaseSession(sessionId: string, lease: Lease): Promise<void> {
    const id = checkId(sessionId, "session id");
    const { holder, ttlMs } = checkLease(lease);
    await this.#run("marking a session in use", () => this.#db.transaction(() => this.#lease(id, holder, ttlMs)).immediate());
  }

  async releaseLease(sessionId: string, holder: string): Promise<void> {
    const params = { sessionId: checkId(sessionId, "session id"), holder: checkId(holder, "lease holder") };
    await this.#run("marking a session no longer in use", () => leasesDb.releaseLease(this.#db, params));
  }

  async sessionsInUse(ids: readonly string[]): Promise<string[]> {
    const checked = ids.map((id) => checkId(id, "session id"));
    const now = toStoredTime(new Date());
    return this.#run("reading which sessions are in use", () => this.#inUse(checked, now));
  }

  async sessionsBeyond(target: number, keep: readonly string[]): Promise<SessionSummary[]> {
    const beyond = checkCount(target, "target");
    const spared = keep.map((id) => checkId(id, "session id to keep"));
    const rows = await this.#run("planning a cleanup", () =>
      this.#db.transaction(() => {
        const excess = (sessionsDb.countUntitledSessions(this.#db)?.count ?? 0) - beyond;
        return excess <= 0 ? [] : sessionsDb.listLeastRecentSessions(this.#db, { now: toStoredTime(new Date()), keep: spared, max: excess });
      })(),
    );
    return rows.map(toSummary);
  }

  async hideSessionsBeyond(target: number, options: { keep: readonly string[]; max: number }, wait: WaitOptions = {}): Promise<SessionSummary[]> {
    const beyond = checkCount(target, "target");
    const { keep, max } = checkCleanupStep(options);
    const rows = await this.#run(
      "cleaning up sessions",
      () =>
        this.#db
          .transaction(() => {
            // Counted under the write lock: another process's step cannot make this one hide too many.
            const excess = (sessionsDb.countUntitledSessions(this.#db)?.count ?? 0) - beyond;
            if (excess <= 0) return [];
            const now = toStoredTime(new Date());
            return sessionsDb.hideLeastRecentSessions(this.#db, { now, keep, batch: Math.min(excess, max) });
          })
          .immediate(),
      wait,
    );
    return rows.map((row) => toSummary(titled(row)));
  }

  async hideSessionsUpdatedBefore(cutoff: Date, options: { keep: readonly string[]; max: number }, wait: WaitOptions = {}): Promise<SessionSummary[]> {
    const before = toStoredTime(checkDate(cutoff, "cutoff"));
    const { keep, max } = checkCleanupStep(options);
    const rows = await this.#run(
      "cleaning up sessions",
      () =>
        this.#db
          .transaction(() =>
            sessionsDb.hideSessionsUpdatedBefore(this.#db, { cutoff: before, now: toStoredTime(new Date()), keep, batch: max }),
          )
          .immediate(),
      wait,
    );
    return rows.map((row) => toSummary(titled(row)));
  }

  async purgePendingDeletions(budget: PurgeBudget = {}, wait: WaitOptions = {}): Promise<PurgeProgress> {
    const waits = { ...wait, signal: budget.signal ?? wait.signal };
    return purgePending(
      (max) => this.#run("cleaning up sessions", () => sessionsDb.listPendingPurges(this.#db, { max }).map((r) => r.id), waits),
      idsPerStatement,
      (some, rows) => this.#purgeBatch(some, rows, false, "cleaning up sessions", waits),
      budget,
    );
  }

  async finishAbandonedWork(now = new Date(), wait: WaitOptions = {}): Promise<AbandonedSession[]> {
    const at = toStoredTime(checkDate(now, "time"));
    return finishAbandoned(
      async () => {
        // Nearly always there is none: a read finds that out without taking the write lock.
        if ((await this.#run("cleaning up sessions", () => sessionsDb.listAbandonedSessions(this.#db, { now: at }))).length === 0) return [];
        return this.#run(
          "cleaning up sessions",
          () =>
            this.#db
              .transaction(() => {
                const rows = sessionsDb.listAbandonedSessions(this.#db, { now: at });
                if (rows.length > 0) sessionsDb.claimAbandonedSessions(this.#db, { now: at });
                return rows;
              })
              .immediate(),
          wait,
        );
      },
    );
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  /** Inserts a session: visible, or hidden until `hiddenUntil` for an import in batches. */
  #insertSession(row: sessionsDb.CreateSessionParams, hiddenUntil?: string): void {
    try {
      if (hiddenUntil === undefined) sessionsDb.createSession(this.#db, row);
      else sessionsDb.createHiddenSession(this.#db, { ...row, hiddenUntil });
    } catch (error) {
      if (sqliteCode(error) === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw StorageError.idTaken(`session ${row.id}`, { sessionId: row.id, cause: error });
      }
      throw error;
    }
  }

  /** Inserts a message with the files it carried: each file's bytes once, however many carry it. */
  #insertMessage(row: MessageParams): void {
    try {
      messagesDb.addMessage(this.#db, row);
      row.attachments.forEach((attachment, position) => {
        attachmentsDb.addAttachment(this.#db, attachment);
        attachmentsDb.addMessageAttachment(this.#db, { messageId: row.id, position, sessionId: row.sessionId, name: attachment.name, sha256: attachment.sha256 });
      });
    } catch (error) {
      const code = sqliteCode(error);
      if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") throw StorageError.notFound(row.sessionId);
      if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw StorageError.idTaken(`message ${row.id}`, { sessionId: row.sessionId, cause: error });
      }
      throw error;
    }
  }

  /** Takes or renews a lease, inside the caller's transaction; expired leases are cleared on the way. */
  #lease(sessionId: string, holder: string, ttlMs: number): void {
    const now = new Date();
    leasesDb.deleteExpiredLeases(this.#db, { now: toStoredTime(now) });
    const taken = leasesDb.leaseSession(this.#db, { holder, expiresAt: toStoredTime(new Date(now.getTime() + ttlMs)), sessionId });
    // No row: the session is not there, or hidden (being imported or deleted).
    if (taken === 0) throw StorageError.notFound(sessionId);
  }

  #inUse(ids: readonly string[], now: string): string[] {
    const inUse: string[] = [];
    for (let i = 0; i < ids.length; i += idsPerStatement) {
      inUse.push(...leasesDb.listSessionsInUse(this.#db, { now, ids: ids.slice(i, i + idsPerStatement) }).map((r) => r.sessionId));
    }
    return inUse;
  }

  /** A session named for deletion that is in use is refused, not pulled from under its writer. */
  #refuseInUse(ids: readonly string[], now: string): void {
    const inUse = this.#inUse(ids, now);
    if (inUse.length > 0) throw StorageError.inUse(inUse);
  }

  /**
   * Runs `work` (one statement, or one whole transaction) as a StorageError would describe it:
   * retried while another process holds the lock (lock-wait.ts), and once more on a full disk
   * after the WAL is emptied (disk-full.ts). Once the file is seen damaged, nothing runs.
   */
  async #run<T>(doing: string, work: () => T, wait: WaitOptions = {}): Promise<T> {
    if (this.#corrupt !== null) throw this.#corrupt;
    try {
      // Nearly always the first attempt succeeds: run it at once, and start the lock wait's
      // timers and pauses only when it met a lock (a short read would otherwise pay for them).
      if (wait.signal?.aborted !== true) {
        try {
          return retryWhenFull(this.#db, work);
        } catch (error) {
          if (!isLocked(error)) throw error;
        }
      }
      return await retryWhileLocked(() => retryWhenFull(this.#db, work), isLocked, this.path, wait);
    } catch (error) {
      throw this.#failure(error, doing);
    }
  }

  #failure(error: unknown, doing: string): StorageError {
    const said = storageErrorFrom(error, this.path, doing);
    if (said.kind === "corrupt") this.#corrupt = said;
    return said;
  }
}

/** sqlc's SQLite engine drops the alias of a RETURNING column: the title comes back as `name`. */
function titled<Row extends { name: string | null }>({ name, ...rest }: Row): Omit<Row, "name"> & { title: string | null } {
  return { ...rest, title: name };
}

function isLocked(error: unknown): boolean {
  const code = sqliteCode(error);
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    title: row.title,
    provider: row.provider,
    model: row.model,
    systemPrompt: row.systemPrompt,
    createdAt: fromStoredTime(row.createdAt, "session", row.id),
    updatedAt: fromStoredTime(row.updatedAt, "session", row.id),
  };
}

function toSummary(row: SummaryRow): SessionSummary {
  return sessionSummary(row, fromStoredTime(row.createdAt, "session", row.id), fromStoredTime(row.updatedAt, "session", row.id));
}

function sessionParams(session: Session): sessionsDb.CreateSessionParams {
  const checked = checkSession(session);
  return { ...checked, createdAt: toStoredTime(checked.createdAt), updatedAt: toStoredTime(checked.updatedAt) };
}

function messageParams(message: StoredMessage): MessageParams {
  return storedParams(checkMessage(message));
}

function storedParams(message: CheckedMessage): MessageParams {
  return { ...message, timestamp: toStoredTime(message.timestamp) };
}

