/**
 * `sessions show` writes a long session as it reads it, page by page: the output must be byte
 * for byte what it was when the whole session was read first and printed as one string.
 */
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StoredMessage } from "../src/session.ts";
import { exportFormat, exportVersion, sessionJson } from "../src/sessions/export.ts";
import { terminalSafeJson } from "../src/cli/terminal-text.ts";
import { defaultPageSize } from "../src/storage/message-pages.ts";
import { Home, sourceRunner } from "./_cli.ts";

const id = "5e55104e-0000-4000-8000-000000000001";
const session = {
  id,
  title: "A long one",
  provider: "anthropic",
  model: "claude-sonnet-4-5",
  systemPrompt: "Be brief.",
  createdAt: new Date("2026-03-01T12:00:00.000Z"),
  updatedAt: new Date("2026-03-01T14:00:00.000Z"),
};
// More than two pages, with every kind of message: usage, interrupted, odd characters, no text.
const count = 2 * defaultPageSize + 37;
const contents = ["", "ünïcødé 🧠 — 日本語", "line\r\nbreaks\n\n", "\x1b[31mred\x1b[0m \u202eevil\u202c \x7f\x9b", "  spaced  out  "];
const messages: StoredMessage[] = Array.from({ length: count }, (_, i) => {
  const message: StoredMessage = {
    id: `5e55104e-0000-4000-8000-${(i + 2).toString(16).padStart(12, "0")}`,
    sessionId: id,
    role: i % 2 === 0 ? "user" : "assistant",
    content: `${contents[i % contents.length]} message ${i}`,
    timestamp: new Date(Date.parse("2026-03-01T12:00:00.000Z") + i * 1000),
  };
  if (i % 2 === 1) message.usage = { inputTokens: i, outputTokens: 2 * i };
  if (i % 97 === 1) message.interrupted = true;
  return message;
});

/** `sessions show` as it was: every message read, then one string (NO_COLOR, not a terminal, UTC). */
function shownBefore(): string {
  const time = (date: Date, seconds = false) => `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, seconds ? 19 : 16)}`;
  let text = [
    `Session   ${session.id}`,
    `Title     ${session.title}`,
    `Model     ${session.provider}/${session.model}`,
    `Created   ${time(session.createdAt)}`,
    `Updated   ${time(session.updatedAt)}`,
    `Messages  ${messages.length}`,
    `System    ${session.systemPrompt}`,
  ].join("\n");
  text += "\n";
  for (const message of messages) {
    const usage = message.usage ? ` · ${message.usage.inputTokens} in / ${message.usage.outputTokens} out tokens` : "";
    text += `\n${message.role} · ${time(message.timestamp, true)}${usage}${message.interrupted ? " · interrupted" : ""}\n${message.content}\n`;
  }
  return text;
}

test("show of a session longer than a page prints what reading it whole printed, as text and as JSON", async () => {
  const home = new Home(sourceRunner, { TZ: "UTC" });
  const file = join(home.dir, "long.json");
  const exported = { format: exportFormat, version: exportVersion, ...sessionJson(session, messages) };
  writeFileSync(file, JSON.stringify(exported));
  expect((await home.run(["sessions", "import", file])).exitCode).toBe(0);

  const json = await home.run(["sessions", "show", id, "--json"]);
  expect(json).toMatchObject({ exitCode: 0, stderr: "" });
  expect(json.stdout).toBe(`${terminalSafeJson(JSON.stringify(sessionJson(session, messages, null, []), null, 2))}\n`);

  const text = await home.run(["sessions", "show", id]);
  expect(text).toMatchObject({ exitCode: 0, stderr: "" });
  expect(text.stdout).toBe(shownBefore());
});

test("show of a session without messages prints an empty list", async () => {
  const home = new Home(sourceRunner, { TZ: "UTC" });
  const file = join(home.dir, "empty.json");
  writeFileSync(file, JSON.stringify({ format: exportFormat, version: exportVersion, ...sessionJson(session, []) }));
  expect((await home.run(["sessions", "import", file])).exitCode).toBe(0);
  const json = await home.run(["sessions", "show", id, "--json"]);
  expect(json.stdout).toBe(`${terminalSafeJson(JSON.stringify(sessionJson(session, [], null, []), null, 2))}\n`);
  expect((await home.run(["sessions", "show", id])).stdout).toEndWith("Messages  0\nSystem    Be brief.\n");
});
