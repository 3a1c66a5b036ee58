/** The public API of Synapse's core: sessions and the stores that keep them. */
export { isRole, isUuid, newId, previewOf, roles } from "./session.ts";
export type { Role, Session, SessionSummary, StoredMessage } from "./session.ts";
export { StorageError } from "./storage/errors.ts";
export type { StorageErrorKind } from "./storage/errors.ts";
export type { SessionStore } from "./storage/session-store.ts";
export { cleanUp, planCleanup } from "./sessions/cleanup.ts";
export type { CleanupLimits, CleanupOptions, CleanupPlan, CleanupResult } from "./sessions/cleanup.ts";
export { SqliteStore } from "./storage/sqlite/sqlite-store.ts";
export { createStorage, defaultDatabaseUrl, sqlitePathOf } from "./storage/create-storage.ts";
