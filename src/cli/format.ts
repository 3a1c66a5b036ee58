/** What `sessions list` and `sessions show` print: tables for people, JSON for scripts. */
import { log } from "../log.ts";
import type { Session, SessionSummary, StoredMessage } from "../session.ts";
import { colorEnabled, styleFor } from "../style.ts";

/**
 * Local time, to the minute (or second): `2026-11-24 05:15`. Shifted by the zone's offset and
 * cut from toISOString, which is several times quicker than assembling the parts, and a long
 * session prints thousands of these.
 */
export function formatTime(date: Date, seconds = false): string {
  const iso = new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}`;
}

/** The JSON shape of `sessions list --json`: a contract for scripts (README). */
export function summaryJson(s: SessionSummary) {
  return {
    id: s.id,
    name: s.name,
    provider: s.provider,
    model: s.model,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    messageCount: s.messageCount,
    preview: s.preview,
  };
}

/** The JSON shape of `sessions show --json`: a contract for scripts (README). */
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
    })),
  };
}

export function printSessionList(sessions: readonly SessionSummary[], options: { json: boolean }): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(sessions.map(summaryJson), null, 2)}\n`);
    return;
  }
  if (sessions.length === 0) {
    log.info('no sessions yet; start one with: synapse "Hello"');
    return;
  }
  const style = styleFor(colorEnabled(process.stdout));
  let countWidth = "MSGS".length;
  let modelWidth = "MODEL".length;
  for (const s of sessions) {
    countWidth = Math.max(countWidth, String(s.messageCount).length);
    modelWidth = Math.max(modelWidth, s.provider.length + 1 + s.model.length);
  }
  // Ids and times have fixed widths: 36 and 16 characters.
  const line = (id: string, updated: string, count: string, model: string, title: string) =>
    `${id.padEnd(36)}  ${updated.padEnd(16)}  ${count.padStart(countWidth)}  ${model.padEnd(modelWidth)}  ${title}`.trimEnd();
  let out = `${style.bold(line("ID", "UPDATED", "MSGS", "MODEL", "TITLE / FIRST MESSAGE"))}\n`;
  for (const s of sessions) {
    out += `${line(s.id, formatTime(s.updatedAt), String(s.messageCount), `${s.provider}/${s.model}`, s.name ?? s.preview ?? "")}\n`;
  }
  process.stdout.write(out);
}

export function printSession(session: Session, messages: readonly StoredMessage[], options: { json: boolean }): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(sessionJson(session, messages), null, 2)}\n`);
    return;
  }
  const style = styleFor(colorEnabled(process.stdout));
  const out = [
    `${style.bold("Session")}   ${session.id}${session.name ? `  ${session.name}` : ""}`,
    `${style.bold("Model")}     ${session.provider}/${session.model}`,
    `${style.bold("Created")}   ${formatTime(session.createdAt)}`,
    `${style.bold("Updated")}   ${formatTime(session.updatedAt)}`,
    `${style.bold("Messages")}  ${messages.length}`,
  ];
  if (session.systemPrompt) out.push(`${style.bold("System")}    ${session.systemPrompt}`);
  for (const message of messages) {
    const role = message.role === "user" ? style.cyan(message.role) : message.role === "assistant" ? style.green(message.role) : style.yellow(message.role);
    const mark = message.interrupted ? ` · ${style.yellow("interrupted")}` : "";
    out.push("", `${style.bold(role)} ${style.dim(`· ${formatTime(message.timestamp, true)}`)}${mark}`, message.content);
  }
  process.stdout.write(`${out.join("\n")}\n`);
}
