/** What the sessions commands print: tables for people, JSON for scripts. */
import { describeBytes } from "../byte-size.ts";
import { localOffsetMinutes } from "../local-time.ts";
import { log } from "../log.ts";
import type { SearchHit, Session, SessionSummary, StoredMessage, TextRange } from "../session.ts";
import { messageJson, replyModel, sessionJson } from "../sessions/export.ts";
import type { SessionLineage } from "../sessions/lineage.ts";
import { colorEnabled, styleFor } from "../style.ts";
import { stdoutInfo, terminalSize } from "../tty.ts";
import { displayWidth, fitWidth } from "./fit-width.ts";
import { relativeTime, relativeTimeWidth } from "./relative-time.ts";
import { fitMarked, marked, pieces } from "./snippet.ts";
import { stdoutSettled, writeOut } from "./stdout.ts";
import { terminalSafeJson, textFor } from "./terminal-text.ts";

/**
 * Local time, to the minute (or second): `2026-11-24 05:15`. Shifted by the zone's offset and
 * cut from toISOString, which is several times quicker than assembling the parts, and a long
 * session prints thousands of these.
 */
export function formatTime(date: Date, seconds = false): string {
  const iso = new Date(date.getTime() + localOffsetMinutes(date) * 60_000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}`;
}

/** The JSON shape of `sessions list --json`: a contract for scripts (README). */
export function summaryJson(s: SessionSummary) {
  return {
    id: s.id,
    name: s.title,
    title: s.title,
    provider: s.provider,
    model: s.model,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    messageCount: s.messageCount,
    preview: s.preview,
  };
}

/** JSON on stdout; stored text in it comes back exactly when parsed, and never drives a terminal. */
export function printJson(value: unknown): void {
  writeOut(`${terminalSafeJson(JSON.stringify(value, null, 2))}\n`);
}

/**
 * A table of sessions; `shortIds` maps each id to the prefix to show. On a terminal, the last use
 * is relative (`5 min ago`) and each row fits the window: the title (or first message) is cut
 * to the room the other columns leave, or, when even they do not fit, the row itself. Piped,
 * the full time and the whole row.
 */
export function printSessionTable(sessions: readonly SessionSummary[], shortIds: ReadonlyMap<string, string>, now = new Date()): void {
  const style = styleFor(colorEnabled(stdoutInfo));
  const onTerminal = stdoutInfo.isTTY;
  const columns = terminalSize(1)?.columns ?? null;
  // Titles, previews and even model names are stored text: an import can put anything there.
  const cell = cellFor(onTerminal);
  // On a terminal, by the columns a cell takes (a CJK model name takes two a character).
  const widthOf = onTerminal ? displayWidth : (text: string) => text.length;
  let idWidth = "ID".length;
  let countWidth = "MSGS".length;
  let modelWidth = "MODEL".length;
  for (const s of sessions) {
    idWidth = Math.max(idWidth, (shortIds.get(s.id) ?? s.id).length);
    countWidth = Math.max(countWidth, String(s.messageCount).length);
    modelWidth = Math.max(modelWidth, widthOf(cell(`${s.provider}/${s.model}`)));
  }
  // Times have a fixed width: 16 characters, or 10 for a relative one (`59 min ago`, `2026-11-24`).
  const [when, timeWidth] = onTerminal ? [(date: Date) => relativeTime(date, now), relativeTimeWidth] : [(date: Date) => formatTime(date), 16];
  const line = (id: string, updated: string, count: string, model: string, title: string) => {
    const fixed = `${id.padEnd(idWidth)}  ${updated.padEnd(timeWidth)}  ${count.padStart(countWidth)}  ${model}${" ".repeat(Math.max(0, modelWidth - widthOf(model)))}  `;
    if (columns === null) return `${fixed}${title}`.trimEnd();
    const room = columns - displayWidth(fixed);
    return room >= 1 ? `${fixed}${fitWidth(title, room)}`.trimEnd() : fitWidth(`${fixed}${title}`.trimEnd(), columns);
  };
  let out = `${style.bold(line("ID", "UPDATED", "MSGS", "MODEL", "TITLE / FIRST MESSAGE"))}\n`;
  for (const s of sessions) {
    const title = s.title === null ? cell(s.preview ?? "") : style.bold(cell(s.title));
    out += `${line(shortIds.get(s.id) ?? s.id, when(s.updatedAt), String(s.messageCount), cell(`${s.provider}/${s.model}`), title)}\n`;
  }
  writeOut(out);
}

/**
 * Stored text in a table cell or a one-line header: {@link textFor}, and on a terminal also one
 * line (a title from an old import may hold a newline or a tab, and would break its row).
 */
function cellFor(onTerminal: boolean): (text: string) => string {
  const shown = textFor({ isTTY: onTerminal });
  return onTerminal ? (text) => shown(text).replace(/[\t\n]/g, " ") : shown;
}

/**
 * A session as `sessions show` prints it, written page by page as the pages are read, so a long
 * session is never in memory whole. Each page waits until stdout has taken the last, so a slow
 * reader holds back the reading, not memory.
 */
export async function printSessionPages(
  session: Session,
  pages: { count: number } & AsyncIterable<readonly StoredMessage[]>,
  options: { json: boolean; reply?: (text: string) => string; lineage?: SessionLineage },
): Promise<void> {
  const printer = sessionPrinter(session, pages.count, options);
  writeOut(printer.start);
  for await (const page of pages) {
    writeOut(printer.page(page));
    await stdoutSettled();
  }
  writeOut(printer.end);
}

/** The text of a session shown: a start (with the count), each page of messages, an end. */
function sessionPrinter(
  session: Session,
  count: number,
  options: { json: boolean; reply?: (text: string) => string; lineage?: SessionLineage },
): { start: string; page: (messages: readonly StoredMessage[]) => string; end: string } {
  const lineage = options.lineage ?? { origin: null, forks: [] };
  if (options.json) {
    // JSON.stringify(sessionJson(…), null, 2) in pieces: the array's items indented two levels.
    const whole = terminalSafeJson(JSON.stringify(sessionJson(session, [], lineage.origin, lineage.forks), null, 2));
    if (count === 0) return { start: `${whole}\n`, page: () => "", end: "" };
    let first = true;
    return {
      start: whole.slice(0, -"]\n}".length),
      page: (messages) => {
        let text = "";
        for (const message of messages) {
          text += `${first ? "\n" : ",\n"}    ${terminalSafeJson(JSON.stringify(messageJson(message, session), null, 2)).replaceAll("\n", "\n    ")}`;
          first = false;
        }
        return text;
      },
      end: "\n  ]\n}\n",
    };
  }
  const style = styleFor(colorEnabled(stdoutInfo));
  const shown = textFor(stdoutInfo);
  // An assistant's message as the reply was shown (rendered on a terminal, unless --raw), with its newline.
  const reply = options.reply ?? ((text: string) => `${shown(text)}\n`);
  const out = [
    `${style.bold("Session")}   ${session.id}`,
    ...(session.title ? [`${style.bold("Title")}     ${shown(session.title)}`] : []),
    `${style.bold("Model")}     ${shown(`${session.provider}/${session.model}`)}`,
    `${style.bold("Created")}   ${formatTime(session.createdAt)}`,
    `${style.bold("Updated")}   ${formatTime(session.updatedAt)}`,
    `${style.bold("Messages")}  ${count}`,
  ];
  if (session.systemPrompt) out.push(`${style.bold("System")}    ${shown(session.systemPrompt)}`);
  const { origin, forks } = lineage;
  if (origin !== null) {
    const source = origin.deleted ? `${origin.shortId} (deleted since)` : `${origin.shortId}${origin.title === null ? "" : ` (${shown(origin.title)})`}`;
    out.push(`${style.bold("Forked")}    from ${source} at message ${origin.at}`);
  }
  for (const [i, fork] of forks.entries()) {
    const name = fork.title ?? fork.preview;
    out.push(`${style.bold(i === 0 ? "Forks" : "     ")}     ${fork.shortId} at message ${fork.at}${name === null ? "" : ` · ${shown(name)}`}`);
  }
  // One string per page, built in one pass: a long session is thousands of messages.
  const roleLabel = { user: style.bold(style.cyan("user")), assistant: style.bold(style.green("assistant")), system: style.bold(style.yellow("system")) };
  const interrupted = ` · ${style.yellow("interrupted")}`;
  // Stored text, on the header's one line: an import can put anything in a model's name.
  const cell = cellFor(stdoutInfo.isTTY);
  return {
    start: `${out.join("\n")}\n`,
    page: (messages) => {
      let text = "";
      for (const message of messages) {
        const usage = message.usage ? ` · ${message.usage.inputTokens} in / ${message.usage.outputTokens} out tokens` : "";
        const content = message.role === "assistant" ? reply(message.content) : `${shown(message.content)}\n`;
        text += `\n${roleLabel[message.role]} ${style.dim(`· ${formatTime(message.timestamp, true)}${otherModel(message, session, cell)}${usage}`)}${message.interrupted ? interrupted : ""}\n`;
        // The files it carried, each on a line before the question (they were sent before it):
        // `sessions attachment` writes one out by the start of its hash.
        for (const file of message.attachments ?? []) {
          text += `${style.dim("file")} ${cell(file.name)} ${style.dim(`· ${file.mediaType} · ${describeBytes(file.size)} · ${file.sha256.slice(0, 12)}`)}\n`;
        }
        text += content;
      }
      return text;
    },
    end: "",
  };
}

/**
 * ` · provider/model` for a reply written by another provider or model than its session's
 * (`-p`, `-m`, `/model` on a continued session); nothing for the rest, which the session's
 * `Model` line above them names already.
 */
function otherModel(message: StoredMessage, session: Session, cell: (text: string) => string): string {
  if (message.role !== "assistant") return "";
  const { provider, model } = replyModel(message, session);
  return provider === session.provider && model === session.model ? "" : ` · ${cell(`${provider}/${model}`)}`;
}

/** Search hits with their hits marked `**like this**` in plain text, or bold on a terminal. */
export function printSearchHits(hits: readonly SearchHit[], shortIds: ReadonlyMap<string, string>, options: { json: boolean }): void {
  if (options.json) {
    printJson(
      hits.map((h) => ({
        sessionId: h.sessionId,
        messageId: h.messageId,
        role: h.role,
        timestamp: h.timestamp.toISOString(),
        title: h.sessionTitle,
        preview: h.sessionPreview,
        // The text exactly as stored, and where the hits are in it: no marker stored text could forge.
        snippet: h.snippet,
        hits: h.hits.map((range) => codePointRange(h.snippet, range)),
        score: h.score,
      })),
    );
    return;
  }
  if (hits.length === 0) {
    log.info("no messages match");
    return;
  }
  const style = styleFor(colorEnabled(stdoutInfo));
  const cell = cellFor(stdoutInfo.isTTY);
  const columns = terminalSize(1)?.columns ?? null;
  const [open, close] = colorEnabled(stdoutInfo) ? ["\x1b[1;33m", "\x1b[22;39m"] : ["**", "**"];
  let out = "";
  for (const hit of hits) {
    const where = hit.sessionTitle ?? hit.sessionPreview ?? "";
    const header = `${style.bold(shortIds.get(hit.sessionId) ?? hit.sessionId)}  ${style.dim(formatTime(hit.timestamp))}  ${hit.role}  ${cell(where)}`;
    out += `${columns === null ? header : fitWidth(header, columns)}\n`;
    const parts = pieces(hit.snippet, hit.hits).map((piece) => ({ text: cell(piece.text.replace(/\s+/g, " ")), hit: piece.hit }));
    if (columns === null) out += `    ${marked(parts, open, close)}\n`;
    // (Below 5 columns not even the indent fits: then the line is cut like any other.)
    else out += `${fitWidth(`    ${fitMarked(parts, open, close, columns - 4)}`, columns)}\n`;
  }
  writeOut(out);
}

/**
 * A range in code points, not UTF-16 units: what jq's `.snippet[a:b]` and Python's
 * `snippet[a:b]` count in, so scripts in either cut the hit out exactly.
 */
function codePointRange(text: string, { start, end }: TextRange): [number, number] {
  const before = [...text.slice(0, start)].length;
  return [before, before + [...text.slice(start, end)].length];
}
