import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { StoredMessage } from "../src/session.ts";
import { ExportFormatError, exportJson, exportMarkdown, parseExport } from "../src/sessions/export.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { aMessage, aSession, at } from "./_session-store-contract.ts";

const session = aSession({ title: "Trip", systemPrompt: "Be brief.", createdAt: at(0), updatedAt: at(9000) });
const messages: StoredMessage[] = [
  aMessage(session.id, "user", "Trains from Lyon?", at(1000)),
  { ...aMessage(session.id, "assistant", "Twice a day.", at(2000)), usage: { inputTokens: 5, outputTokens: 4 } },
  // Continued with `-p openai -m gpt-4o`: that reply names them, the session keeps its own.
  { ...aMessage(session.id, "assistant", "And", at(3000)), interrupted: true, provider: "openai", model: "gpt-4o" },
];
/** A file `sessions export` wrote before replies named their model (version 1). */
const v1File = join(import.meta.dir, "fixtures/exports/v1-trip.json");

describe("export and import", () => {
  test("JSON round-trips every field exactly, each reply's provider and model included", () => {
    const text = exportJson(session, messages);
    expect(JSON.parse(text)).toMatchObject({ format: "synapse.session", version: 4, session: { id: session.id, name: "Trip", provider: "anthropic", model: "claude-sonnet-4-5" } });
    expect(JSON.parse(text).messages.map((m: Record<string, unknown>) => [m.role, m.provider, m.model])).toEqual([
      ["user", undefined, undefined],
      ["assistant", "anthropic", "claude-sonnet-4-5"],
      ["assistant", "openai", "gpt-4o"],
    ]);
    expect(parseExport(text)).toEqual({ session, messages, origin: null });
  });

  test("a reply given no provider or model is exported as its session's", () => {
    const { provider: _provider, model: _model, ...unnamed } = messages[1]!;
    const written = JSON.parse(exportJson(session, [unnamed])).messages[0];
    expect(written).toMatchObject({ provider: "anthropic", model: "claude-sonnet-4-5" });
  });

  test("a version 2 reply that leaves out its provider or model has its session's", () => {
    const data = JSON.parse(exportJson(session, messages));
    delete data.messages[1].provider;
    delete data.messages[2].model;
    const read = parseExport(JSON.stringify(data)).messages;
    expect([read[1]!.provider, read[1]!.model, read[2]!.provider, read[2]!.model]).toEqual(["anthropic", "claude-sonnet-4-5", "openai", "claude-sonnet-4-5"]);
  });

  test("a version 1 file imports as it always did: every reply written by the session's provider and model", async () => {
    const text = await Bun.file(v1File).text();
    const { session: read, messages: replies } = parseExport(text);
    expect(read).toMatchObject({ id: "5a1e0b7c-3d2f-4e6a-9b8c-1d2e3f4a5b6c", title: "Trip", provider: "openai", model: "gpt-4o-mini", systemPrompt: "Be brief." });
    expect(replies.map((m) => [m.role, m.content, m.provider, m.model, m.interrupted ?? false, m.usage ?? null])).toEqual([
      ["user", "Trains from Lyon to Turin?", undefined, undefined, false, null],
      ["assistant", "Twice a day, through the Fréjus tunnel.", "openai", "gpt-4o-mini", false, { inputTokens: 14, outputTokens: 9 }],
      ["user", "And back?", undefined, undefined, false, null],
      ["assistant", "The same", "openai", "gpt-4o-mini", true, null],
    ]);
    // Stored and exported again, it comes back as version 4, the same in every other field.
    const store = SqliteStore.inMemory();
    await store.importSession(read, replies);
    const again = JSON.parse(exportJson((await store.getSession(read.id))!, await store.getMessages(read.id)));
    await store.close();
    const before = JSON.parse(text);
    expect(again).toEqual({
      ...before,
      version: 4,
      session: { ...before.session, forkedFrom: null },
      messages: before.messages.map((m: Record<string, unknown>) => (m.role === "assistant" ? { ...m, provider: "openai", model: "gpt-4o-mini" } : m)),
    });
    // Version 1 never wrote a reply's model: one found there is ignored, as it always was.
    const odd = JSON.parse(text);
    odd.messages[1].model = "ignored";
    odd.messages[0].provider = 42;
    expect(parseExport(JSON.stringify(odd)).messages.map((m) => m.model)).toEqual([undefined, "gpt-4o-mini", undefined, "gpt-4o-mini"]);
  });

  test("a session without a title or system prompt round-trips with both null", () => {
    const plain = { ...session, title: null, systemPrompt: null };
    expect(parseExport(exportJson(plain, messages))).toEqual({ session: plain, messages, origin: null });
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
    [JSON.stringify({ ...JSON.parse(exportJson(session, messages)), version: 5 }), "at version, expected 1, 2, 3 or 4 (a newer Synapse may write versions this one cannot read), got 5"],
    [exportJson(session, messages).replace('"role": "user"', '"role": "robot"'), "at messages.0.role"],
    [exportJson(session, messages).replace(session.createdAt.toISOString(), "yesterday"), "at session.createdAt"],
    [exportJson(session, messages).replace(`"id": "${session.id}"`, '"id": "x"'), "at session.id"],
  ])("a broken file is refused with where and what: %#", (text, message) => {
    expect(() => parseExport(text)).toThrow(ExportFormatError);
    expect(() => parseExport(text)).toThrow(message);
  });

  const messageId = messages[0]!.id;
  const withFirstMessage = (change: Record<string, unknown>) => {
    const data = JSON.parse(exportJson(session, messages));
    Object.assign(data.messages[0], change);
    return JSON.stringify(data);
  };
  test.each([
    [
      "a token count that is not whole",
      withFirstMessage({ usage: { inputTokens: 1.5, outputTokens: 2 } }),
      `at messages.0.usage.inputTokens (message "${messageId}"), expected a whole number from 0 to 2147483647, got 1.5`,
    ],
    [
      "a token count too large for any database",
      withFirstMessage({ usage: { inputTokens: 3, outputTokens: 1e300 } }),
      `at messages.0.usage.outputTokens (message "${messageId}"), expected a whole number from 0 to 2147483647, got 1e+300`,
    ],
    [
      "a message time that does not exist",
      withFirstMessage({ timestamp: "2026-02-31T10:00:00Z" }),
      `at messages.0.timestamp (message "${messageId}"), expected an RFC 3339 time that exists, like 2026-03-01T12:00:00.000Z, got "2026-02-31T10:00:00Z"`,
    ],
    [
      "a session time that does not exist",
      exportJson(session, messages).replace(session.createdAt.toISOString(), "2025-02-29T00:00:00.000Z"),
      `at session.createdAt, expected an RFC 3339 time that exists, like 2026-03-01T12:00:00.000Z, got "2025-02-29T00:00:00.000Z"`,
    ],
    [
      "an hour 24",
      withFirstMessage({ timestamp: "2026-03-01T24:00:00+01:00" }),
      `at messages.0.timestamp (message "${messageId}"), expected an RFC 3339 time that exists`,
    ],
    [
      "a NUL character, shown escaped",
      withFirstMessage({ content: "binary\u0000data" }),
      `at messages.0.content (message "${messageId}"), expected text without NUL characters (binary data?), got "binary\\u0000data"`,
    ],
    ["a missing role", withFirstMessage({ role: undefined }), `"messages.0.role" is missing (message "${messageId}")`],
    ["a blank provider", exportJson(session, messages).replace('"provider": "anthropic"', '"provider": "  "'), `at session.provider, expected a non-empty string, got "  "`],
    [
      "a reply's model on two lines",
      exportJson(session, messages).replace('"model": "gpt-4o"', '"model": "gpt-4o\\nrm"'),
      `at messages.2.model (message "${messages[2]!.id}"), expected a name without control characters`,
    ],
    [
      "a reply's provider that is not text",
      exportJson(session, messages).replace('"provider": "openai"', '"provider": 7'),
      `at messages.2.provider (message "${messages[2]!.id}"), expected a non-empty string, got 7`,
    ],
    [
      "a provider on a question",
      withFirstMessage({ provider: "openai" }),
      `messages.0.provider (message "${messageId}") is on a user message; only a reply (role "assistant") names the provider and model that wrote it`,
    ],
    ["a title with a bidi override", exportJson(session, messages).replace('"name": "Trip"', '"name": "Trip\\u202E"'), "at session.name, a title must not contain bidirectional controls"],
    [
      "a title that differs from the name",
      exportJson(session, messages).replace('"title": "Trip"', '"title": "Paris"'),
      'session.title ("Paris") differs from session.name ("Trip"); give both the same title, or remove title',
    ],
  ])("%s is refused, naming the message and what was expected", (_, text, said) => {
    expect(() => parseExport(text)).toThrow(`not a Synapse session export: ${said}`);
  });

  test("an export written before title stood beside name reads the title from name", () => {
    const older = exportJson(session, messages).replace('    "title": "Trip",\n', "");
    expect(older).not.toContain('"title"');
    expect(parseExport(older).session).toEqual(session);
  });

  test("a time with an offset is read as the instant it names", () => {
    const { messages: read } = parseExport(withFirstMessage({ timestamp: "2024-02-29T23:30:00.5-01:00" }));
    expect(read[0]!.timestamp.toISOString()).toBe("2024-03-01T00:30:00.500Z");
  });

  test("Markdown is for reading: title, settings, then each message under its role", () => {
    const markdown = exportMarkdown(session, messages);
    expect(markdown).toStartWith(`# Trip\n\n- Session: \`${session.id}\`\n- Model: anthropic/claude-sonnet-4-5\n`);
    expect(markdown).toContain("- System prompt: Be brief.\n");
    expect(markdown).toContain(`## User · ${at(1000).toISOString()}\n\nTrains from Lyon?\n`);
    expect(markdown).toContain(`## Assistant · ${at(2000).toISOString()}\n\nTwice a day.\n`);
    // A reply by another model than the session's says which.
    expect(markdown).toContain(`## Assistant · ${at(3000).toISOString()} · openai/gpt-4o · interrupted\n\nAnd\n`);
  });

  test("Markdown moves a message's headings below its own, never past ######, leaving fenced code alone", () => {
    const reply = { ...aMessage(session.id, "assistant", "# Plan\n## Steps\n```sh\n# comment\n```\n##### Deep", at(2000)) };
    const markdown = exportMarkdown(session, [reply]);
    expect(markdown).toEndWith(`## Assistant · ${at(2000).toISOString()}\n\n### Plan\n#### Steps\n\`\`\`sh\n# comment\n\`\`\`\n###### Deep\n`);
  });
});

describe("files in an export (version 4)", () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7]);
  const sha256 = new Bun.CryptoHasher("sha256").update(png).digest("hex");
  const file = { name: "a.png", mediaType: "image/png" as const, size: png.byteLength, sha256 };
  const withFile = messages.map((m, i) => (i === 0 ? { ...m, attachments: [{ ...file, data: png }] } : m));

  test("each file's bytes are embedded once, and read back with the question that carried them", () => {
    const twice = withFile.map((m, i) => (i === 2 && m.role === "user" ? { ...m, attachments: [{ ...file, name: "b.png", data: png }] } : m));
    const data = JSON.parse(exportJson(session, twice));
    expect(data.files).toEqual({ [sha256]: Buffer.from(png).toString("base64") });
    const read = parseExport(exportJson(session, twice));
    expect(read.messages[0]!.attachments).toEqual([{ ...file, data: png }]);
  });

  test("a file on a reply, or a file whose bytes were not read, is refused", () => {
    const text = exportJson(session, withFile);
    const data = JSON.parse(text);
    data.messages[1].attachments = data.messages[0].attachments;
    expect(() => parseExport(JSON.stringify(data))).toThrow(`is on an assistant message; only a question (role "user") carries files`);
    expect(() => exportJson(session, [{ ...withFile[0]!, attachments: [file] }])).toThrow("was not read");
  });
});
