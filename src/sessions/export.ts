/**
 * The export format of a session: JSON that `sessions import` reads back exactly (ids, title,
 * provider, model, roles, contents, timestamps, order, interrupted marks, token usage, the
 * provider and model of each reply), and a Markdown rendering for people. Imported files are
 * validated before anything is stored.
 */
import * as v from "valibot";
import { attachmentTypes, isUuid, newId, roles, type Attachment, type Session, type StoredMessage } from "../session.ts";
import { sha256Of } from "../sha256.ts";
import { filesOf } from "./attachment-data.ts";
import { normalizeTitle } from "./refs.ts";
import { UserFacingError } from "../user-error.ts";
import { isRecord, messageOf } from "../unknown-values.ts";
import { hasControls, plainName } from "../plain-text.ts";
import { parseRfc3339 } from "../storage/timestamps.ts";
import { demoteHeadings } from "../markdown-fences.ts";
import type { ForkOrigin, ForkSummary } from "../storage/session-store.ts";

export const exportFormat = "synapse.session";
/**
 * 2: each reply names the provider and model that wrote it. Version 1 files (without them) are
 * still read, their replies taken as written by the session's provider and model.
 * 3: the session says where it was forked from (`forkedFrom`, null for none). Version 1 and 2
 * files are still read, as sessions forked from nothing.
 * 5: tools: a reply lists the tools it asked to run (`toolCalls`: id, name, arguments), and each
 * tool's result is a message of role `tool` naming the call it answers (`toolCallId`, and
 * `toolError` when it failed). Earlier versions are still read, as sessions without tools.
 * 4: a question lists the files it carried (`attachments`: name, type, size, SHA-256), and the
 * export holds each file's bytes once, in base64, in `files` by SHA-256. Earlier versions are
 * still read, as sessions without files.
 */
export const exportVersion = 5;

/** The JSON of a fork record: the session and message it was forked at, and how many it copied. */
function originJson(origin: ForkOrigin | null) {
  return origin === null ? null : { sessionId: origin.sessionId, messageId: origin.messageId, at: origin.at };
}

/**
 * The JSON of a session, as `sessions show --json` prints it; `origin` is where it was forked
 * from, and `forks` (show only, never exported) the sessions forked from it.
 */
export function sessionJson(session: Session, messages: readonly StoredMessage[], origin: ForkOrigin | null = null, forks?: readonly ForkSummary[]) {
  return {
    session: {
      id: session.id,
      name: session.title,
      title: session.title,
      provider: session.provider,
      model: session.model,
      systemPrompt: session.systemPrompt,
      createdAt: session.createdAt.toISOString(),
      updatedAt: session.updatedAt.toISOString(),
      forkedFrom: originJson(origin),
      ...(forks === undefined ? {} : { forks: forks.map((f) => ({ id: f.id, title: f.title, at: f.at, createdAt: f.createdAt.toISOString() })) }),
    },
    messages: messages.map((m) => messageJson(m, session)),
  };
}

/** What wrote a reply: its own provider and model, or, where it has none, its session's. */
export function replyModel(m: StoredMessage, session: Pick<Session, "provider" | "model">): { provider: string; model: string } {
  return { provider: m.provider ?? session.provider, model: m.model ?? session.model };
}

/** One message of {@link sessionJson}; a reply names the provider and model that wrote it. */
export function messageJson(m: StoredMessage, session: Pick<Session, "provider" | "model">) {
  return {
    id: m.id,
    role: m.role,
    content: m.content,
    timestamp: m.timestamp.toISOString(),
    ...(m.interrupted ? { interrupted: true } : {}),
    ...(m.usage ? { usage: { inputTokens: m.usage.inputTokens, outputTokens: m.usage.outputTokens } } : {}),
    ...(m.role === "assistant" ? replyModel(m, session) : {}),
    ...(m.attachments !== undefined && m.attachments.length > 0 ? { attachments: m.attachments.map(attachmentJson) } : {}),
    ...(m.toolCalls !== undefined && m.toolCalls.length > 0 ? { toolCalls: m.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })) } : {}),
    ...(m.role === "tool" ? { toolCallId: m.toolCallId, ...(m.toolError ? { toolError: true } : {}) } : {}),
  };
}

/** A file a question carried, as show and export list it: never its bytes (export has them in `files`). */
function attachmentJson(a: Attachment) {
  return { name: a.name, mediaType: a.mediaType, size: a.size, sha256: a.sha256 };
}

/**
 * What `sessions export --format json` writes: the show JSON with a format tag and version, and
 * the bytes of every file its questions carried, once each, in `files`. The messages' files must
 * carry their bytes (withFileData).
 */
export function exportJson(session: Session, messages: readonly StoredMessage[], origin: ForkOrigin | null = null): string {
  const files = Object.fromEntries([...filesOf(messages)].map(([sha256, data]) => [sha256, Buffer.from(data).toString("base64")]));
  const embedded = Object.keys(files).length === 0 ? {} : { files };
  return `${JSON.stringify({ format: exportFormat, version: exportVersion, ...sessionJson(session, messages, origin), ...embedded }, null, 2)}\n`;
}

/** The heading level of each message in the Markdown export: `## User · …`, under the title's `#`. */
const messageLevel = 2;

/**
 * A session as a Markdown document: the title as `#`, its settings, then each message as a `##`
 * section. The headings inside a message are moved below that level (`#` → `###`, never beyond
 * `######`), so the outline has one title and the messages at one level under it; `#` lines in
 * fenced code are left as they are.
 */
export function exportMarkdown(session: Session, messages: readonly StoredMessage[]): string {
  const title = session.title ?? messages.find((m) => m.role === "user")?.content.split("\n", 1)[0] ?? "Session";
  const lines = [
    `# ${title}`,
    "",
    `- Session: \`${session.id}\``,
    `- Model: ${session.provider}/${session.model}`,
    `- Created: ${session.createdAt.toISOString()}`,
    `- Updated: ${session.updatedAt.toISOString()}`,
  ];
  if (session.systemPrompt) lines.push(`- System prompt: ${session.systemPrompt}`);
  // A tool's result is headed by its tool's name: the call it answers came before it.
  const toolNames = new Map<string, string>();
  for (const m of messages) {
    const heading = m.role.charAt(0).toUpperCase() + m.role.slice(1);
    // A reply by another model than the session's says which; the rest go by `- Model:` above.
    const model = m.role === "assistant" ? replyModel(m, session) : session;
    const other = model.provider !== session.provider || model.model !== session.model ? [`${model.provider}/${model.model}`] : [];
    const tool = m.toolCallId === undefined ? [] : [`\`${toolNames.get(m.toolCallId) ?? m.toolCallId}\``, ...(m.toolError ? ["error"] : [])];
    const notes = [m.timestamp.toISOString(), ...tool, ...other, ...(m.interrupted ? ["interrupted"] : [])];
    lines.push("", `${"#".repeat(messageLevel)} ${heading} · ${notes.join(" · ")}`, "", demoteHeadings(m.content, messageLevel));
    for (const call of m.toolCalls ?? []) {
      toolNames.set(call.id, call.name);
      lines.push("", `- Tool call: \`${call.name}\` \`${JSON.stringify(call.arguments)}\``);
    }
    const files = m.attachments ?? [];
    if (files.length > 0) lines.push("", ...files.map((a) => `- File: \`${a.name}\` (${a.mediaType}, ${a.size} bytes, SHA-256 \`${a.sha256.slice(0, 12)}\`)`));
  }
  return `${lines.join("\n")}\n`;
}

// Each check's message is what was expected, said for people: an import error reads
// "at messages.3.usage.inputTokens (message 0b5e…): expected …, got 1.5".
const uuid = v.pipe(v.string("a UUID"), v.check(isUuid, "a UUID like 0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20"));
const timestamp = v.pipe(
  v.string("an RFC 3339 time"),
  v.check((t) => !Number.isNaN(parseRfc3339(t)), "an RFC 3339 time that exists, like 2026-03-01T12:00:00.000Z"),
);
/** Token counts fit a 32-bit column in every database (validate.ts checks the same). */
const maxTokens = 2_147_483_647;
const count = v.pipe(
  v.number("a whole number"),
  v.integer(`a whole number from 0 to ${maxTokens}`),
  v.minValue(0, `a whole number from 0 to ${maxTokens}`),
  v.maxValue(maxTokens, `a whole number from 0 to ${maxTokens}`),
);
const name = v.pipe(
  v.string("a non-empty string"),
  v.check((t) => t.trim() !== "", "a non-empty string"),
  // A provider or model is sent to servers and shown on one line wherever the session is listed.
  v.check((t) => !hasControls(t), plainName),
);

const SessionSchema = v.object(
  {
    id: uuid,
    // (nullable's second argument would be a default for null, not a message.)
    name: v.nullable(v.string("a string or null")),
    // Written beside `name` since exports say "title" too; older exports have only `name`.
    title: v.optional(v.nullable(v.string("a string or null"))),
    provider: name,
    model: name,
    systemPrompt: v.nullable(v.string("a string or null")),
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  "an object",
);

/** Where a session was forked from (version 3). */
const OriginSchema = v.nullable(
  v.object(
    {
      sessionId: uuid,
      messageId: v.nullable(uuid),
      at: v.pipe(v.number("a whole number"), v.integer("a whole number from 0"), v.minValue(0, "a whole number from 0")),
    },
    "an object with sessionId, messageId and at",
  ),
);
const SessionV3Schema = v.object({ ...SessionSchema.entries, forkedFrom: v.optional(OriginSchema) }, "an object");

/** The roles before version 5, which added `tool`. */
const chatRoles = ["system", "user", "assistant"] as const;

/** A message as version 1 wrote it; what version 2 adds is in {@link MessageV2}. */
const messageV1 = {
  id: uuid,
  role: v.picklist(chatRoles, `one of ${chatRoles.map((r) => `"${r}"`).join(", ")}`),
  // PostgreSQL text cannot hold NUL, and no store holds what another refuses.
  content: v.pipe(v.string("text"), v.check((t) => !t.includes("\0"), "text without NUL characters (binary data?)")),
  timestamp,
  interrupted: v.optional(v.boolean("true or false")),
  usage: v.optional(v.object({ inputTokens: count, outputTokens: count }, "an object with inputTokens and outputTokens")),
};

/** A reply's provider and model; either left out means the session's. */
const MessageV2 = v.object({ ...messageV1, provider: v.optional(name), model: v.optional(name) }, "an object");

const sha256 = v.pipe(v.string("a SHA-256"), v.regex(/^[0-9a-f]{64}$/, "the 64 lower-case hex digits of a SHA-256"));
/** A file a question carried (version 4); its bytes are in the export's `files`. */
const AttachmentSchema = v.object(
  {
    name: v.pipe(name),
    mediaType: v.picklist(attachmentTypes, `one of ${attachmentTypes.map((t) => `"${t}"`).join(", ")}`),
    size: v.pipe(v.number("a whole number"), v.integer("a whole number of bytes"), v.minValue(0, "a whole number of bytes")),
    sha256,
  },
  "an object with name, mediaType, size and sha256",
);
const MessageV4 = v.object({ ...MessageV2.entries, attachments: v.optional(v.array(AttachmentSchema, "a list")) }, "an object");
const oneLine = v.pipe(v.string("a non-empty string"), v.check((t) => t !== "" && !hasControls(t), plainName));
const ToolCallSchema = v.object(
  { id: oneLine, name: oneLine, arguments: v.record(v.string(), v.unknown(), "an object of arguments") },
  "an object with id, name and arguments",
);
/** Version 5: a reply's tool calls, and tools' results (role `tool`). */
const MessageV5 = v.object(
  {
    ...MessageV4.entries,
    role: v.picklist(roles, `one of ${roles.map((r) => `"${r}"`).join(", ")}`),
    toolCalls: v.optional(v.array(ToolCallSchema, "a list")),
    toolCallId: v.optional(oneLine),
    toolError: v.optional(v.boolean("true or false")),
  },
  "an object",
);
const base64 = v.pipe(v.string("base64 text"), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, "base64 text"));

/** What every version starts with: a file that is no export at all is told so by its `format`. */
const HeaderSchema = v.object({ format: v.literal(exportFormat, `"${exportFormat}"`) }, "an object");

// Each version read as it was written: a version 1 file imports exactly as it always did (a
// `provider` on one of its messages, which version 1 never wrote, is ignored as it was then).
const ExportSchema = v.variant(
  "version",
  [
    v.object(
      { format: v.literal(exportFormat, `"${exportFormat}"`), version: v.literal(1), session: SessionSchema, messages: v.array(v.object(messageV1, "an object"), "a list") },
      "an object",
    ),
    v.object(
      { format: v.literal(exportFormat, `"${exportFormat}"`), version: v.literal(2), session: SessionSchema, messages: v.array(MessageV2, "a list") },
      "an object",
    ),
    v.object(
      { format: v.literal(exportFormat, `"${exportFormat}"`), version: v.literal(3), session: SessionV3Schema, messages: v.array(MessageV2, "a list") },
      "an object",
    ),
    withFiles(4, MessageV4),
    withFiles(5, MessageV5),
  ],
  `1, 2, 3, 4 or ${exportVersion} (a newer Synapse may write versions this one cannot read)`,
);

/** A version that carries files (4 on): its messages as `message` reads them, and the files' bytes. */
function withFiles<const Version extends 4 | 5, Message extends v.GenericSchema>(version: Version, message: Message) {
  return v.object(
    {
      format: v.literal(exportFormat, `"${exportFormat}"`),
      version: v.literal(version),
      session: SessionV3Schema,
      messages: v.array(message, "a list"),
      files: v.optional(v.record(sha256, base64, "an object of base64 file contents by SHA-256")),
    },
    "an object",
  );
}

export class ExportFormatError extends UserFacingError {
  override name = "ExportFormatError";
}

/**
 * Reads an export back. With `newIds`, the session and every message get fresh ids, so a
 * copy can sit beside the original.
 */
export function parseExport(text: string, options: { newIds?: boolean } = {}): { session: Session; messages: StoredMessage[]; origin: ForkOrigin | null } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ExportFormatError(`not JSON: ${messageOf(error)}`);
  }
  const header = v.safeParse(HeaderSchema, data);
  if (!header.success) throw new ExportFormatError(`not a Synapse session export: ${describeIssue(header.issues[0], data)}`);
  const result = v.safeParse(ExportSchema, data);
  if (!result.success) throw new ExportFormatError(`not a Synapse session export: ${describeIssue(result.issues[0], data)}`);
  const { session: s, messages: ms } = result.output;
  const files = "files" in result.output ? (result.output.files ?? {}) : {};
  const seen = new Map<string, number>();
  for (const [i, m] of ms.entries()) {
    const first = seen.get(m.id.toLowerCase());
    if (first !== undefined) throw new ExportFormatError(`not a Synapse session export: messages.${i}.id repeats messages.${first}.id (${m.id})`);
    seen.set(m.id.toLowerCase(), i);
    if ("attachments" in m && Array.isArray(m.attachments) && m.attachments.length > 0 && m.role !== "user") {
      throw new ExportFormatError(`not a Synapse session export: messages.${i}.attachments (message ${shown(JSON.stringify(m.id))}) is on ${m.role === "assistant" ? "an assistant" : "a system"} message; only a question (role "user") carries files`);
    }
    const named = "provider" in m && m.provider !== undefined ? "provider" : "model" in m && m.model !== undefined ? "model" : null;
    if (named !== null && m.role !== "assistant") {
      throw new ExportFormatError(
        `not a Synapse session export: messages.${i}.${named} (message ${shown(JSON.stringify(m.id))}) is on a ${m.role} message; only a reply (role "assistant") names the provider and model that wrote it`,
      );
    }
  }
  let title: string | null;
  try {
    title = s.name === null ? null : normalizeTitle(s.name);
  } catch (error) {
    throw new ExportFormatError(`not a Synapse session export: at session.name, ${messageOf(error)}`);
  }
  // `name` is the contract; a `title` that says otherwise (one edited by hand) is not guessed at.
  if (s.title !== undefined && s.title !== s.name) {
    throw new ExportFormatError(
      `not a Synapse session export: session.title (${JSON.stringify(s.title)}) differs from session.name (${JSON.stringify(s.name)}); give both the same title, or remove title`,
    );
  }
  const sessionId = options.newIds ? newId() : s.id.toLowerCase();
  const session: Session = {
    id: sessionId,
    title,
    provider: s.provider,
    model: s.model,
    systemPrompt: s.systemPrompt,
    createdAt: new Date(parseRfc3339(s.createdAt)),
    updatedAt: new Date(parseRfc3339(s.updatedAt)),
  };
  const messages = ms.map((m, i) => {
    const message: StoredMessage = {
      id: options.newIds ? newId() : m.id.toLowerCase(),
      sessionId,
      role: m.role,
      content: m.content,
      timestamp: new Date(parseRfc3339(m.timestamp)),
    };
    if (m.interrupted) message.interrupted = true;
    if (m.usage) message.usage = { inputTokens: m.usage.inputTokens, outputTokens: m.usage.outputTokens };
    // A reply names what wrote it as a store reads it back: the session's where the file says
    // nothing (every version 1 file), so an import reads the same as the session exported.
    if (m.role === "assistant") {
      message.provider = ("provider" in m ? m.provider : undefined) ?? session.provider;
      message.model = ("model" in m ? m.model : undefined) ?? session.model;
    }
    if ("toolCalls" in m && m.toolCalls !== undefined && m.toolCalls.length > 0) {
      if (m.role !== "assistant") throw new ExportFormatError(`not a Synapse session export: messages.${i}.toolCalls (message ${shown(JSON.stringify(m.id))}) is on a ${m.role} message; only a reply (role "assistant") asks to run tools`);
      message.toolCalls = m.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments }));
    }
    if (m.role === "tool") {
      if (!("toolCallId" in m) || m.toolCallId === undefined) throw new ExportFormatError(`not a Synapse session export: "messages.${i}.toolCallId" is missing (message ${shown(JSON.stringify(m.id))}): a tool's result names the call it answers`);
      message.toolCallId = m.toolCallId;
      if (m.toolError === true) message.toolError = true;
    } else if (("toolCallId" in m && m.toolCallId !== undefined) || ("toolError" in m && m.toolError !== undefined)) {
      throw new ExportFormatError(`not a Synapse session export: messages.${i} (message ${shown(JSON.stringify(m.id))}) is a ${m.role} message; only a tool's result (role "tool") has toolCallId or toolError`);
    }
    const attachments = "attachments" in m ? (m.attachments ?? []) : [];
    if (attachments.length > 0) message.attachments = attachments.map((a, j) => importedFile(a, files, `messages.${i}.attachments.${j} (message ${shown(JSON.stringify(m.id))})`));
    return message;
  });
  const forkedFrom = "forkedFrom" in s ? (s.forkedFrom ?? null) : null;
  const origin = forkedFrom === null ? null : { sessionId: forkedFrom.sessionId.toLowerCase(), messageId: forkedFrom.messageId?.toLowerCase() ?? null, at: forkedFrom.at };
  return { session, messages, origin };
}

/** A file of an imported question, with its bytes from `files`, which must be what its hash and size say. */
function importedFile(a: v.InferOutput<typeof AttachmentSchema>, files: Record<string, string>, where: string): Attachment {
  const encoded = files[a.sha256];
  if (encoded === undefined) throw new ExportFormatError(`not a Synapse session export: ${where} names file ${a.sha256.slice(0, 12)}…, which "files" does not hold`);
  const data = new Uint8Array(Buffer.from(encoded, "base64"));
  if (data.byteLength !== a.size || sha256Of(data) !== a.sha256) {
    throw new ExportFormatError(`not a Synapse session export: the bytes of file ${a.sha256.slice(0, 12)}… (${where}) are not the file its SHA-256 and size name: the export is damaged`);
  }
  return { name: a.name, mediaType: a.mediaType, size: a.size, sha256: a.sha256, data };
}

type Issue = v.InferIssue<typeof ExportSchema> | v.InferIssue<typeof HeaderSchema>;

/**
 * Where the file is wrong and what was expected there. A problem inside a message names the
 * message by its place and, when it has one, its id, so it can be found in a long file.
 */
function describeIssue(issue: Issue | undefined, data: unknown): string {
  const keys = issue?.path?.map((p) => String(p.key)) ?? [];
  const path = keys.join(".");
  let where = path === "" ? "the top level" : path;
  if (keys[0] === "messages" && keys.length > 2) {
    const id = messageIdAt(data, Number(keys[1]));
    if (id !== undefined) where += ` (message ${id})`;
  }
  if (issue?.received === "undefined" && path !== "") return `"${path}" is missing${where === path ? "" : where.slice(path.length)}`;
  return `at ${where}, expected ${issue?.message ?? "something else"}, got ${shown(issue?.received ?? "nothing")}`;
}

/** What the file held, kept to one short line: control characters escaped, long text cut. */
function shown(received: string): string {
  const escaped = received.replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return escaped.length > 60 ? `${escaped.slice(0, 60)}…` : escaped;
}

function messageIdAt(data: unknown, index: number): string | undefined {
  if (!isRecord(data) || !Array.isArray(data.messages)) return undefined;
  const message: unknown = data.messages[index];
  return isRecord(message) && typeof message.id === "string" ? shown(JSON.stringify(message.id)) : undefined;
}
