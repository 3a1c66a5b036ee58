/**
 * The export format of a session: JSON that `sessions import` reads back exactly (ids, title,
 * provider, model, roles, contents, timestamps, order, interrupted marks, token usage), and a
 * Markdown rendering for people. Imported files are validated before anything is stored.
 */
import * as v from "valibot";
import { isUuid, newId, roles, type Session, type StoredMessage } from "./session.ts";
import { normalizeTitle } from "./session-refs.ts";
import { UserFacingError } from "./user-error.ts";
import { messageOf } from "./unknown-values.ts";

export const exportFormat = "synapse.session";
export const exportVersion = 1;

/** The JSON of a session, as `sessions show --json` prints it. */
export function sessionJson(session: Session, messages: readonly StoredMessage[]) {
  return {
    session: {
      id: session.id,
      name: session.name,
      provider: session.provider,
      model: session.model,
      systemPrompt: session.systemPrompt,
      createdAt: session.createdAt.toISOString(),
      updatedAt: session.updatedAt.toISOString(),
    },
    messages: messages.map((m) => ({
      id: m.id,
      role: m.role,
      content: m.content,
      timestamp: m.timestamp.toISOString(),
      ...(m.interrupted ? { interrupted: true } : {}),
      ...(m.usage ? { usage: { inputTokens: m.usage.inputTokens, outputTokens: m.usage.outputTokens } } : {}),
    })),
  };
}

/** What `sessions export --format json` writes: the show JSON with a format tag and version. */
export function exportJson(session: Session, messages: readonly StoredMessage[]): string {
  return `${JSON.stringify({ format: exportFormat, version: exportVersion, ...sessionJson(session, messages) }, null, 2)}\n`;
}

export function exportMarkdown(session: Session, messages: readonly StoredMessage[]): string {
  const title = session.name ?? messages.find((m) => m.role === "user")?.content.split("\n", 1)[0] ?? "Session";
  const lines = [
    `# ${title}`,
    "",
    `- Session: \`${session.id}\``,
    `- Model: ${session.provider}/${session.model}`,
    `- Created: ${session.createdAt.toISOString()}`,
    `- Updated: ${session.updatedAt.toISOString()}`,
  ];
  if (session.systemPrompt) lines.push(`- System prompt: ${session.systemPrompt}`);
  for (const m of messages) {
    const heading = m.role.charAt(0).toUpperCase() + m.role.slice(1);
    const notes = [m.timestamp.toISOString(), ...(m.interrupted ? ["interrupted"] : [])];
    lines.push("", `## ${heading} · ${notes.join(" · ")}`, "", m.content);
  }
  return `${lines.join("\n")}\n`;
}

const uuid = v.pipe(v.string(), v.check(isUuid, "a UUID"));
const timestamp = v.pipe(
  v.string(),
  v.check((t) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(t) && !Number.isNaN(Date.parse(t)), "an RFC 3339 timestamp"),
);
const count = v.pipe(v.number(), v.integer(), v.minValue(0));

const ExportSchema = v.object({
  format: v.literal(exportFormat, `"${exportFormat}"`),
  version: v.literal(exportVersion, `${exportVersion}`),
  session: v.object({
    id: uuid,
    name: v.nullable(v.string()),
    provider: v.pipe(v.string(), v.minLength(1)),
    model: v.pipe(v.string(), v.minLength(1)),
    systemPrompt: v.nullable(v.string()),
    createdAt: timestamp,
    updatedAt: timestamp,
  }),
  messages: v.array(
    v.object({
      id: uuid,
      role: v.picklist(roles),
      content: v.string(),
      timestamp,
      interrupted: v.optional(v.boolean()),
      usage: v.optional(v.object({ inputTokens: count, outputTokens: count })),
    }),
  ),
});

export class ExportFormatError extends UserFacingError {
  override name = "ExportFormatError";
}

/**
 * Reads an export back. With `newIds`, the session and every message get fresh ids, so a
 * copy can sit beside the original.
 */
export function parseExport(text: string, options: { newIds?: boolean } = {}): { session: Session; messages: StoredMessage[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ExportFormatError(`not JSON: ${messageOf(error)}`);
  }
  const result = v.safeParse(ExportSchema, data);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue?.path?.map((p) => String(p.key)).join(".") || "(top level)";
    const problem = issue?.received === "undefined" ? `"${path}" is missing` : `at ${path}, expected ${issue?.expected ?? "something else"}, got ${issue?.received ?? "nothing"}`;
    throw new ExportFormatError(`not a Synapse session export: ${problem}`);
  }
  const { session: s, messages: ms } = result.output;
  const seen = new Map<string, number>();
  for (const [i, m] of ms.entries()) {
    const first = seen.get(m.id.toLowerCase());
    if (first !== undefined) throw new ExportFormatError(`not a Synapse session export: messages.${i}.id repeats messages.${first}.id`);
    seen.set(m.id.toLowerCase(), i);
  }
  let name: string | null;
  try {
    name = s.name === null ? null : normalizeTitle(s.name);
  } catch (error) {
    throw new ExportFormatError(`not a Synapse session export: at session.name, ${messageOf(error)}`);
  }
  const sessionId = options.newIds ? newId() : s.id.toLowerCase();
  const session: Session = {
    id: sessionId,
    name,
    provider: s.provider,
    model: s.model,
    systemPrompt: s.systemPrompt,
    createdAt: new Date(s.createdAt),
    updatedAt: new Date(s.updatedAt),
  };
  const messages = ms.map((m) => {
    const message: StoredMessage = {
      id: options.newIds ? newId() : m.id.toLowerCase(),
      sessionId,
      role: m.role,
      content: m.content,
      timestamp: new Date(m.timestamp),
    };
    if (m.interrupted) message.interrupted = true;
    if (m.usage) message.usage = { inputTokens: m.usage.inputTokens, outputTokens: m.usage.outputTokens };
    return message;
  });
  return { session, messages };
}
