import type { Database } from "bun:sqlite";
import * as messagesDb from "../../db/sqlite/messages.ts";
import * as sessionsDb from "../../db/sqlite/sessions.ts";
import { isRole, isUuid, previewOf, type Session, type SessionSummary, type StoredMessage } from "../../session.ts";
import { StorageError } from "../errors.ts";
import type { CleanupOptions, CleanupResult, SessionConfig, SessionStore } from "../session-store.ts";
import { fromStoredTime, toStoredTime } from "../timestamps.ts";
import { memoryPath, openDatabase } from "./bootstrap.ts";
import { sqliteCode, storageErrorFrom } from "./sqlite-errors.ts";

/** Sessions deleted per transaction by cleanup, so other writers never wait long. */
const cleanupBatch = 200;
const dayMs = 24 * 60 * 60 * 1000;

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
  static open(path: string): SqliteStore {
    return new SqliteStore(path, openDatabase(path));
  }

  /** A private database that lives as long as the store; for tests and trials. */
  static inMemory(): SqliteStore {
    return SqliteStore.open(memoryPath);
  }

  async createSession(session: Session): Promise<void> {
    const id = checkId(session.id, "session id");
    const row = {
      id,
      name: session.name,
      provider: checkText(session.provider, "provider"),
      model: checkText(session.model, "model"),
      systemPrompt: session.systemPrompt,
      createdAt: toStoredTime(session.createdAt),
      updatedAt: toStoredTime(session.updatedAt),
    };
    this.#run("creating a session", () => {
      try {
        sessionsDb.createSession(this.#db, row);
      } catch (error) {
        if (sqliteCode(error) === "SQLITE_CONSTRAINT_PRIMARYKEY") {
          throw StorageError.invalidData(`session ${id} exists already`, { sessionId: id, cause: error });
        }
        throw error;
      }
    });
  }

  async getSession(id: string): Promise<Session | null> {
    const sessionId = checkId(id, "session id");
    const row = this.#run("reading a session", () => sessionsDb.getSession(this.#db, { id: sessionId }));
    if (row === null) return null;
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

  async listSessions(): Promise<SessionSummary[]> {
    const rows = this.#run("listing sessions", () => sessionsDb.listSessions(this.#db));
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      provider: row.provider,
      model: row.model,
      createdAt: fromStoredTime(row.createdAt, `session ${row.id}`),
      updatedAt: fromStoredTime(row.updatedAt, `session ${row.id}`),
      messageCount: row.messageCount,
      preview: previewOf(row.firstUserMessage),
    }));
  }

  async touchSession(id: string): Promise<void> {
    const sessionId = checkId(id, "session id");
    const changed = this.#run("updating a session", () =>
      sessionsDb.touchSession(this.#db, { id: sessionId, updatedAt: toStoredTime(new Date()) }),
    );
    if (changed === 0) throw StorageError.notFound(sessionId);
  }

  async deleteSession(id: string): Promise<boolean> {
    const sessionId = checkId(id, "session id");
    return this.#run("deleting a session", () => sessionsDb.deleteSession(this.#db, { id: sessionId })) > 0;
  }

  async addMessage(message: StoredMessage): Promise<void> {
    const row = {
      id: checkId(message.id, "message id"),
      sessionId: checkId(message.sessionId, "session id"),
      role: message.role,
      content: message.content,
      timestamp: toStoredTime(message.timestamp),
      interrupted: message.interrupted === true,
    };
    if (!isRole(row.role)) throw StorageError.invalidData(`invalid message role ${JSON.stringify(row.role)}`);
    if (typeof row.content !== "string") throw StorageError.invalidData("message content must be text");
    this.#run("storing a message", () => {
      try {
        this.#db
          .transaction(() => {
            messagesDb.addMessage(this.#db, row);
            messagesDb.touchSessionForMessage(this.#db, { sessionId: row.sessionId, timestamp: row.timestamp });
          })
          .immediate();
      } catch (error) {
        const code = sqliteCode(error);
        if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") throw StorageError.notFound(row.sessionId);
        if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
          throw StorageError.invalidData(`message ${row.id} exists already`, { sessionId: row.sessionId, cause: error });
        }
        throw error;
      }
    });
  }

  async getMessages(sessionId: string): Promise<StoredMessage[]> {
    const id = checkId(sessionId, "session id");
    const rows = this.#run("reading messages", () => messagesDb.getMessages(this.#db, { sessionId: id }));
    return rows.map((row) => {
      if (!isRole(row.role)) {
        throw StorageError.invalidData(`message ${row.id} has an unknown role ${JSON.stringify(row.role)}`, { sessionId: id });
      }
      const message: StoredMessage = {
        id: row.id,
        sessionId: row.sessionId,
        role: row.role,
        content: row.content,
        timestamp: fromStoredTime(row.timestamp, `message ${row.id}`),
      };
      if (row.interrupted) message.interrupted = true;
      return message;
    });
  }

  async cleanup(config: SessionConfig, options: CleanupOptions = {}): Promise<CleanupResult> {
    const maxSessions = checkLimit(config.maxSessions, "maxSessions");
    const retentionDays = checkLimit(config.retentionDays, "retentionDays");
    const keep = (options.keep ?? []).map((id) => checkId(id, "session id to keep"));
    const now = options.now ?? new Date();
    const target = Math.max(0, maxSessions - checkLimit(options.reserve ?? 0, "reserve"));
    let byMaxLimit = 0;
    let byRetention = 0;
    // Each batch is its own short write transaction that counts again under the lock, so a
    // concurrent cleanup in another process can never make the two delete too much together.
    while (maxSessions > 0) {
      const deleted = this.#run("cleaning up sessions", () =>
        this.#db
          .transaction(() => {
            const excess = (sessionsDb.countSessions(this.#db)?.count ?? 0) - target;
            if (excess <= 0) return 0;
            return sessionsDb.deleteLeastRecentSessions(this.#db, { keep, batch: Math.min(excess, cleanupBatch) });
          })
          .immediate(),
      );
      if (deleted === 0) break;
      byMaxLimit += deleted;
    }
    if (retentionDays > 0) {
      const cutoff = toStoredTime(new Date(now.getTime() - retentionDays * dayMs));
      for (;;) {
        const deleted = this.#run("cleaning up sessions", () =>
          this.#db
            .transaction(() => sessionsDb.deleteSessionsUpdatedBefore(this.#db, { cutoff, keep, batch: cleanupBatch }))
            .immediate(),
        );
        byRetention += deleted;
        if (deleted < cleanupBatch) break;
      }
    }
    return { sessionsDeleted: byMaxLimit + byRetention, byMaxLimit, byRetention };
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  #run<T>(doing: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storageErrorFrom(error, this.path, doing);
    }
  }
}

/** Ids are compared as stored, in lower case; anything but a UUID never reaches a query. */
function checkId(id: string, what: string): string {
  if (typeof id !== "string" || !isUuid(id)) {
    throw StorageError.invalidData(`invalid ${what} ${JSON.stringify(id)}: expected a UUID like 0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20`);
  }
  return id.toLowerCase();
}

function checkText(value: string, what: string): string {
  if (typeof value !== "string" || value.trim() === "") throw StorageError.invalidData(`a session needs a ${what}`);
  return value;
}

function checkLimit(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw StorageError.invalidData(`${what} must be a whole number of 0 or more (0 means no limit), not ${value}`);
  }
  return value;
}
