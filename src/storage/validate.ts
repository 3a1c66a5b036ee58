/**
 * What every store checks before a query runs, whatever the database: ids are UUIDs, sessions
 * and messages are whole, limits are whole numbers. Shared so that all adapters refuse the same
 * input with the same words.
 */
import { sha256Of } from "../sha256.ts";
import { hasControls, plainName } from "../plain-text.ts";
import { isAttachmentType, isRole, isUuid, type Attachment, type AttachmentType, type Role, type Session, type StoredMessage, type ToolCall } from "../session.ts";
import { StorageError } from "./errors.ts";
import type { ForkOrigin, Lease } from "./session-store.ts";

/** Ids are compared in lower case; anything but a UUID never reaches a query. */
export function checkId(id: string, what: string): string {
  if (typeof id !== "string" || !isUuid(id)) {
    throw StorageError.invalidData(`invalid ${what} ${JSON.stringify(id)}: expected a UUID like 0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20`);
  }
  return id.toLowerCase();
}

/** The start of a session id to look for: only lower-case hex and '-', so no pattern character reaches a query. */
export function checkIdPrefix(prefix: string): string {
  if (!/^[0-9a-f-]*$/.test(prefix)) throw StorageError.invalidData(`invalid session id prefix ${JSON.stringify(prefix)}`);
  return prefix;
}

export function checkText(value: string, what: string): string {
  if (typeof value !== "string" || value.trim() === "") throw StorageError.invalidData(`a session needs a ${what}`);
  return value;
}

export function checkDate(date: Date, what: string): Date {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw StorageError.invalidData(`invalid ${what}: ${String(date)}`);
  return date;
}

/** maxSessions and retentionDays: 0 means no limit. */
export function checkLimit(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw StorageError.invalidData(`${what} must be a whole number of 0 or more (0 means no limit), not ${value}`);
  }
  return value;
}

export function checkCount(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0) throw StorageError.invalidData(`${what} must be a whole number of 0 or more, not ${value}`);
  return value;
}

export function checkSession(session: Session): Session {
  return {
    id: checkId(session.id, "session id"),
    title: session.title,
    provider: checkText(session.provider, "provider"),
    model: checkText(session.model, "model"),
    systemPrompt: session.systemPrompt,
    createdAt: checkDate(session.createdAt, "timestamp"),
    updatedAt: checkDate(session.updatedAt, "timestamp"),
  };
}

/**
 * A message as every store writes it: usage spread into two nullable counts; a reply's provider
 * and model null where none is given or (after {@link asStored}) where they are its session's.
 */
export interface CheckedMessage {
  id: string;
  sessionId: string;
  /** As the database holds it: a tool's result is `user` (with its toolCallId). */
  role: Exclude<Role, "tool">;
  content: string;
  timestamp: Date;
  interrupted: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  provider: string | null;
  model: string | null;
  /** A reply's tool calls as JSON; null for none. */
  toolCalls: string | null;
  /** A tool's result, stored with role `user` beside the call it answers; null for every other message. */
  toolCallId: string | null;
  toolError: boolean;
  /** Each with its bytes, which match its hash and size. */
  attachments: CheckedAttachment[];
}

/** An attachment as every store writes it: its bytes are there, and are what its hash and size say. */
export interface CheckedAttachment {
  name: string;
  mediaType: AttachmentType;
  size: number;
  sha256: string;
  data: Uint8Array;
}

export function checkMessage(message: StoredMessage): CheckedMessage {
  if (!isRole(message.role)) throw StorageError.invalidData(`invalid message role ${JSON.stringify(message.role)}`);
  if (typeof message.content !== "string") throw StorageError.invalidData("message content must be text");
  // PostgreSQL text cannot hold NUL, and no adapter should hold what another refuses.
  if (message.content.includes("\0")) {
    throw StorageError.invalidData("the message contains a NUL character (binary data?); Synapse stores text only");
  }
  const usage = message.usage;
  const id = checkId(message.id, "message id");
  const provider = message.provider === undefined ? null : checkName(message.provider, "provider");
  const model = message.model === undefined ? null : checkName(message.model, "model");
  // What wrote a message is a reply's alone: a question or a system prompt has no author to record.
  if (message.role !== "assistant" && (provider !== null || model !== null)) {
    throw StorageError.invalidData(`message ${id} is a ${message.role} message; only a reply (role assistant) records the provider and model that wrote it`);
  }
  const tool = checkTool(id, message);
  return {
    id,
    sessionId: checkId(message.sessionId, "session id"),
    role: message.role === "tool" ? "user" : message.role,
    ...tool,
    content: message.content,
    timestamp: checkDate(message.timestamp, "timestamp"),
    interrupted: message.interrupted === true,
    inputTokens: usage === undefined ? null : checkTokens(usage.inputTokens, "usage.inputTokens"),
    outputTokens: usage === undefined ? null : checkTokens(usage.outputTokens, "usage.outputTokens"),
    provider,
    model,
    attachments: message.attachments === undefined ? [] : checkAttachments(id, message.role, message.attachments),
  };
}

const sha256Pattern = /^[0-9a-f]{64}$/;

/** A reply's tool calls and a tool's result, as a store writes them: each only where it belongs. */
function checkTool(id: string, message: StoredMessage): { toolCalls: string | null; toolCallId: string | null; toolError: boolean } {
  const { role, toolCalls, toolCallId, toolError } = message;
  if (toolCalls !== undefined && toolCalls.length > 0 && role !== "assistant") {
    throw StorageError.invalidData(`message ${id} is a ${role} message; only a reply (role assistant) asks to run tools`);
  }
  if (role === "tool") {
    if (typeof toolCallId !== "string" || toolCallId === "" || hasControls(toolCallId)) {
      throw StorageError.invalidData(`message ${id} is a tool's result without the id of the call it answers`);
    }
  } else if (toolCallId !== undefined || toolError === true) {
    throw StorageError.invalidData(`message ${id} is a ${role} message; only a tool's result (role tool) answers a tool call`);
  }
  const calls = toolCalls === undefined || toolCalls.length === 0 ? null : toolCalls.map((call) => checkToolCall(id, call));
  return { toolCalls: calls === null ? null : JSON.stringify(calls), toolCallId: role === "tool" ? toolCallId! : null, toolError: toolError === true };
}

function checkToolCall(id: string, call: ToolCall): ToolCall {
  const ok =
    typeof call.id === "string" && call.id !== "" && !hasControls(call.id) &&
    typeof call.name === "string" && call.name !== "" && !hasControls(call.name) &&
    typeof call.arguments === "object" && call.arguments !== null && !Array.isArray(call.arguments);
  if (!ok) throw StorageError.invalidData(`message ${id} has a tool call that is not {id, name, arguments} (an object)`);
  return { id: call.id, name: call.name, arguments: call.arguments };
}

/** A file's hash as a store looks it up: 64 hex digits, compared in lower case. */
export function checkSha256(sha256: string): string {
  const hash = typeof sha256 === "string" ? sha256.toLowerCase() : sha256;
  if (typeof hash !== "string" || !sha256Pattern.test(hash)) {
    throw StorageError.invalidData(`invalid file hash ${JSON.stringify(sha256)}: expected the 64 hex digits of a SHA-256`);
  }
  return hash;
}

/**
 * A question's files, as a store writes them: each with bytes that hash to its `sha256` (so a
 * store keeps each content once, and an import cannot store one file under another's hash).
 */
function checkAttachments(id: string, role: Role, attachments: readonly Attachment[]): CheckedAttachment[] {
  if (attachments.length > 0 && role !== "user") {
    throw StorageError.invalidData(`message ${id} is a ${role} message; only a question (role user) carries files`);
  }
  return attachments.map((attachment) => {
    const { name, mediaType, size, sha256, data } = attachment;
    if (typeof name !== "string" || name.trim() === "" || hasControls(name)) {
      throw StorageError.invalidData(`message ${id} has a file with an invalid name ${JSON.stringify(name)}: expected ${plainName}`);
    }
    const what = `file ${JSON.stringify(name)} of message ${id}`;
    if (!isAttachmentType(mediaType)) throw StorageError.invalidData(`${what} has an unknown type ${JSON.stringify(mediaType)}`);
    if (typeof sha256 !== "string" || !sha256Pattern.test(sha256)) throw StorageError.invalidData(`${what} has an invalid SHA-256 ${JSON.stringify(sha256)}`);
    if (!(data instanceof Uint8Array)) throw StorageError.invalidData(`${what} comes without its bytes`);
    if (size !== data.byteLength) throw StorageError.invalidData(`${what} says it has ${size} bytes but has ${data.byteLength}`);
    if (sha256Of(data) !== sha256) throw StorageError.invalidData(`${what} does not match its SHA-256 ${sha256.slice(0, 12)}…: it is damaged`);
    return { name, mediaType, size, sha256, data };
  });
}


/**
 * A provider or model name: sent to servers and shown on one line wherever a reply is, so it is
 * one line of text without control characters (the rule config and imports apply too).
 */
export function checkName(value: string, what: string): string {
  if (typeof value !== "string" || value.trim() === "") throw StorageError.invalidData(`a reply's ${what} must be a non-empty name`);
  if (hasControls(value)) throw StorageError.invalidData(`invalid ${what} ${JSON.stringify(value)}: expected ${plainName}`);
  return value;
}

/**
 * A message's provider and model as they are stored beside `session`: null where they are the
 * session's own, which is what null reads as (queries/<engine>/messages.sql, GetMessages). So a
 * reply by the session's provider and model costs no bytes, and only an override is spelled out.
 */
export function asStored<Row extends { provider: string | null; model: string | null }>(row: Row, session: { provider: string; model: string }): Row {
  if (row.provider !== session.provider && row.model !== session.model) return row;
  return {
    ...row,
    provider: row.provider === session.provider ? null : row.provider,
    model: row.model === session.model ? null : row.model,
  };
}

/**
 * A whole session to store at once: every message must belong to it. Its replies' provider and
 * model come back {@link asStored} beside it.
 */
export function checkImport(session: Session, messages: readonly StoredMessage[]): { session: Session; messages: CheckedMessage[] } {
  const checked = checkSession(session);
  return {
    session: checked,
    messages: messages.map((m) => {
      const message = checkMessage(m);
      if (message.sessionId !== checked.id) {
        throw StorageError.invalidData(`message ${message.id} belongs to session ${message.sessionId}, not ${checked.id}`);
      }
      return asStored(message, checked);
    }),
  };
}

/** Token counts fit a 32-bit column in every database. */
function checkTokens(value: number, what: string): number {
  checkCount(value, what);
  if (value > 2_147_483_647) throw StorageError.invalidData(`${what} is too large: ${value}`);
  return value;
}

/** What a cleanup step spares, and how many sessions it hides at most. */
export function checkCleanupStep(options: { keep: readonly string[]; max: number }): { keep: string[]; max: number } {
  return { keep: options.keep.map((id) => checkId(id, "session id to keep")), max: checkCount(options.max, "max") };
}

/** A lease as every store takes it: a UUID holder, and a whole, positive number of milliseconds. */
export function checkLease(lease: Lease): Lease {
  if (!Number.isInteger(lease.ttlMs) || lease.ttlMs <= 0) throw StorageError.invalidData(`a lease lasts a whole number of milliseconds above 0, not ${lease.ttlMs}`);
  return { holder: checkId(lease.holder, "lease holder"), ttlMs: lease.ttlMs };
}

/** A fork record as SetSessionOrigin stores it, checked: one from an export is not trusted. */
export function checkOrigin(id: string, origin: ForkOrigin | null): { id: string; forkedFrom: string | null; forkedFromMessage: string | null; forkedAt: number | null } {
  if (origin === null) return { id, forkedFrom: null, forkedFromMessage: null, forkedAt: null };
  return {
    id,
    forkedFrom: checkId(origin.sessionId, "forked-from session id"),
    forkedFromMessage: origin.messageId === null ? null : checkId(origin.messageId, "forked-from message id"),
    forkedAt: checkCount(origin.at, "fork point"),
  };
}
