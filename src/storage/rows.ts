/**
 * Rows as every store reads them back, whatever the database: only the timestamps differ
 * (text in SQLite, timestamptz in PostgreSQL), so each store converts those and hands the rest
 * here. Rows another version may have written are checked, not trusted.
 */
import { isAttachmentType, isRole, previewOf, type Attachment, type SearchHit, type SessionSummary, type StoredMessage, type TextRange } from "../session.ts";
import { StorageError } from "./errors.ts";

export interface MessageRow {
  id: string;
  sessionId: string;
  role: string;
  content: string;
  interrupted: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  /** The message's own, or its session's where it has none (the query's COALESCE). */
  provider: string;
  model: string;
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
  // Only a reply was written by a model; the query gives every row its session's, questions too.
  if (message.role === "assistant") {
    message.provider = row.provider;
    message.model = row.model;
  }
  return message;
}

/** A file a message carried, as both stores read it (without its bytes). */
export interface AttachmentRow {
  messageId: string;
  name: string;
  sha256: string;
  mediaType: string;
  size: number;
}

/**
 * A session's attachment rows, by the message that carried them, each message's in order:
 * what {@link withAttachments} gives messages read page by page.
 */
export function attachmentsByMessage(rows: readonly AttachmentRow[]): Map<string, Attachment[]> {
  const byMessage = new Map<string, Attachment[]>();
  for (const row of rows) {
    if (!isAttachmentType(row.mediaType)) {
      throw StorageError.invalidData(`the file ${JSON.stringify(row.name)} of message ${row.messageId} has an unknown type ${JSON.stringify(row.mediaType)}`);
    }
    const attachment: Attachment = { name: row.name, mediaType: row.mediaType, size: Number(row.size), sha256: row.sha256 };
    const list = byMessage.get(row.messageId);
    if (list === undefined) byMessage.set(row.messageId, [attachment]);
    else list.push(attachment);
  }
  return byMessage;
}

/** Gives each message the files it carried (rows ordered by message, then position). */
export function withAttachments(messages: StoredMessage[], byMessage: ReadonlyMap<string, Attachment[]>): StoredMessage[] {
  if (byMessage.size === 0) return messages;
  for (const message of messages) {
    const attachments = byMessage.get(message.id);
    if (attachments !== undefined) message.attachments = attachments.map((attachment) => ({ ...attachment }));
  }
  return messages;
}

export interface SummaryRow {
  id: string;
  title: string | null;
  provider: string;
  model: string;
  messageCount: number;
  firstUserMessage: string | null;
}

export function sessionSummary(row: SummaryRow, createdAt: Date, updatedAt: Date): SessionSummary {
  return {
    id: row.id,
    title: row.title,
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
  sessionTitle: string | null;
  firstUserMessage: string | null;
  snippet: string;
  score: number;
}

/** What a search's snippets mark the hits with: `<hit-…>` and `</hit-…>`. */
export interface HitMarkers {
  hitStart: string;
  hitEnd: string;
}

/**
 * Markers for one search, with a random part chosen afresh each time: stored text (an imported
 * export, a reply) cannot contain markers it could not know, so it cannot forge a hit, and the
 * snippet needs no character that stored text is refused for. No space, comma or quote either:
 * PostgreSQL's ts_headline reads them from an options string.
 */
export function hitMarkers(): HitMarkers {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex");
  return { hitStart: `<hit-${nonce}>`, hitEnd: `</hit-${nonce}>` };
}

export function searchHit(row: SearchRow, timestamp: Date, markers: HitMarkers): SearchHit {
  const { text, hits } = unmark(row.snippet, markers);
  return {
    sessionId: row.sessionId,
    messageId: row.id,
    role: isRole(row.role) ? row.role : "user",
    timestamp,
    sessionTitle: row.sessionTitle,
    sessionPreview: previewOf(row.firstUserMessage),
    snippet: text,
    hits,
    score: row.score,
  };
}

/** The snippet without its markers, and where they were. */
function unmark(snippet: string, { hitStart, hitEnd }: HitMarkers): { text: string; hits: TextRange[] } {
  let text = "";
  const hits: TextRange[] = [];
  let at = 0;
  for (;;) {
    const open = snippet.indexOf(hitStart, at);
    const close = open === -1 ? -1 : snippet.indexOf(hitEnd, open + hitStart.length);
    if (close === -1) break;
    text += snippet.slice(at, open);
    const start = text.length;
    text += snippet.slice(open + hitStart.length, close);
    // Adjacent hits (`<a>x</a><a>y</a>`) are one stretch of text: one range.
    const last = hits.at(-1);
    if (last !== undefined && last.end === start) last.end = text.length;
    else if (text.length > start) hits.push({ start, end: text.length });
    at = close + hitEnd.length;
  }
  return { text: text + snippet.slice(at), hits };
}

/**
 * A fork's title unless one is given: its source's title, or its first question, with " (fork)";
 * none when the source has neither. A question may hold what a title must not (control and bidi
 * characters, see normalizeTitle): those are left out.
 */
export function forkTitle(source: { title: string | null; firstUserMessage: string | null }): string | null {
  const base = source.title ?? previewOf(source.firstUserMessage)?.replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, "").trim() ?? null;
  return base === null || base === "" ? null : `${base} (fork)`;
}

/** A fork's place in its source: how many messages to copy, checked against how many it holds. */
export function forkCount(at: number | undefined, held: number, sourceId: string): number {
  if (at === undefined) return held;
  if (!Number.isSafeInteger(at) || at < 0) throw StorageError.invalidData(`a fork point must be a whole number from 0, not ${at}`, { sessionId: sourceId });
  if (at > held) {
    throw StorageError.invalidData(`session ${sourceId} has ${held} message${held === 1 ? "" : "s"}: it cannot be forked at message ${at}`, { sessionId: sourceId });
  }
  return at;
}

/** The record of a fork as a row holds it: none unless all its parts are there. */
export function forkOrigin(row: { forkedFrom: string | null; forkedFromMessage: string | null; forkedAt: number | null }): { sessionId: string; messageId: string | null; at: number } | null {
  if (row.forkedFrom === null || row.forkedAt === null) return null;
  return { sessionId: row.forkedFrom, messageId: row.forkedFromMessage, at: row.forkedAt };
}
