/**
 * Rows as every store reads them back, whatever the database: only the timestamps differ
 * (text in SQLite, timestamptz in PostgreSQL), so each store converts those and hands the rest
 * here. Rows another version may have written are checked, not trusted.
 */
import { isRole, previewOf, type SearchHit, type SessionSummary, type StoredMessage } from "../session.ts";
import { StorageError } from "./errors.ts";

export interface MessageRow {
  id: string;
  sessionId: string;
  role: string;
  content: string;
  interrupted: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
}

export function storedMessage(row: MessageRow, timestamp: Date): StoredMessage {
  if (!isRole(row.role)) {
    throw StorageError.invalidData(`message ${row.id} has an unknown role ${JSON.stringify(row.role)}`, { sessionId: row.sessionId });
  }
  const message: StoredMessage = { id: row.id, sessionId: row.sessionId, role: row.role, content: row.content, timestamp };
  if (row.interrupted) message.interrupted = true;
  if (row.inputTokens !== null || row.outputTokens !== null) {
    message.usage = { inputTokens: row.inputTokens ?? 0, outputTokens: row.outputTokens ?? 0 };
  }
  return message;
}

export interface SummaryRow {
  id: string;
  name: string | null;
  provider: string;
  model: string;
  messageCount: number;
  firstUserMessage: string | null;
}

export function sessionSummary(row: SummaryRow, createdAt: Date, updatedAt: Date): SessionSummary {
  return {
    id: row.id,
    name: row.name,
    provider: row.provider,
    model: row.model,
    createdAt,
    updatedAt,
    messageCount: row.messageCount,
    preview: previewOf(row.firstUserMessage),
  };
}

export interface SearchRow {
  sessionId: string;
  id: string;
  role: string;
  name: string | null;
  firstUserMessage: string | null;
  snippet: string;
  score: number;
}

export function searchHit(row: SearchRow, timestamp: Date): SearchHit {
  return {
    sessionId: row.sessionId,
    messageId: row.id,
    role: isRole(row.role) ? row.role : "user",
    timestamp,
    sessionName: row.name,
    sessionPreview: previewOf(row.firstUserMessage),
    snippet: row.snippet,
    score: row.score,
  };
}
