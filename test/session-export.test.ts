import { describe, expect, test } from "bun:test";
import { ExportFormatError, exportJson, exportMarkdown, parseExport } from "../src/session-export.ts";
import { aMessage, aSession, at } from "./_session-store-contract.ts";

const session = aSession({ name: "Trip", systemPrompt: "Be brief.", createdAt: at(0), updatedAt: at(9000) });
const messages = [
  aMessage(session.id, "user", "Trains from Lyon?", at(1000)),
  { ...aMessage(session.id, "assistant", "Twice a day.", at(2000)), usage: { inputTokens: 5, outputTokens: 4 } },
  { ...aMessage(session.id, "assistant", "And", at(3000)), interrupted: true },
];

describe("export and import", () => {
  test("JSON round-trips every field exactly", () => {
    const text = exportJson(session, messages);
    expect(JSON.parse(text)).toMatchObject({ format: "synapse.session", version: 1, session: { id: session.id, name: "Trip" } });
    expect(parseExport(text)).toEqual({ session, messages });
  });

  test("--new-id gives the session and every message fresh ids, keeping the rest", () => {
    const copy = parseExport(exportJson(session, messages), { newIds: true });
    expect(copy.session.id).not.toBe(session.id);
    expect(copy.session).toEqual({ ...session, id: copy.session.id });
    for (const [i, m] of copy.messages.entries()) {
      expect(m.id).not.toBe(messages[i]!.id);
      expect(m).toEqual({ ...messages[i]!, id: m.id, sessionId: copy.session.id });
    }
  });

  test.each([
    ["not json", "not JSON"],
    ["[]", "not a Synapse session export"],
    [JSON.stringify({ format: "other", version: 1 }), "at format"],
    [JSON.stringify({ ...JSON.parse(exportJson(session, messages)), version: 2 }), "at version"],
    [exportJson(session, messages).replace('"role": "user"', '"role": "robot"'), "at messages.0.role"],
    [exportJson(session, messages).replace(session.createdAt.toISOString(), "yesterday"), "at session.createdAt"],
    [exportJson(session, messages).replace(`"id": "${session.id}"`, '"id": "x"'), "at session.id"],
  ])("a broken file is refused with where and what: %#", (text, message) => {
    expect(() => parseExport(text)).toThrow(ExportFormatError);
    expect(() => parseExport(text)).toThrow(message);
  });

  test("Markdown is for reading: title, settings, then each message under its role", () => {
    const markdown = exportMarkdown(session, messages);
    expect(markdown).toStartWith(`# Trip\n\n- Session: \`${session.id}\`\n- Model: anthropic/claude-sonnet-4-5\n`);
    expect(markdown).toContain("- System prompt: Be brief.\n");
    expect(markdown).toContain(`## User · ${at(1000).toISOString()}\n\nTrains from Lyon?\n`);
    expect(markdown).toContain(`## Assistant · ${at(3000).toISOString()} · interrupted\n\nAnd\n`);
  });
});
