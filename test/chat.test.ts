/**
 * The chat flow of the core (src/chat/): the order of an exchange and what it reports through
 * its callbacks, the automatic cleanup's policy, and the checks made before a store is opened.
 * The offline echo provider and real SQLite files; the CLI around it is tested in cli*.test.ts.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Chat, sessionToContinue } from "../src/chat/chat.ts";
import { runExchange, type ExchangeRequest } from "../src/chat/exchange.ts";
import { createProvider } from "../src/chat/provider.ts";
import { loadConfig } from "../src/config/load.ts";
import { ProviderError } from "../src/providers/errors.ts";
import type { ChatMessage, Provider, StreamEvent } from "../src/providers/types.ts";
import type { Session } from "../src/session.ts";
import { SessionRefError } from "../src/sessions/refs.ts";
import { createStorage } from "../src/storage/create-storage.ts";
import { StorageError } from "../src/storage/errors.ts";
import type { SessionStore } from "../src/storage/session-store.ts";

const dirs: string[] = [];
const stores: SessionStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "synapse-chat-"));
  dirs.push(dir);
  return dir;
}

async function openStore(): Promise<SessionStore> {
  const store = await createStorage(`sqlite:${join(tempDir(), "sessions.db")}`);
  stores.push(store);
  return store;
}

const config = loadConfig({ env: { HOME: "/nonexistent" } });
const echo = createProvider("echo", config);
const keepAll: ExchangeRequest["settings"] = { maxSessions: 0, retentionDays: 0, autoCleanup: true };

/** An exchange with the echo provider; `events` records each callback in the order it came. */
function exchange(store: SessionStore, message: string, more: Partial<ExchangeRequest> = {}) {
  const events: string[] = [];
  const request: ExchangeRequest = {
    store,
    session: null,
    provider: echo,
    model: "echo",
    message,
    settings: keepAll,
    signal: new AbortController().signal,
    onText: (text) => events.push(`text ${text}`),
    onSession: (session, isNew) => events.push(`session ${isNew ? "new" : "continued"} ${session.id}`),
    onStoringReply: () => events.push("storing the reply"),
    onCleanup: (result) => events.push(`cleanup deleted ${result.sessionsDeleted}`),
    onCleanupFailed: (error) => events.push(`cleanup failed: ${(error as Error).message}`),
    ...more,
  };
  return { events, done: runExchange(request) };
}

/** The same store, with some of its answers changed. */
function storeWith(store: SessionStore, changes: Partial<SessionStore>): SessionStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property in changes) return changes[property as keyof SessionStore];
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("runExchange", () => {
  test("a new session: the cleanup, then the session stored with the question, then the reply streamed and stored whole", async () => {
    const store = await openStore();
    let storedWhenStarted: string[] = [];
    const { events, done } = exchange(store, "hello there", {
      // Slow enough that the read below is done long before the reply is stored.
      provider: createProvider("echo", config, { echo: { delayMs: 20 } }),
      onSession(session, isNew) {
        events.push(`session ${isNew ? "new" : "continued"} ${session.id}`);
        void store.getMessages(session.id).then((messages) => (storedWhenStarted = messages.map((m) => m.content)));
      },
    });
    const result = await done;
    expect(events).toEqual(["cleanup deleted 0", `session new ${result.session.id}`, "text hello ", "text there", "storing the reply"]);
    expect(storedWhenStarted).toEqual(["hello there"]);
    expect(result).toMatchObject({ isNew: true, stopReason: "end_turn", session: { provider: "echo", model: "echo", title: null, systemPrompt: null } });
    const messages = await store.getMessages(result.session.id);
    expect(messages.map((m) => [m.role, m.content, m.interrupted ?? false])).toEqual([
      ["user", "hello there", false],
      ["assistant", "hello there", false],
    ]);
  });

  test("a continued session is the one given, read once by the caller; its own system prompt stays", async () => {
    const store = await openStore();
    const first = await exchange(store, "one", { title: "Notes", systemPrompt: "Be brief" }).done;
    const session = (await store.getSession(first.session.id))!;
    const { events, done } = exchange(store, "two", { session, systemPrompt: "ignored for a continued session" });
    const second = await done;
    expect(second.isNew).toBe(false);
    expect(second.session).toEqual(session);
    expect(events[1]).toBe(`session continued ${session.id}`);
    expect((await store.getSession(session.id))?.systemPrompt).toBe("Be brief");
    expect((await store.getMessages(session.id)).map((m) => m.content)).toEqual(["one", "one", "two", "two"]);
  });

  test("another provider or model on a continued session is recorded on that reply; the session keeps its own", async () => {
    const store = await openStore();
    const first = await exchange(store, "one").done;
    expect(first.reply).toMatchObject({ provider: "echo", model: "echo" });
    const session = (await store.getSession(first.session.id))!;
    // `-m` alone: the same provider, another model.
    const second = await exchange(store, "two", { session, model: "echo-large" }).done;
    expect(second.reply).toMatchObject({ provider: "echo", model: "echo-large" });
    // `-p` (and its model): another provider altogether.
    const other: Provider = {
      name: "openai",
      defaultModel: "gpt-4o-mini",
      acceptsImages: true,
      acceptsTools: false,
      async *stream() {
        yield { type: "text", text: "from elsewhere" };
        yield { type: "done", stopReason: "end_turn", rawStopReason: "stop", usage: null };
      },
    };
    const third = await exchange(store, "three", { session, provider: other, model: "gpt-4o-mini" }).done;
    expect(third.reply).toMatchObject({ provider: "openai", model: "gpt-4o-mini", content: "from elsewhere" });
    const replies = (await store.getMessages(session.id)).filter((m) => m.role === "assistant");
    expect(replies.map((m) => [m.content, m.provider, m.model])).toEqual([
      ["one", "echo", "echo"],
      ["two", "echo", "echo-large"],
      ["from elsewhere", "openai", "gpt-4o-mini"],
    ]);
    // The session's own provider and model stay the defaults it was started with.
    expect(third.session).toEqual(session);
    expect(await store.getSession(session.id)).toEqual({ ...session, updatedAt: third.reply.timestamp });
    expect((await store.listSessions())[0]).toMatchObject({ provider: "echo", model: "echo" });
  });

  test("the cleanup never takes the session being continued, and makes room for a new one", async () => {
    const store = await openStore();
    const ids: string[] = [];
    for (const text of ["a", "b", "c"]) {
      ids.push((await exchange(store, text).done).session.id);
      await Bun.sleep(5);
    }
    const oldest = (await store.getSession(ids[0]!))!;
    const continued = exchange(store, "still here?", { session: oldest, settings: { maxSessions: 1, retentionDays: 0, autoCleanup: true } });
    await continued.done;
    expect(continued.events[0]).toBe("cleanup deleted 2");
    expect((await store.listSessions()).map((s) => s.id)).toEqual([oldest.id]);

    const started = exchange(store, "new", { settings: { maxSessions: 1, retentionDays: 0, autoCleanup: true } });
    const result = await started.done;
    expect(started.events[0]).toBe("cleanup deleted 1");
    expect((await store.listSessions()).map((s) => s.id)).toEqual([result.session.id]);
  });

  test.each([
    ["auto_cleanup is off", { autoCleanup: false }, false],
    ["the store is shared (PostgreSQL)", { autoCleanup: true }, true],
  ])("no automatic cleanup when %s", async (_case, settings, shared) => {
    const plain = await openStore();
    for (const text of ["a", "b"]) await exchange(plain, text).done;
    const store = shared ? storeWith(plain, { shared: true }) : plain;
    const { events, done } = exchange(store, "c", { settings: { maxSessions: 1, retentionDays: 0, ...settings } });
    await done;
    expect(events.filter((e) => e.startsWith("cleanup"))).toEqual([]);
    expect(await plain.listSessions()).toHaveLength(3);
  });

  test("a cleanup that fails is reported, and the exchange goes on without it", async () => {
    const plain = await openStore();
    const failing = storeWith(plain, {
      finishAbandonedWork: () => Promise.reject(new StorageError("database", "database is locked")),
    });
    const { events, done } = exchange(failing, "hi", { settings: { maxSessions: 1, retentionDays: 0, autoCleanup: true } });
    const result = await done;
    expect(events[0]).toBe("cleanup failed: database is locked");
    expect((await plain.getMessages(result.session.id)).map((m) => m.content)).toEqual(["hi", "hi"]);
  });

  test("a cleanup stopped by the user stops the exchange before anything is stored", async () => {
    const plain = await openStore();
    const stopped = storeWith(plain, {
      finishAbandonedWork: () => Promise.reject(new StorageError("interrupted", "interrupted while waiting for the database")),
    });
    const { events, done } = exchange(stopped, "hi");
    await expect(done).rejects.toMatchObject({ kind: "interrupted" });
    expect(events).toEqual([]);
    expect(await plain.listSessions()).toEqual([]);
  });

  test("a continued session that has gone meanwhile is not_found, and nothing is stored", async () => {
    const store = await openStore();
    const { session } = await exchange(store, "one").done;
    await store.deleteSession(session.id);
    const { events, done } = exchange(store, "two", { session });
    await expect(done).rejects.toMatchObject({ kind: "not_found" });
    expect(events).toEqual([]);
    expect(await store.listSessions()).toEqual([]);
  });

  test("a new session's title is checked before anything is stored: one a list could not show is refused", async () => {
    const store = await openStore();
    const { events, done } = exchange(store, "hi", { title: "Trip\u202E" });
    await expect(done).rejects.toMatchObject({ kind: "malformed" });
    expect(events).toEqual([]);
    expect(await store.listSessions()).toEqual([]);
    const titled = await exchange(store, "hi", { title: "  Trip  " }).done;
    expect(titled.session.title).toBe("Trip");
    expect((await store.getSession(titled.session.id))!.title).toBe("Trip");
  });
});

describe("reasoning", () => {
  const done: StreamEvent = { type: "done", stopReason: "end_turn", rawStopReason: "stop", usage: { inputTokens: 3, outputTokens: 9 } };

  /**
   * A reasoning model: streams `events` in order, checking the signal before each as a remote
   * provider does, and records the conversation it is sent.
   */
  function thinker(events: StreamEvent[], sent: ChatMessage[][] = []): Provider {
    return {
      name: "deepseek",
      defaultModel: "deepseek-reasoner",
      acceptsImages: false,
      acceptsTools: false,
      async *stream(request) {
        sent.push(request.messages);
        for (const event of events) {
          await Promise.resolve();
          if (request.signal.aborted) throw new ProviderError("cancelled", "deepseek", "DeepSeek reply cancelled");
          yield event;
        }
      },
    };
  }

  test("reasoning goes to onReasoning alone: never to onText, never into the stored reply or the history sent back", async () => {
    const store = await openStore();
    const sent: ChatMessage[][] = [];
    const provider = thinker(
      [
        { type: "reasoning", text: "SECRET-THOUGHTS: " },
        { type: "reasoning", text: "greet back." },
        { type: "text", text: "Hello" },
        { type: "text", text: " there." },
        done,
      ],
      sent,
    );
    const { events, done: finished } = exchange(store, "hi", { provider, model: "deepseek-reasoner", onReasoning: (text) => events.push(`reasoning ${text}`) });
    const result = await finished;
    expect(events.slice(2)).toEqual(["reasoning SECRET-THOUGHTS: ", "reasoning greet back.", "text Hello", "text  there.", "storing the reply"]);
    expect(result.reply.content).toBe("Hello there.");
    const stored = await store.getMessages(result.session.id);
    expect(stored.map((m) => [m.role, m.content, m.interrupted ?? false])).toEqual([
      ["user", "hi", false],
      ["assistant", "Hello there.", false],
    ]);
    // Continued, the session is sent back without the reasoning (DeepSeek refuses reasoning_content in the history).
    await exchange(store, "again", { provider, model: "deepseek-reasoner", session: result.session }).done;
    expect(sent[1]).toEqual([
      { role: "user", content: "hi" },
      { role: "assistant", content: "Hello there." },
      { role: "user", content: "again" },
    ]);
    expect(JSON.stringify(await store.getMessages(result.session.id))).not.toContain("SECRET-THOUGHTS");
  });

  test("without onReasoning, reasoning is simply not shown", async () => {
    const store = await openStore();
    const provider = thinker([{ type: "reasoning", text: "SECRET-THOUGHTS" }, { type: "text", text: "Answer" }, done]);
    const { events, done: finished } = exchange(store, "hi", { provider });
    expect((await finished).reply.content).toBe("Answer");
    expect(events.join("\n")).not.toContain("SECRET-THOUGHTS");
  });

  test("stopped while it only reasoned: the question is kept, nothing is stored as the reply", async () => {
    const store = await openStore();
    const controller = new AbortController();
    const provider = thinker([{ type: "reasoning", text: "Let me think" }, { type: "reasoning", text: " harder" }, { type: "text", text: "Too late" }, done]);
    const { events, done: finished } = exchange(store, "hi", { provider, signal: controller.signal, onReasoning: (text) => (events.push(`reasoning ${text}`), controller.abort()) });
    await expect(finished).rejects.toThrow("interrupted before the reply began");
    expect(events.filter((e) => !e.startsWith("session") && !e.startsWith("cleanup"))).toEqual(["reasoning Let me think"]);
    const [session] = await store.listSessions();
    expect((await store.getMessages(session!.id)).map((m) => [m.role, m.content])).toEqual([["user", "hi"]]);
  });

  test("stopped after the reply began: what arrived of the reply is kept, marked, without the reasoning", async () => {
    const store = await openStore();
    const controller = new AbortController();
    const provider = thinker([{ type: "reasoning", text: "Plan" }, { type: "text", text: "Once upon" }, { type: "text", text: " a time" }, done]);
    const { done: finished } = exchange(store, "story", { provider, signal: controller.signal, onText: () => controller.abort() });
    await expect(finished).rejects.toThrow("interrupted; the reply so far was saved");
    const [session] = await store.listSessions();
    expect((await store.getMessages(session!.id)).map((m) => [m.role, m.content, m.interrupted ?? false])).toEqual([
      ["user", "story", false],
      ["assistant", "Once upon", true],
    ]);
  });
});

describe("Chat", () => {
  /** An environment whose sessions live in a fresh folder: the database file and that env. */
  function home(extra: Record<string, string> = {}) {
    const dir = tempDir();
    const database = join(dir, "sessions.db");
    return { database, env: { HOME: join(dir, "home"), XDG_CONFIG_HOME: join(dir, "config"), SYNAPSE_DATABASE_URL: `sqlite:${database}`, ...extra } };
  }

  async function send(chat: Chat, message: string) {
    try {
      return await chat.send({ message, signal: new AbortController().signal, onText: () => {} });
    } finally {
      await chat.close();
    }
  }

  test("a new session's provider and key are checked before the store is opened: a run without a key leaves no database", async () => {
    const { database, env } = home();
    await expect(Chat.open({ env })).rejects.toBeInstanceOf(ProviderError);
    expect(existsSync(database)).toBe(false);
    // So is the provider a flag names for a continued session.
    await expect(Chat.open({ env, latest: true, flags: { provider: "openai" } })).rejects.toMatchObject({ kind: "auth", provider: "openai" });
    expect(existsSync(database)).toBe(false);
  });

  test("a continued session keeps its own provider, with no key for the configured one", async () => {
    const { env } = home();
    const first = await send(await Chat.open({ env, flags: { provider: "echo", systemPrompt: "Be brief" } }), "one");
    expect(first.session).toMatchObject({ provider: "echo", model: "echo", systemPrompt: "Be brief" });
    const latest = await send(await Chat.open({ env, latest: true }), "two");
    expect(latest).toMatchObject({ isNew: false, session: { id: first.session.id } });
    const byRef = await send(await Chat.open({ env, session: first.session.id.slice(0, 8) }), "three");
    expect(byRef.session.id).toBe(first.session.id);
    const store = await createStorage(env.SYNAPSE_DATABASE_URL);
    stores.push(store);
    expect((await store.getMessages(first.session.id)).map((m) => m.content)).toEqual(["one", "one", "two", "two", "three", "three"]);
  });

  test("the session to continue: none, the one a reference names, or the latest; no latest is not_found", async () => {
    const store = await openStore();
    expect(await sessionToContinue(store, {})).toBeNull();
    await expect(sessionToContinue(store, { latest: true })).rejects.toMatchObject({ kind: "not_found", message: 'there is no session to continue yet; start one with: synapse "Hello"' });
    const sessions: Session[] = [];
    for (const title of ["First", "Second"]) {
      sessions.push((await exchange(store, "hi", { title }).done).session);
      await Bun.sleep(5);
    }
    expect((await sessionToContinue(store, { session: "First" }))?.id).toBe(sessions[0]!.id);
    expect((await sessionToContinue(store, { latest: true }))?.id).toBe(sessions[1]!.id);
    await expect(sessionToContinue(store, { session: "Third" })).rejects.toBeInstanceOf(SessionRefError);
  });
});

describe("the purge after the reply", () => {
  test("the automatic cleanup only hides: the first token comes while the rows wait, and they are reclaimed after the reply is stored", async () => {
    const path = join(tempDir(), "sessions.db");
    const store = await createStorage(`sqlite:${path}`);
    stores.push(store);
    const old: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = crypto.randomUUID();
      const when = new Date(Date.parse("2026-01-01T00:00:00Z") + i * 60_000);
      await store.createSession({ id, title: null, provider: "echo", model: "echo", systemPrompt: null, createdAt: when, updatedAt: when });
      await store.addMessage({ id: crypto.randomUUID(), sessionId: id, role: "user", content: `old ${i}`, timestamp: when });
      old.push(id);
    }
    const { Database } = await import("bun:sqlite");
    const raw = new Database(path, { readonly: true });
    const pending = () => (raw.query("SELECT COUNT(*) AS n FROM messages JOIN sessions ON sessions.id = messages.session_id WHERE sessions.state = 'deleting'").get() as { n: number }).n;
    const { events, done } = exchange(store, "hello", {
      settings: { maxSessions: 2, retentionDays: 0, autoCleanup: true },
      onText: (text) => events.push(`text ${text}; ${pending()} rows pending`),
    });
    const result = await done;
    expect(events.filter((e) => e.startsWith("cleanup") || e.startsWith("text"))).toEqual(["cleanup deleted 2", "text hello; 2 rows pending"]);
    expect((await store.listSessions()).map((s) => s.id).sort()).toEqual([old[2]!, result.session.id].sort());

    // Stopped before it starts (Ctrl+C): nothing is reclaimed, and nothing is lost.
    const stopped = new AbortController();
    stopped.abort();
    const { purgeAfterReply } = await import("../src/sessions/cleanup.ts");
    expect(await purgeAfterReply(store, stopped.signal)).toBeNull();
    expect(pending()).toBe(2);

    expect(await purgeAfterReply(store, new AbortController().signal)).toEqual({ sessions: 2, messages: 2, more: false });
    expect(pending()).toBe(0);
    expect((await store.getMessages(result.session.id)).map((m) => m.role)).toEqual(["user", "assistant"]);
    raw.close();
  });
});
