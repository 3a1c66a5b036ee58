/** The conversation data Synapse keeps: sessions and the messages in them. */

/**
 * Who a message is from. `tool` is what a tool returned when a reply asked to run it (see
 * {@link StoredMessage.toolCalls}): part of the conversation, sent back to the model.
 */
export const roles = ["system", "user", "assistant", "tool"] as const;
export type Role = (typeof roles)[number];

export function isRole(value: unknown): value is Role {
  return value === "user" || value === "assistant" || value === "system" || value === "tool";
}

/** A tool a reply asked to run, as stored with the reply. */
export interface ToolCall {
  /** The provider's id for the call (`toolu_…`, `call_…`): what the tool's result answers. */
  id: string;
  /** The tool's name as it was offered to the model. */
  name: string;
  /** The arguments the model gave: a JSON object. */
  arguments: Record<string, unknown>;
}

/** A conversation and the settings it was started with. */
export interface Session {
  /** A UUID (v4 for sessions Synapse creates), lower case. */
  id: string;
  /** What the user called it (`--title`, `sessions rename`); null for none. */
  title: string | null;
  provider: string;
  model: string;
  systemPrompt: string | null;
  createdAt: Date;
  /** The time of the last activity: a message added or the session touched. */
  updatedAt: Date;
}

/** What a listing shows of a session, without loading its messages. */
export interface SessionSummary {
  id: string;
  title: string | null;
  provider: string;
  model: string;
  createdAt: Date;
  updatedAt: Date;
  messageCount: number;
  /** The first user message on one line, shortened to {@link previewLength} characters. */
  preview: string | null;
}

/** One message of a session, as stored. */
export interface StoredMessage {
  id: string;
  sessionId: string;
  role: Role;
  content: string;
  timestamp: Date;
  /** Set (true) on a reply cut short by Ctrl+C or a provider failure; absent otherwise. */
  interrupted?: boolean;
  /** Tokens the provider reported for this reply; absent when it reported none. */
  usage?: TokenUsage;
  /**
   * The provider and the model that wrote this reply: the session's own, or the ones a turn
   * chose instead (`-p`, `-m`, `/model`). Assistant messages only. Read back, every reply has
   * both (one stored before replies recorded them reads as its session's); given to a store,
   * either may be left out to mean the session's.
   */
  provider?: string;
  model?: string;
  /**
   * A reply's requests to run tools, in the order the model made them; absent when none. Its
   * `content` is the text it wrote before them (often none). Assistant messages only.
   */
  toolCalls?: ToolCall[];
  /** A tool's result (role `tool`): the id of the call it answers. Tool messages only, and always. */
  toolCallId?: string;
  /** A tool's result that is an error: the tool failed, timed out, was refused or stopped (its content says which). */
  toolError?: boolean;
  /**
   * The files the user sent with this question (`-f`), in the order given; absent when none.
   * Read back they carry no bytes (a listing or `show` never reads them): a store's
   * `readAttachment` does. Given to a store, every one carries its bytes.
   */
  attachments?: Attachment[];
}

/** The media types a file may be stored as: UTF-8 text, or an image a vision model reads. */
export const attachmentTypes = ["text/plain", "image/png", "image/jpeg", "image/webp", "image/gif"] as const;
export type AttachmentType = (typeof attachmentTypes)[number];

export function isAttachmentType(value: unknown): value is AttachmentType {
  return typeof value === "string" && (attachmentTypes as readonly string[]).includes(value);
}

/**
 * A file a question carried. Stored once per content (by `sha256`) however many messages or
 * sessions carry it; each message keeps the name it was sent under.
 */
export interface Attachment {
  /** The file's name as sent: its last path component. */
  name: string;
  mediaType: AttachmentType;
  /** In bytes. */
  size: number;
  /** The SHA-256 of the bytes, 64 lower-case hex digits: what a store keeps them under. */
  sha256: string;
  /** The bytes: given with every attachment a store is to write; absent on what a store reads. */
  data?: Uint8Array;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** One message found by a full-text search, with where it stands. */
export interface SearchHit {
  sessionId: string;
  messageId: string;
  role: Role;
  timestamp: Date;
  /** The session's title, or null. */
  sessionTitle: string | null;
  sessionPreview: string | null;
  /** The matching part of the message, exactly as stored (`…` where text was left out). */
  snippet: string;
  /** Where the words that matched are in `snippet`, in order. */
  hits: TextRange[];
  /** bm25 relevance: lower is better. */
  score: number;
}

/** A stretch of a string: from `start` up to, not including, `end`, in UTF-16 code units. */
export interface TextRange {
  start: number;
  end: number;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in its canonical 8-4-4-4-12 form, in either case. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

/** A fresh random (v4) id for a session or a message. */
export function newId(): string {
  return crypto.randomUUID();
}

export const previewLength = 80;

const nonAscii = /[^\x00-\x7f]/;
// Made on first use: creating a segmenter loads ICU's break rules, a few ms of every start-up.
let graphemes: Intl.Segmenter | undefined;

/**
 * The first line of `text` with white space folded, at most `max` characters long, ending in
 * `…` when anything was left out. Cuts fall between grapheme clusters, so an emoji or an accented
 * letter is never split. Null when there is nothing to show.
 */
export function previewOf(text: string | null, max = previewLength): string | null {
  if (text === null) return null;
  const start = text.search(/\S/);
  if (start === -1) return null;
  const newline = text.indexOf("\n", start);
  const lineEnd = newline === -1 ? text.length : newline;
  // Only the start of a long line can show, so only that much is folded (a list shows thousands).
  // A character can take up to a dozen UTF-16 units (emoji sequences), so non-ASCII needs more.
  let end = Math.min(lineEnd, start + max * 3);
  if (nonAscii.test(text.slice(start, end))) end = Math.min(lineEnd, start + max * 16);
  const line = foldSpace(text.slice(start, end)).trimEnd();
  const more = end < lineEnd || (newline !== -1 && /\S/.test(text.slice(newline)));
  if (!more && cutAt(line, max) === line) return line;
  return `${cutAt(line, max - 1).trimEnd()}…`;
}

// Replacing every single space is slow (a match per word), so only runs and odd spaces are sought.
const oddSpace = /[^\S ]/;

function foldSpace(text: string): string {
  return text.includes("  ") || oddSpace.test(text) ? text.replace(/\s+/g, " ") : text;
}

/** The longest prefix of `text` of at most `max` characters that ends on a character boundary. */
function cutAt(text: string, max: number): string {
  // Most previews are ASCII, where code units are characters; segmenting them all would make
  // listing thousands of sessions measurably slower.
  // (One character past the cut is checked too: a combining accent there belongs to the cut.)
  if (!nonAscii.test(text.slice(0, max + 1))) return text.slice(0, max);
  let out = "";
  let count = 0;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  for (const { segment } of graphemes.segment(text)) {
    if (count === max) break;
    out += segment;
    count += 1;
  }
  return out;
}
