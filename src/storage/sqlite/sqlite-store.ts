import type { Database } from "bun:sqlite";
import * as messagesDb from "../../db/sqlite/messages.ts";
import * as sessionsDb from "../../db/sqlite/sessions.ts";
import { type SearchHit, type Session, type SessionSummary, type StoredMessage } from "../../session.ts";
import { SearchSyntaxError, StorageError } from "../errors.ts";
import type { CleanupOptions, CleanupPlan, CleanupResult, OpenOptions, SessionConfig, SessionStore } from "../session-store.ts";
import { fromStoredTime, toStoredTime } from "../timestamps.ts";
import { searchHit, sessionSummary, storedMessage } from "../rows.ts";
import { checkCount, checkId, checkImport, checkMessage, checkSession, cleanupLimits, oldestFirst, type CheckedMessage } from "../validate.ts";
import { memoryPath, openDatabase } from "./bootstrap.ts";
import { sqliteCode, storageErrorFrom } from "./sqlite-errors.ts";
import { messageOf } from "../../unknown-values.ts";
import { retryWhileLocked, type WaitOptions } from "../lock-wait.ts";

/** Sessions deleted per transaction by cleanup, so other writers never wait long. */
const cleanupBatch = 200;
/** Search ranks only this many of the most recent matches: a common word matches most messages. */
const searchCandidates = 1000;

type SessionRow = sessionsDb.GetSessionRow;
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
  #db: Database;

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

  async sessionIds(): Promise<string[]> {
    return this.#run("listing sessions", () => sessionsDb.listSessionIds(this.#db).map((r) => r.id));
  }

  async findSessionsByIdPrefix(prefix: string, limit: number): Promise<Session[]> {
    if (!/^[0-9a-f-]*$/.test(prefix)) throw StorageError.invalidData(`invalid session id prefix ${JSON.stringify(prefix)}`);
    const params = { low: prefix, high: `${prefix}g`, max: checkCount(limit, "limit") };
    return (await this.#run("finding sessions", () => sessionsDb.findSessionsByIdRange(this.#db, params))).map(toSession);
  }

  async findSessionsByName(name: string, limit: number): Promise<Session[]> {
    const params = { name, max: checkCount(limit, "limit") };
    return (await this.#run("finding sessions", () => sessionsDb.findSessionsByName(this.#db, params))).map(toSession);
  }

  async latestSession(): Promise<Session | null> {
    const row = await this.#run("reading a session", () => sessionsDb.getLatestSession(this.#db));
    return row === null ? null : toSession(row);
  }

  async renameSession(id: string, name: string | null): Promise<void> {
    const sessionId = checkId(id, "session id");
    const changed = await this.#run("renaming a session", () => sessionsDb.renameSession(this.#db, { id: sessionId, name }));
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
    const sessionId = checkId(id, "session id");
    return (await this.#run("deleting a session", () => sessionsDb.deleteSession(this.#db, { id: sessionId }))) > 0;
  }

  async deleteSessions(ids: readonly string[], options: { unusedSince?: Date } = {}): Promise<number> {
    const checked = ids.map((id) => checkId(id, "session id"));
    const cutoff = options.unusedSince === undefined ? undefined : toStoredTime(options.unusedSince);
    if (checked.length === 0) return 0;
    return this.#run("deleting sessions", () =>
      this.#db.transaction(() => {
        let deleted = 0;
        // Bounded batches keep each statement under SQLite's limit on bound parameters.
        for (let i = 0; i < checked.length; i += 500) {
          const batch = checked.slice(i, i + 500);
          deleted +=
            cutoff === undefined
              ? sessionsDb.deleteSessions(this.#db, { ids: batch })
              : sessionsDb.deleteSessionsIfUpdatedBefore(this.#db, { cutoff, ids: batch });
        }
        return deleted;
      }).immediate(),
    );
  }

  async sessionsUpdatedBefore(cutoff: Date): Promise<SessionSummary[]> {
    const params = { cutoff: toStoredTime(cutoff) };
    return (await this.#run("listing sessions", () => sessionsDb.listSessionsUpdatedBefore(this.#db, params))).map(toSummary);
  }

  async addMessage(message: StoredMessage, wait: WaitOptions = {}): Promise<void> {
    const row = messageParams(message);
    await this.#run(
      "storing a message",
      () =>
        this.#db
          .transaction(() => {
            this.#insertMessage(row);
            messagesDb.touchSessionForMessage(this.#db, { sessionId: row.sessionId, timestamp: row.timestamp });
          })
          .immediate(),
      wait,
    );
  }

  async getMessages(sessionId: string): Promise<StoredMessage[]> {
    const id = checkId(sessionId, "session id");
    const rows = await this.#run("reading messages", () => messagesDb.getMessages(this.#db, { sessionId: id }));
    return rows.map((row) => storedMessage(row, fromStoredTime(row.timestamp, `message ${row.id}`)));
  }

  async searchMessages(query: string, options: { limit?: number } = {}): Promise<SearchHit[]> {
    if (query.trim() === "") throw StorageError.invalidData("the search query is empty");
    const params = { query, candidates: searchCandidates, max: checkCount(options.limit ?? 20, "limit") };
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
    return rows.map((row) => searchHit(row, fromStoredTime(row.timestamp, `message ${row.id}`)));
  }

  async importSession(session: Session, messages: readonly StoredMessage[], wait: WaitOptions = {}): Promise<void> {
    const checked = checkImport(session, messages);
    const sessionRow = sessionParams(checked.session);
    const messageRows = checked.messages.map(storedParams);
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
  }

  async cleanup(config: SessionConfig, options: CleanupOptions = {}): Promise<CleanupResult> {
    const limits = checkCleanup(config, options);
    const wait = { signal: options.signal };
    const removed: SummaryRow[] = [];
    let byMaxLimit = 0;
    // Each batch is its own short write transaction that counts again under the lock, so a
    // concurrent cleanup in another process can never make the two delete too much together.
    while (limits.target !== null) {
      const deleted = await this.#run(
        "cleaning up sessions",
        () =>
          this.#db
            .transaction(() => {
              const excess = (sessionsDb.countSessions(this.#db)?.count ?? 0) - limits.target!;
              if (excess <= 0) return [];
              return sessionsDb.deleteLeastRecentSessions(this.#db, { keep: limits.keep, batch: Math.min(excess, cleanupBatch) });
            })
            .immediate(),
        wait,
      );
      if (deleted.length === 0) break;
      removed.push(...deleted);
      byMaxLimit += deleted.length;
    }
    if (limits.cutoff !== null) {
      for (;;) {
        const params = { cutoff: limits.cutoff, keep: limits.keep, batch: cleanupBatch };
        const deleted = await this.#run(
          "cleaning up sessions",
          () => this.#db.transaction(() => sessionsDb.deleteSessionsUpdatedBefore(this.#db, params)).immediate(),
          wait,
        );
        removed.push(...deleted);
        if (deleted.length < cleanupBatch) break;
      }
    }
    // RETURNING gives rows in no set order; report them oldest first.
    return { sessionsDeleted: removed.length, removed: oldestFirst(removed.map(toSummary)), byMaxLimit, byRetention: removed.length - byMaxLimit };
  }

  async planCleanup(config: SessionConfig, options: CleanupOptions = {}): Promise<CleanupPlan> {
    const limits = checkCleanup(config, options);
    return await this.#run("planning a cleanup", () =>
      this.#db.transaction(() => {
        let byMaxLimit: SummaryRow[] = [];
        if (limits.target !== null) {
          const excess = (sessionsDb.countSessions(this.#db)?.count ?? 0) - limits.target;
          if (excess > 0) byMaxLimit = sessionsDb.listLeastRecentSessions(this.#db, { keep: limits.keep, max: excess });
        }
        const doomed = new Set([...limits.keep, ...byMaxLimit.map((r) => r.id)]);
        const byRetention =
          limits.cutoff === null
            ? []
            : sessionsDb.listSessionsUpdatedBefore(this.#db, { cutoff: limits.cutoff }).filter((r) => !doomed.has(r.id));
        return { byMaxLimit: byMaxLimit.map(toSummary), byRetention: byRetention.map(toSummary) };
      })(),
    );
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #insertSession(row: sessionsDb.CreateSessionParams): void {
    try {
      sessionsDb.createSession(this.#db, row);
    } catch (error) {
      if (sqliteCode(error) === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw StorageError.invalidData(`session ${row.id} exists already`, { sessionId: row.id, cause: error });
      }
      throw error;
    }
  }

  #insertMessage(row: messagesDb.AddMessageParams): void {
    try {
      messagesDb.addMessage(this.#db, row);
    } catch (error) {
      const code = sqliteCode(error);
      if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") throw StorageError.notFound(row.sessionId);
      if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw StorageError.invalidData(`message ${row.id} exists already`, { sessionId: row.sessionId, cause: error });
      }
      throw error;
    }
  }

  /**
   * Runs `work` (one statement, or one whole transaction) as a StorageError would describe it,
   * retrying while another process holds the lock; see lock-wait.ts.
   */
  async #run<T>(doing: string, work: () => T, wait: WaitOptions = {}): Promise<T> {
    try {
      return await retryWhileLocked(work, isLocked, this.path, wait);
    } catch (error) {
      throw storageErrorFrom(error, this.path, doing);
    }
  }
}

function isLocked(error: unknown): boolean {
  const code = sqliteCode(error);
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    model: row.model,
    systemPrompt: row.systemPrompt,
    createdAt: fromStoredTime(row.createdAt, `session ${row.id}`),
    updatedAt: fromStoredTime(row.updatedAt, `session ${row.id}`),
  };
}

function toSummary(row: SummaryRow): SessionSummary {
  return sessionSummary(row, fromStoredTime(row.createdAt, `session ${row.id}`), fromStoredTime(row.updatedAt, `session ${row.id}`));
}

function sessionParams(session: Session): sessionsDb.CreateSessionParams {
  const checked = checkSession(session);
  return { ...checked, createdAt: toStoredTime(checked.createdAt), updatedAt: toStoredTime(checked.updatedAt) };
}

function messageParams(message: StoredMessage): messagesDb.AddMessageParams {
  return storedParams(checkMessage(message));
}

function storedParams(message: CheckedMessage): messagesDb.AddMessageParams {
  return { ...message, timestamp: toStoredTime(message.timestamp) };
}

/** The limits a cleanup applies, with the cutoff as stored text. */
function checkCleanup(config: SessionConfig, options: CleanupOptions) {
  const limits = cleanupLimits(config, options);
  return { ...limits, cutoff: limits.cutoff === null ? null : toStoredTime(limits.cutoff) };
}
