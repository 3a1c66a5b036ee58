/**
 * Files in the chat flow: how history folds text files into the question and keeps images, the
 * exchange storing them with the question and reading them back once, the refusal of images by
 * a provider that takes none (before anything is stored), and the placeholder for images a
 * continued session's history holds when the provider takes none.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attachmentOf, AttachmentError } from "../src/attachment-file.ts";
import { runExchange, type ExchangeRequest } from "../src/chat/exchange.ts";
import { historyFor } from "../src/chat/history.ts";
import type { ChatMessage, Provider, StreamEvent } from "../src/providers/types.ts";
import type { Attachment, StoredMessage } from "../src/session.ts";
import { createStorage } from "../src/storage/create-storage.ts";
import { StorageError } from "../src/storage/errors.ts";
import type { SessionStore } from "../src/storage/session-store.ts";
import { tinyImage } from "./_images.ts";

const dirs: string[] = [];
const stores: SessionStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function openStore(): Promise<SessionStore> {
  const dir = mkdtempSync(join(tmpdir(), "synapse-chat-files-"));
  dirs.push(dir);
  const store = await createStorage(`sqlite:${join(dir, "sessions.db")}`);
  stores.push(store);
  return store;
}

function file(name: string, content: string | Uint8Array): Attachment {
  const attachment = attachmentOf(name, typeof content === "string" ? new TextEncoder().encode(content) : content);
  if (attachment === null) throw new Error(`${name} is no attachment`);
  return attachment;
}

const notes = file("notes.md", "# Notes\nuse ``` fences\n");
const png = file("dot.png", tinyImage("image/png"));
const gif = file("dot.gif", tinyImage("image/gif"));

function message(role: "user" | "assistant", content: string, attachments?: Attachment[]): StoredMessage {
  return { id: crypto.randomUUID(), sessionId: "s", role, content, timestamp: new Date(), ...(attachments ? { attachments } : {}) };
}

describe("historyFor with files", () => {
  test("text files first, named and fenced, then the question; images as images", () => {
    const history = historyFor("Be brief.", [message("user", "Summarise", [notes, png])]);
    expect(history).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "notes.md\n````\n# Notes\nuse ``` fences\n````\n\nSummarise", images: [{ mediaType: "image/png", data: png.data! }] },
    ]);
  });

  test("a file whose bytes were not read is a bug, said as such", () => {
    const { data: _, ...stored } = notes;
    expect(() => historyFor(null, [message("user", "Q", [stored])])).toThrow("were not read (withFileData)");
  });

  test("two questions in a row are joined with the images of both", () => {
    const history = historyFor(null, [message("user", "first", [png]), message("user", "second", [gif])]);
    expect(history).toEqual([
      { role: "user", content: "first\n\nsecond", images: [{ mediaType: "image/png", data: png.data! }, { mediaType: "image/gif", data: gif.data! }] },
    ]);
  });

  test("a provider that takes no images gets a line in each one's place", () => {
    const history = historyFor(null, [message("user", "What is it?", [png]), message("assistant", "A dot.")], { provider: "deepseek", acceptsImages: false });
    expect(history).toEqual([
      { role: "user", content: "[image dot.png not sent: deepseek takes no images]\n\nWhat is it?" },
      { role: "assistant", content: "A dot." },
    ]);
  });

  test("messages without files are as before: no images key", () => {
    expect(historyFor(null, [message("user", "Hi")])).toEqual([{ role: "user", content: "Hi" }]);
  });
});

/** A provider that records what it is sent and answers "ok". */
function recorder(name: string, acceptsImages: boolean, sent: ChatMessage[][]): Provider {
  return {
    name,
    defaultModel: "m",
    acceptsImages,
    acceptsTools: false,
    async *stream(request): AsyncGenerator<StreamEvent> {
      sent.push(request.messages);
      yield { type: "text", text: "ok" };
      yield { type: "done", stopReason: "end_turn", rawStopReason: "end_turn", usage: null };
    },
  };
}

function request(store: SessionStore, provider: Provider, more: Partial<ExchangeRequest>): ExchangeRequest {
  return {
    store,
    session: null,
    provider,
    model: "m",
    message: "Q",
    settings: { maxSessions: 0, retentionDays: 0, autoCleanup: false },
    signal: new AbortController().signal,
    onText: () => {},
    ...more,
  };
}

describe("runExchange with files", () => {
  test("stored with the question, sent, and replayed from the store on the next turn, each file read once", async () => {
    const store = await openStore();
    const sent: ChatMessage[][] = [];
    const provider = recorder("anthropic", true, sent);
    const first = await runExchange(request(store, provider, { message: "Look", attachments: [notes, png] }));
    const stored = await store.getMessages(first.session.id);
    expect(stored[0]!.attachments).toEqual([
      { name: "notes.md", mediaType: "text/plain", size: notes.size, sha256: notes.sha256 },
      { name: "dot.png", mediaType: "image/png", size: png.size, sha256: png.sha256 },
    ]);
    const reads: string[] = [];
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        if (property === "readAttachment") return (sha: string) => (reads.push(sha), target.readAttachment(sha));
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    // The same image again, under another name: each content is read once, the question's own not at all.
    await runExchange(request(counting, provider, { session: first.session, message: "Again", attachments: [{ ...png, name: "again.png" }] }));
    expect(reads.sort()).toEqual([notes.sha256, png.sha256].sort());
    const last = sent[1]!;
    expect(last[0]).toEqual({ role: "user", content: `notes.md\n\`\`\`\`\n# Notes\nuse \`\`\` fences\n\`\`\`\`\n\nLook`, images: [{ mediaType: "image/png", data: png.data! }] });
    expect(last[2]!.images?.length).toBe(1);
  });

  test("images for a provider that takes none: refused before anything is stored", async () => {
    const store = await openStore();
    const error = await runExchange(request(store, recorder("deepseek", false, []), { attachments: [notes, png] })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AttachmentError);
    expect((error as Error).message).toBe(
      'deepseek takes no images ("dot.png"); nothing was sent or stored; send it to a provider that takes images (-p anthropic, -p openai), or set images = true in its table if it does',
    );
    expect(await store.listSessions({ limit: 10 })).toEqual([]);
  });

  test("a text file for such a provider is fine", async () => {
    const store = await openStore();
    const sent: ChatMessage[][] = [];
    await runExchange(request(store, recorder("deepseek", false, sent), { attachments: [notes] }));
    expect(sent[0]![0]!.content).toStartWith("notes.md\n````");
  });

  test("continuing a session with images on a provider that takes none: a line in their place, and one warning", async () => {
    const store = await openStore();
    const first = await runExchange(request(store, recorder("anthropic", true, []), { attachments: [png] }));
    const sent: ChatMessage[][] = [];
    const warnings: string[] = [];
    await runExchange(request(store, recorder("deepseek", false, sent), { session: first.session, message: "And?", onWarning: (w) => warnings.push(w) }));
    expect(sent[0]![0]).toEqual({ role: "user", content: "[image dot.png not sent: deepseek takes no images]\n\nQ" });
    expect(warnings).toEqual([
      "an image in this session (dot.png) not sent: deepseek takes no images; a line saying so was sent in its place; continue with -p anthropic or -p openai to send it",
    ]);
  });

  test("a file the store no longer holds is a storage error", async () => {
    const store = await openStore();
    const first = await runExchange(request(store, recorder("anthropic", true, []), { attachments: [notes] }));
    const forgetful = new Proxy(store, {
      get(target, property, receiver) {
        if (property === "readAttachment") return async () => null;
        const value = Reflect.get(target, property, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const error = await runExchange(request(forgetful, recorder("anthropic", true, []), { session: first.session })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).kind).toBe("invalid_data");
    expect((error as StorageError).message).toStartWith(`the file "notes.md" (${notes.sha256.slice(0, 12)}) of message`);
  });
});

describe("retrying with files", () => {
  test("a retry keeps the files waiting for the next question; one its provider refuses leaves no fork behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "synapse-retry-files-"));
    try {
      const env = { HOME: dir, SYNAPSE_DATABASE_URL: `sqlite:${join(dir, "sessions.db")}`, DEEPSEEK_API_KEY: "sk-test" };
      const { Chat } = await import("../src/chat/chat.ts");
      const { writeFileSync } = await import("node:fs");
      const image = join(dir, "dot.png");
      writeFileSync(image, tinyImage("image/png"));
      const notes = join(dir, "notes.md");
      writeFileSync(notes, "# notes\n");
      const chat = await Chat.open({ env, flags: { provider: "echo" }, files: [image] });
      try {
        const signal = new AbortController().signal;
        await chat.send({ message: "What is this?", signal, onText: () => {} });
        await chat.readFile(notes);
        await chat.retry({ signal, onText: () => {} });
        expect(chat.files.map((file) => file.name)).toEqual(["notes.md"]);
        const before = await chat.store.countSessions();
        chat.useProvider("deepseek");
        const refused = await chat.retry({ signal, onText: () => {} }).then(() => undefined, (error: unknown) => error);
        expect(refused).toBeInstanceOf(AttachmentError);
        expect(await chat.store.countSessions()).toBe(before);
      } finally {
        await chat.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
