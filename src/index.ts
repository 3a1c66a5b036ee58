/**
 * The public API of Synapse's core, for programs that chat and keep sessions the way the
 * `synapse` command does (`import { Chat, createStorage } from "synapse"`). The command line is
 * built on exactly these; anything not exported here is internal and may change.
 *
 * @example
 * const chat = await Chat.open({ env: process.env, flags: { provider: "echo" } });
 * try {
 *   const { session } = await chat.send({ message: "Hello", signal: AbortSignal.timeout(60_000), onText: (t) => process.stdout.write(t) });
 *   console.log(await chat.store.getMessages(session.id));
 * } finally {
 *   await chat.close();
 * }
 */

// The conversation data.
export { isRole, isUuid, newId, previewOf, roles } from "./session.ts";
export type { Role, SearchHit, Session, SessionSummary, StoredMessage, TextRange, TokenUsage } from "./session.ts";

// Configuration: defaults < file < environment < flags.
export { loadConfig, loadSessionSettings, type ConfigFlags, type LoadConfigOptions } from "./config/load.ts";
export { ConfigError, type ConfigErrorKind } from "./config/errors.ts";
export type { ResolvedConfig, SessionSettings } from "./config/schema.ts";

// Stores: SQLite or PostgreSQL behind one port.
export { createStorage, defaultDatabaseUrl, describeDatabase } from "./storage/create-storage.ts";
export type { ForkOptions, ForkOrigin, ForkSummary, Lease, MessagePages, OpenOptions, SessionStore, WaitOptions } from "./storage/session-store.ts";
export { SearchSyntaxError, StorageError, type StorageErrorKind } from "./storage/errors.ts";

// One exchange with a model, stored as it happens.
export { Chat, sessionToContinue, type ChatOptions, type SendRequest, type SessionChoice } from "./chat/chat.ts";
export { ExchangeInterrupted, runExchange, type ExchangeOutput, type ExchangeRequest, type ExchangeResult } from "./chat/exchange.ts";
export { createProvider, type CreateProviderOptions } from "./chat/provider.ts";
export { ProviderError, type Provider, type ProviderErrorKind, type StreamEvent } from "./providers/index.ts";

// What is done with stored sessions.
export { resolveSession, resolveSessionOrLatest, SessionRefError, shortIdOf, shortIds, shortIdsOf, normalizeTitle } from "./sessions/refs.ts";
export { lastReply } from "./sessions/last-reply.ts";
export { codeBlocks, type CodeBlock } from "./markdown-fences.ts";
export { cleanUp, planCleanup, prune, type CleanupLimits, type CleanupOptions, type CleanupPlan, type CleanupResult, type PruneResult } from "./sessions/cleanup.ts";
export { deleteSessions, type DeleteOutcome, type DeleteRequest } from "./sessions/delete.ts";
export { copyDatabase, copySessions, type CopyResult } from "./sessions/copy.ts";
export { exportJson, exportMarkdown, ExportFormatError, parseExport } from "./sessions/export.ts";
export { lineageOf, type SessionLineage } from "./sessions/lineage.ts";
