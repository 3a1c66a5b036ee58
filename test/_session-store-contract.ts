/**
 * The behaviour every SessionStore adapter must have. An adapter's test file calls
 * `sessionStoreContract` with a factory for a fresh, empty store.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { newId, type Attachment, type Role, type Session, type StoredMessage } from "../src/session.ts";
import { StorageError } from "../src/storage/errors.ts";
import type { SessionStore } from "../src/storage/session-store.ts";
import { cleanUp, planCleanup, type CleanupResult } from "../src/sessions/cleanup.ts";
import { shortIdOf, shortIds, shortIdsOf } from "../src/sessions/refs.ts";
import { exportJson, parseExport } from "../src/sessions/export.ts";

const day = 24 * 60 * 60 * 1000;
const base = new Date("2026-03-01T12:00:00.000Z");

export function at(offsetMs: number): Date {
  return new Date(base.getTime() + offsetMs);
}

/** What {@link aSession} is started with, and so what {@link aMessage}'s replies were written by. */
export const defaultProvider = "anthropic";
export const defaultModel = "claude-sonnet-4-5";

export function aSession(overrides: Partial<Session> = {}): Session {
  return {
    id: newId(),
    title: null,
    provider: defaultProvider,
    model: defaultModel,
    systemPrompt: null,
    createdAt: base,
    updatedAt: base,
    ...overrides,
  };
}

/**
 * A message; a reply (role assistant) says it was written by {@link aSession}'s default provider
 * and model, as a store reads a reply of such a session back.
 */
export function aMessage(sessionId: string, role: Role, content: string, timestamp = base): StoredMessage {
  const message: StoredMessage = { id: newId(), sessionId, role, content, timestamp };
  return role === "assistant" ? { ...message, provider: defaultProvider, model: defaultModel } : message;
}

/** A cleanup's counts, without the list of what it removed. */
function counts({ sessionsDeleted, byMaxLimit, byRetention }: CleanupResult) {
  return { sessionsDeleted, byMaxLimit, byRetention };
}

async function storageError(promise: Promise<unknown>): Promise<StorageError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    return error as StorageError;
  }
  throw new Error("expected a StorageError, but the call succeeded");
}

export function sessionStoreContract(name: string, open: () => Promise<SessionStore>): void {
  describe(`SessionStore contract: ${name}`, () => {
    const stores: SessionStore[] = [];
    const fresh = async () => {
      const store = await open();
      stores.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of stores.splice(0)) await store.close();
    });

    test("a created session reads back exactly, timestamps to the millisecond", async () => {
      const store = await fresh();
      const session = aSession({
        title: "Trip planning",
        systemPrompt: "Be brief.",
        createdAt: new Date("2025-12-31T23:59:59.999Z"),
        updatedAt: new Date("2026-01-01T00:00:00.001Z"),
      });
      await store.createSession(session);
      expect(await store.getSession(session.id)).toEqual(session);
    });

    test("ids are matched whatever their case", async () => {
      const store = await fresh();
      const session = aSession();
      await store.createSession({ ...session, id: session.id.toUpperCase() });
      expect((await store.getSession(session.id))?.id).toBe(session.id);
      expect((await store.getSession(session.id.toUpperCase()))?.id).toBe(session.id);
    });

    test("a missing session is null, not an error", async () => {
      const store = await fresh();
      expect(await store.getSession(newId())).toBeNull();
    });

    test("creating a session whose id exists is invalid_data and changes nothing", async () => {
      const store = await fresh();
      const session = aSession({ model: "first" });
      await store.createSession(session);
      const error = await storageError(store.createSession({ ...session, model: "second" }));
      expect(error.kind).toBe("invalid_data");
      expect((await store.getSession(session.id))?.model).toBe("first");
    });

    test.each([
      ["getSession", (s: SessionStore) => s.getSession("not-a-uuid")],
      ["deleteSession", (s: SessionStore) => s.deleteSession("1234")],
      ["touchSession", (s: SessionStore) => s.touchSession("'; DROP TABLE sessions; --")],
      ["getMessages", (s: SessionStore) => s.getMessages("")],
      ["addMessage", (s: SessionStore) => s.addMessage(aMessage("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "user", "hi"))],
      ["createSession", (s: SessionStore) => s.createSession(aSession({ id: "abc" }))],
      ["cleanup keep list", (s: SessionStore) => cleanUp(s, { maxSessions: 1, retentionDays: 0 }, { keep: ["x"] })],
    ])("a malformed id is invalid_data: %s", async (_name, call) => {
      const store = await fresh();
      const error = await storageError(call(store));
      expect(error.kind).toBe("invalid_data");
      expect(error.message).toContain("UUID");
    });

    test("invalid session and message fields are invalid_data", async () => {
      const store = await fresh();
      expect((await storageError(store.createSession(aSession({ provider: " " })))).kind).toBe("invalid_data");
      expect((await storageError(store.createSession(aSession({ createdAt: new Date(Number.NaN) })))).kind).toBe("invalid_data");
      const session = aSession();
      await store.createSession(session);
      const badRole = { ...aMessage(session.id, "user", "x"), role: "robot" as Role };
      expect((await storageError(store.addMessage(badRole))).kind).toBe("invalid_data");
      expect(await store.getMessages(session.id)).toEqual([]);
    });

    test("sessions are listed most recently updated first, with count and preview", async () => {
      const store = await fresh();
      const older = aSession({ updatedAt: at(-day), title: "older" });
      const newer = aSession({ updatedAt: at(day) });
      const middle = aSession({ updatedAt: at(0) });
      for (const s of [older, newer, middle]) await store.createSession(s);
      await store.addMessage(aMessage(middle.id, "system", "You are terse.", at(0)));
      await store.addMessage(aMessage(middle.id, "user", "  How do I\tcount words\nin a file?", at(0)));
      await store.addMessage(aMessage(middle.id, "assistant", "wc -w file", at(0)));
      await store.addMessage(aMessage(middle.id, "user", "Thanks", at(0)));
      const list = await store.listSessions();
      expect(list.map((s) => s.id)).toEqual([newer.id, middle.id, older.id]);
      expect(list[1]).toEqual({
        id: middle.id,
        title: null,
        provider: middle.provider,
        model: middle.model,
        createdAt: middle.createdAt,
        updatedAt: middle.updatedAt,
        messageCount: 4,
        preview: "How do I count words…",
      });
      expect(list[2]).toMatchObject({ title: "older", messageCount: 0, preview: null });
    });

    test("touching a session moves updatedAt to now; a missing one is not_found", async () => {
      const store = await fresh();
      const session = aSession();
      await store.createSession(session);
      const before = Date.now();
      await store.touchSession(session.id);
      const updated = (await store.getSession(session.id))!.updatedAt.getTime();
      expect(updated).toBeGreaterThanOrEqual(before);
      expect(updated).toBeLessThanOrEqual(Date.now());
      const missing = newId();
      const error = await storageError(store.touchSession(missing));
      expect(error.kind).toBe("not_found");
      expect(error.sessionId).toBe(missing);
    });

    test("deleting a session removes its messages and says whether it deleted", async () => {
      const store = await fresh();
      const doomed = aSession();
      const kept = aSession();
      await store.createSession(doomed);
      await store.createSession(kept);
      await store.addMessage(aMessage(doomed.id, "user", "bye"));
      await store.addMessage(aMessage(kept.id, "user", "stay"));
      expect(await store.deleteSession(doomed.id)).toBe(true);
      expect(await store.deleteSession(doomed.id)).toBe(false);
      expect(await store.getSession(doomed.id)).toBeNull();
      expect(await store.getMessages(doomed.id)).toEqual([]);
      expect((await store.getMessages(kept.id)).map((m) => m.content)).toEqual(["stay"]);
    });

    test("a message for a missing session is not_found and nothing is stored", async () => {
      const store = await fresh();
      const missing = newId();
      const error = await storageError(store.addMessage(aMessage(missing, "user", "hello")));
      expect(error.kind).toBe("not_found");
      expect(error.sessionId).toBe(missing);
      expect(await store.getMessages(missing)).toEqual([]);
    });

    test("messages read back exactly, in the order added, even with equal timestamps", async () => {
      const store = await fresh();
      const session = aSession();
      await store.createSession(session);
      const contents = ["", "ünïcødé 🧠 — 日本語", "x".repeat(1 << 20), "line\r\nbreaks\n", "'; DROP TABLE messages; --"];
      for (let i = 0; i < 40; i++) contents.push(`message ${i}`);
      const added: StoredMessage[] = [];
      for (const [i, content] of contents.entries()) {
        // Every message shares one timestamp, and a later one is even stamped earlier.
        const message = aMessage(session.id, i % 2 === 0 ? "user" : "assistant", content, i === contents.length - 1 ? at(-1) : base);
        await store.addMessage(message);
        added.push(message);
      }
      expect(await store.getMessages(session.id)).toEqual(added);
    });

    describe("messages in pages", () => {
      async function pagesOf(store: SessionStore, id: string, pageSize?: number) {
        const pages = await store.messagePages(id, pageSize === undefined ? {} : { pageSize });
        const read: StoredMessage[][] = [];
        for await (const page of pages) read.push(page);
        return { count: pages.count, read };
      }

      async function sessionWith(store: SessionStore, count: number) {
        const session = aSession();
        await store.createSession(session);
        const messages: StoredMessage[] = [];
        for (let i = 0; i < count; i++) {
          // Equal timestamps, and a usage and an interruption here and there: order is by addition.
          let message = aMessage(session.id, i % 2 === 0 ? "user" : "assistant", `message ${i}`);
          if (i % 3 === 1) message = { ...message, usage: { inputTokens: i, outputTokens: 2 * i } };
          if (i === 4) message = { ...message, interrupted: true };
          await store.addMessage(message);
          messages.push(message);
        }
        return { session, messages };
      }

      test("every message once, in order, in pages of the size asked for", async () => {
        const store = await fresh();
        const { session, messages } = await sessionWith(store, 7);
        await sessionWith(store, 2); // another session's messages interleave in no page
        const { count, read } = await pagesOf(store, session.id, 3);
        expect(count).toBe(7);
        expect(read.map((page) => page.length)).toEqual([3, 3, 1]);
        expect(read.flat()).toEqual(messages);
        expect(read.flat()).toEqual(await store.getMessages(session.id));
        expect((await pagesOf(store, session.id)).read).toEqual([messages]);
        expect((await pagesOf(store, session.id, 7)).read).toEqual([messages]);
      });

      test("a message added between pages is left out: the pages hold what was there", async () => {
        const store = await fresh();
        const { session, messages } = await sessionWith(store, 4);
        const pages = await store.messagePages(session.id, { pageSize: 2 });
        const read: StoredMessage[] = [];
        for await (const page of pages) {
          read.push(...page);
          await store.addMessage(aMessage(session.id, "user", `added after ${read.length}`));
        }
        expect(pages.count).toBe(4);
        expect(read).toEqual(messages);
        expect(await store.getMessages(session.id)).toHaveLength(6);
      });

      test("a session deleted between pages fails as not found, not as a shorter session", async () => {
        const store = await fresh();
        const { session } = await sessionWith(store, 4);
        const pages = await store.messagePages(session.id, { pageSize: 2 });
        const error = await storageError(
          (async () => {
            for await (const _page of pages) await store.deleteSession(session.id);
          })(),
        );
        expect(error.kind).toBe("not_found");
      });

      test("an unknown or empty session has no pages; a bad page size or id is invalid_data", async () => {
        const store = await fresh();
        expect(await pagesOf(store, newId())).toEqual({ count: 0, read: [] });
        const empty = aSession();
        await store.createSession(empty);
        expect(await pagesOf(store, empty.id, 1)).toEqual({ count: 0, read: [] });
        expect((await storageError(store.messagePages(empty.id, { pageSize: 0 }))).kind).toBe("invalid_data");
        expect((await storageError(store.messagePages("nope"))).kind).toBe("invalid_data");
      });
    });

    test("an interrupted reply is kept and marked; others carry no mark", async () => {
      const store = await fresh();
      const session = aSession();
      await store.createSession(session);
      const question = aMessage(session.id, "user", "Tell me a long story");
      const partial = { ...aMessage(session.id, "assistant", "Once upon a"), interrupted: true };
      await store.addMessage(question);
      await store.addMessage(partial);
      await store.addMessage({ ...aMessage(session.id, "user", "go on"), interrupted: false });
      const messages = await store.getMessages(session.id);
      expect(messages.slice(0, 2)).toEqual([question, partial]);
      expect("interrupted" in messages[2]!).toBe(false);
    });

    test("recent questions: the user's own messages in every visible session, newest added first, repeats kept", async () => {
      const store = await fresh();
      expect(await store.recentQuestions(10)).toEqual([]);
      const first = aSession();
      const second = aSession();
      const gone = aSession();
      for (const s of [first, second, gone]) await store.createSession(s);
      await store.addMessage(aMessage(first.id, "user", "one"));
      await store.addMessage(aMessage(first.id, "assistant", "a reply is no question"));
      await store.addMessage(aMessage(second.id, "user", "two"));
      await store.addMessage(aMessage(gone.id, "user", "in a deleted session"));
      await store.addMessage(aMessage(first.id, "user", "one"));
      // Added last, though its time is earlier: the order is the order they were stored in.
      await store.addMessage(aMessage(second.id, "user", "three", at(-60_000)));
      await store.deleteSessions([gone.id]);
      expect(await store.recentQuestions(10)).toEqual(["three", "one", "two", "one"]);
      expect(await store.recentQuestions(2)).toEqual(["three", "one"]);
      await expect(store.recentQuestions(-1)).rejects.toMatchObject({ kind: "invalid_data" });
    });

    test("a message moves the session's updatedAt forward to its time, never back", async () => {
      const store = await fresh();
      const session = aSession();
      await store.createSession(session);
      await store.addMessage(aMessage(session.id, "user", "later", at(5000)));
      expect((await store.getSession(session.id))!.updatedAt).toEqual(at(5000));
      await store.addMessage(aMessage(session.id, "assistant", "clock went back", at(1000)));
      expect((await store.getSession(session.id))!.updatedAt).toEqual(at(5000));
    });

    test("a message id that exists already is invalid_data", async () => {
      const store = await fresh();
      const session = aSession();
      await store.createSession(session);
      const message = aMessage(session.id, "user", "once");
      await store.addMessage(message);
      expect((await storageError(store.addMessage(message))).kind).toBe("invalid_data");
      expect(await store.getMessages(session.id)).toHaveLength(1);
    });

    test("listing can be limited to the most recent; counts and sorted ids cover all", async () => {
      const store = await fresh();
      const sessions = [aSession({ updatedAt: at(1) }), aSession({ updatedAt: at(3) }), aSession({ updatedAt: at(2) })];
      for (const session of sessions) await store.createSession(session);
      expect((await store.listSessions({ limit: 2 })).map((s) => s.id)).toEqual([sessions[1]!.id, sessions[2]!.id]);
      expect(await store.listSessions({ limit: 0 })).toEqual([]);
      expect(await store.countSessions()).toBe(3);
      expect(await store.sessionIds()).toEqual(sessions.map((s) => s.id).sort());
    });

    test("sessions are found by id prefix and by exact title", async () => {
      const store = await fresh();
      const a = aSession({ id: "abcd0000-0000-4000-8000-000000000001", title: "Trip" });
      const b = aSession({ id: "abcd0000-0000-4000-8000-000000000002", title: "trip", updatedAt: at(5) });
      const c = aSession({ id: "abce0000-0000-4000-8000-000000000003", title: "Trip", updatedAt: at(9) });
      for (const session of [a, b, c]) await store.createSession(session);
      expect((await store.findSessionsByIdPrefix("abcd", 10)).map((s) => s.id)).toEqual([a.id, b.id]);
      expect((await store.findSessionsByIdPrefix("abc", 10)).map((s) => s.id)).toEqual([a.id, b.id, c.id]);
      expect((await store.findSessionsByIdPrefix("abcd", 1)).map((s) => s.id)).toEqual([a.id]);
      expect(await store.findSessionsByIdPrefix("abcf", 10)).toEqual([]);
      expect((await store.findSessionsByTitle("Trip", 10)).map((s) => s.id)).toEqual([c.id, a.id]);
      expect(await store.findSessionsByTitle("Nothing", 10)).toEqual([]);
    });

    test("the latest session is the one used most recently, not the one created last", async () => {
      const store = await fresh();
      expect(await store.latestSession()).toBeNull();
      const old = aSession({ createdAt: at(0), updatedAt: at(0) });
      const recent = aSession({ createdAt: at(10), updatedAt: at(10) });
      await store.createSession(old);
      await store.createSession(recent);
      expect((await store.latestSession())?.id).toBe(recent.id);
      await store.addMessage(aMessage(old.id, "user", "back to this one", at(20)));
      expect((await store.latestSession())?.id).toBe(old.id);
    });

    test("renaming sets and clears a title; a missing session is not_found", async () => {
      const store = await fresh();
      const session = aSession();
      await store.createSession(session);
      await store.renameSession(session.id, "Trip planning");
      expect((await store.getSession(session.id))?.title).toBe("Trip planning");
      expect((await store.listSessions())[0]?.title).toBe("Trip planning");
      await store.renameSession(session.id, null);
      expect((await store.getSession(session.id))?.title).toBeNull();
      expect((await storageError(store.renameSession(newId(), "x"))).kind).toBe("not_found");
    });

    test("deleting sessions found to be unused keeps one used in the meantime", async () => {
      const store = await fresh();
      const idle = aSession({ updatedAt: at(-3 * day) });
      const revived = aSession({ updatedAt: at(-3 * day) });
      for (const session of [idle, revived]) await store.createSession(session);
      const found = (await store.sessionsUpdatedBefore(at(-day))).map((s) => s.id);
      expect(found.sort()).toEqual([idle.id, revived.id].sort());
      await store.addMessage(aMessage(revived.id, "user", "still needed", at(0)));
      expect(await store.deleteSessions(found, { unusedSince: at(-day) })).toBe(1);
      expect((await store.listSessions()).map((s) => s.id)).toEqual([revived.id]);
    });

    test("several sessions are deleted at once; old ones are found by last use", async () => {
      const store = await fresh();
      const sessions = [aSession({ updatedAt: at(-3 * day) }), aSession({ updatedAt: at(-2 * day) }), aSession({ updatedAt: at(0) })];
      for (const session of sessions) await store.createSession(session);
      await store.addMessage(aMessage(sessions[0]!.id, "user", "old", at(-3 * day)));
      expect((await store.sessionsUpdatedBefore(at(-day))).map((s) => s.id)).toEqual([sessions[0]!.id, sessions[1]!.id]);
      expect(await store.deleteSessions([sessions[0]!.id, sessions[1]!.id, newId()])).toBe(2);
      expect(await store.deleteSessions([])).toBe(0);
      expect((await store.listSessions()).map((s) => s.id)).toEqual([sessions[2]!.id]);
      expect(await store.getMessages(sessions[0]!.id)).toEqual([]);
    });

    test("token usage is stored with a reply and read back", async () => {
      const store = await fresh();
      const session = aSession();
      await store.createSession(session);
      const reply = { ...aMessage(session.id, "assistant", "answer"), usage: { inputTokens: 120, outputTokens: 0 } };
      await store.addMessage(reply);
      expect(await store.getMessages(session.id)).toEqual([reply]);
    });

    describe("what wrote a reply", () => {
      /** A reply written by another provider and model than its session's (`-p`, `-m`). */
      const override = { provider: "openai", model: "gpt-4o-mini" };

      test("a reply's provider and model read back as given; one given none, or only one, reads the rest as its session's", async () => {
        const store = await fresh();
        const session = aSession();
        await store.createSession(session);
        const question = aMessage(session.id, "user", "q");
        const own = aMessage(session.id, "assistant", "by the session's own");
        const other = { ...aMessage(session.id, "assistant", "by another"), ...override };
        const modelOnly = { ...aMessage(session.id, "assistant", "another model"), model: "claude-opus-4-1" };
        const unsaid: StoredMessage = { id: newId(), sessionId: session.id, role: "assistant", content: "none given", timestamp: base };
        const onlyProvider: StoredMessage = { ...unsaid, id: newId(), provider: "deepseek" };
        for (const message of [question, own, other, modelOnly, unsaid, onlyProvider]) await store.addMessage(message);
        const expected = [
          question,
          own,
          other,
          { ...modelOnly, provider: session.provider },
          { ...unsaid, provider: session.provider, model: session.model },
          { ...onlyProvider, model: session.model },
        ];
        expect(await store.getMessages(session.id)).toEqual(expected);
        // A question records none, and pages read what getMessages reads.
        expect("provider" in (await store.getMessages(session.id))[0]!).toBe(false);
        const pages: StoredMessage[] = [];
        for await (const page of await store.messagePages(session.id, { pageSize: 4 })) pages.push(...page);
        expect(pages).toEqual(expected);
        // The session keeps its own: a reply by another model changes nothing of it.
        expect(await store.getSession(session.id)).toEqual(session);
        expect((await store.listSessions())[0]).toMatchObject({ provider: session.provider, model: session.model });
      });

      test("imported and started sessions keep each reply's provider and model", async () => {
        const store = await fresh();
        const session = aSession({ provider: "echo", model: "echo" });
        const messages = [
          aMessage(session.id, "user", "q"),
          { ...aMessage(session.id, "assistant", "a"), provider: "echo", model: "echo" },
          aMessage(session.id, "user", "q2"),
          { ...aMessage(session.id, "assistant", "a2"), ...override },
        ];
        await store.importSession(session, messages);
        expect(await store.getMessages(session.id)).toEqual(messages);
        const started = aSession();
        const first = aMessage(started.id, "user", "hello");
        await store.startSession(started, first, { holder: newId(), ttlMs: 60_000 });
        const reply = { ...aMessage(started.id, "assistant", "hi"), ...override };
        await store.addMessage(reply);
        expect(await store.getMessages(started.id)).toEqual([first, reply]);
      });

      test("a copy that changes the session's own model leaves what wrote its earlier replies", async () => {
        const store = await fresh();
        const session = aSession({ updatedAt: at(10) });
        const earlier = [aMessage(session.id, "user", "q", at(1)), aMessage(session.id, "assistant", "a", at(2))];
        await store.importSession(session, earlier);
        const later: Session = { ...session, provider: "openai", model: "gpt-4o", updatedAt: at(100) };
        const rest = [aMessage(session.id, "user", "q2", at(50)), { ...aMessage(session.id, "assistant", "a2", at(60)), provider: "openai", model: "gpt-4o" }];
        await store.extendSession(later, rest, { held: 2 });
        expect(await store.getSession(session.id)).toEqual(later);
        expect(await store.getMessages(session.id)).toEqual([...earlier, ...rest]);
      });

      test.each([
        ["on a question", { role: "user" as Role, provider: "openai" }, "only a reply (role assistant) records the provider and model"],
        ["on a system prompt", { role: "system" as Role, model: "gpt-4o" }, "only a reply (role assistant) records the provider and model"],
        ["a blank provider", { provider: "  " }, "a reply's provider must be a non-empty name"],
        ["a model on two lines", { model: "gpt-4o\nrm -rf" }, "invalid model"],
        ["an escape in a provider", { provider: "open\x1b[2Jai" }, "expected a name without control characters"],
        ["a bidi override in a model", { model: "gpt\u202E-4o" }, "expected a name without control characters"],
      ])("a provider or model %s is invalid_data, and nothing is stored", async (_what, change, said) => {
        const store = await fresh();
        const session = aSession();
        await store.createSession(session);
        const bad = { ...aMessage(session.id, "assistant", "x"), ...change };
        const error = await storageError(store.addMessage(bad));
        expect(error.kind).toBe("invalid_data");
        expect(error.message).toContain(said);
        const imported = aSession();
        expect((await storageError(store.importSession(imported, [{ ...bad, sessionId: imported.id }]))).message).toContain(said);
        expect(await store.getMessages(session.id)).toEqual([]);
        expect(await store.getSession(imported.id)).toBeNull();
      });
    });

    test("the ids beside one give its short id exactly as the whole list does", async () => {
      const store = await fresh();
      const ids = [
        "abcd1111-0000-4000-8000-000000000001",
        "abcd1111-2200-4000-8000-000000000002",
        "abce0000-0000-4000-8000-000000000003",
        "f0000000-0000-4000-8000-000000000004",
      ];
      for (const id of ids) await store.createSession(aSession({ id }));
      expect(await store.neighbourIds(ids[0]!)).toEqual({ before: null, after: ids[1]! });
      expect(await store.neighbourIds(ids[2]!)).toEqual({ before: ids[1]!, after: ids[3]! });
      expect(await store.neighbourIds(ids[3]!)).toEqual({ before: ids[2]!, after: null });
      const everyId = shortIds(await store.sessionIds());
      for (const id of ids) expect(await shortIdOf(store, id)).toBe(everyId.get(id)!);
      expect(await shortIdOf(store, ids[1]!)).toBe("abcd1111-2");
      expect(await shortIdOf(store, ids[0]!)).toBe("abcd1111-0");
      // A deleted session no longer lengthens its neighbours' short ids.
      await store.deleteSession(ids[1]!);
      expect(await shortIdOf(store, ids[0]!)).toBe("abcd1111");
    });

    test("the short ids of a few sessions are those of the whole list, and deleted ones keep theirs", async () => {
      const store = await fresh();
      // Long shared starts, runs of neighbours, and ids at both ends of the order.
      const ids = [
        "0000aaaa-0000-4000-8000-000000000001",
        "abcd1111-0000-4000-8000-000000000001",
        "abcd1111-0000-4000-8000-000000000002",
        "abcd1111-0000-4000-8000-000000000010",
        "abcd1111-2200-4000-8000-000000000002",
        "abce0000-0000-4000-8000-000000000003",
        "f0000000-0000-4000-8000-000000000004",
        "ffffffff-0000-4000-8000-000000000004",
      ];
      for (const id of ids) await store.createSession(aSession({ id }));
      const everyId = shortIds(await store.sessionIds());
      for (const some of [ids, [ids[2]!, ids[1]!], [ids[0]!, ids[7]!, ids[3]!], [ids[4]!, ids[4]!], []]) {
        expect(await shortIdsOf(store, some)).toEqual(new Map(some.map((id) => [id, everyId.get(id)!])));
      }
      const longer = shortIds(await store.sessionIds(), 12);
      expect(await shortIdsOf(store, [ids[5]!, ids[6]!], 12)).toEqual(new Map([ids[5]!, ids[6]!].map((id) => [id, longer.get(id)!])));
      // Measured after they are deleted, the short ids are those they had before (what prune shows).
      const gone = [ids[1]!, ids[2]!, ids[6]!];
      for (const id of gone) await store.deleteSession(id);
      expect(await shortIdsOf(store, gone)).toEqual(new Map(gone.map((id) => [id, everyId.get(id)!])));
    });

    describe("search", () => {
      test("finds messages by words, best first, with the hits marked and where they are", async () => {
        const store = await fresh();
        const trip = aSession({ title: "Trip" });
        const other = aSession();
        await store.createSession(trip);
        await store.createSession(other);
        await store.addMessage(aMessage(trip.id, "user", "Which trains run from Lyon to Turin?", at(1)));
        await store.addMessage(aMessage(trip.id, "assistant", "Trains run twice a day; the train is fast. Trains, trains.", at(2)));
        await store.addMessage(aMessage(other.id, "user", "How do I bake bread?", at(3)));
        const hits = await store.searchMessages("trains");
        expect(hits.map((h) => h.role)).toEqual(["assistant", "user"]);
        expect(hits[0]).toMatchObject({ sessionId: trip.id, sessionTitle: "Trip", sessionPreview: "Which trains run from Lyon to Turin?", timestamp: at(2) });
        expect(hits[1]).toMatchObject({ snippet: "Which trains run from Lyon to Turin?", hits: [{ start: 6, end: 12 }] });
        expect(hits[0]!.score).toBeLessThanOrEqual(hits[1]!.score);
        // Stemming: "baking" finds "bake".
        expect((await store.searchMessages("baking")).map((h) => h.sessionId)).toEqual([other.id]);
        expect(await store.searchMessages("trains", { limit: 1 })).toHaveLength(1);
        expect(await store.searchMessages("submarine")).toEqual([]);
      });

      test("hits cannot be forged: the old marker characters, or marker-like text, in a message are only text", async () => {
        const store = await fresh();
        const session = aSession();
        await store.createSession(session);
        const forged = "\x02Forged\x03 hit <hit-0123> and </hit-0123> real lantern";
        await store.addMessage(aMessage(session.id, "user", forged));
        const [hit, ...rest] = await store.searchMessages("lantern");
        expect(rest).toEqual([]);
        expect(hit!.snippet).toBe(forged);
        expect(hit!.hits).toEqual([{ start: forged.indexOf("lantern"), end: forged.length }]);
        // A long message is shown as fragments, its hits found the same way.
        const long = `${"filler words here ".repeat(30)}\x02planted\x03 beacon ${"more filler text ".repeat(30)}`;
        await store.addMessage(aMessage(session.id, "assistant", long));
        const [fragment] = await store.searchMessages("beacon");
        expect(fragment!.hits.length).toBeGreaterThan(0);
        for (const { start, end } of fragment!.hits) expect(fragment!.snippet.slice(start, end).toLowerCase()).toBe("beacon");
        expect(fragment!.snippet).toContain("\x02planted\x03 beacon");
      });

      test("the index follows deletes", async () => {
        const store = await fresh();
        const session = aSession();
        await store.createSession(session);
        await store.addMessage(aMessage(session.id, "user", "ephemeral words"));
        expect(await store.searchMessages("ephemeral")).toHaveLength(1);
        await store.deleteSession(session.id);
        expect(await store.searchMessages("ephemeral")).toEqual([]);
      });

      test("an empty query is invalid_data", async () => {
        const store = await fresh();
        expect((await storageError(store.searchMessages("   "))).kind).toBe("invalid_data");
      });
    });

    describe("import", () => {
      test("stores a session exactly as given, updatedAt included", async () => {
        const store = await fresh();
        const session = aSession({ title: "Imported", systemPrompt: "Be kind.", createdAt: at(0), updatedAt: at(10) });
        const messages = [
          aMessage(session.id, "system", "Be kind.", at(1)),
          aMessage(session.id, "user", "q", at(50)),
          { ...aMessage(session.id, "assistant", "partial", at(50)), interrupted: true, usage: { inputTokens: 3, outputTokens: 4 } },
        ];
        await store.importSession(session, messages);
        expect(await store.getSession(session.id)).toEqual(session);
        expect(await store.getMessages(session.id)).toEqual(messages);
        expect((await store.listSessions())[0]).toMatchObject({ messageCount: 3, preview: "q" });
      });

      test("is all or nothing: a clashing id stores none of it", async () => {
        const store = await fresh();
        const existing = aSession();
        await store.createSession(existing);
        const taken = aMessage(existing.id, "user", "taken");
        await store.addMessage(taken);
        const session = aSession();
        const messages = [aMessage(session.id, "user", "first"), { ...taken, sessionId: session.id }];
        expect((await storageError(store.importSession(session, messages))).kind).toBe("invalid_data");
        expect(await store.getSession(session.id)).toBeNull();
        expect(await store.getMessages(session.id)).toEqual([]);
        expect((await storageError(store.importSession(existing, []))).kind).toBe("invalid_data");
        // A taken id is told apart from bad data: a copy with new ids would go in.
        for (const clash of [() => store.importSession(session, messages), () => store.importSession(existing, [])]) {
          expect(await storageError(clash())).toMatchObject({ kind: "invalid_data", idTaken: true });
        }
        expect((await storageError(store.importSession(aSession({ provider: " " }), []))).idTaken).toBe(false);
      });
    });

    describe("attachments", () => {
      const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 0, 255]);
      const text = new TextEncoder().encode("notes\n");
      const sha = (data: Uint8Array) => new Bun.CryptoHasher("sha256").update(data).digest("hex");
      /** A file as a question carries it to a store: with its bytes. */
      const file = (name: string, data: Uint8Array, mediaType: Attachment["mediaType"] = "image/png"): Attachment => ({ name, mediaType, size: data.byteLength, sha256: sha(data), data });
      /** What a store reads back: the same, without the bytes. */
      const listed = ({ data: _data, ...rest }: Attachment) => rest;
      const question = (sessionId: string, content: string, attachments: Attachment[]): StoredMessage => ({ ...aMessage(sessionId, "user", content), attachments });

      test("a question's files read back in order, without bytes; readAttachment gives the bytes exactly", async () => {
        const store = await fresh();
        const session = aSession();
        await store.createSession(session);
        const files = [file("notes.md", text, "text/plain"), file("chart.png", png)];
        const asked = question(session.id, "what is this?", files);
        await store.addMessage(asked);
        await store.addMessage(aMessage(session.id, "assistant", "a chart"));
        const [read, reply] = await store.getMessages(session.id);
        expect(read).toEqual({ ...asked, attachments: files.map(listed) });
        expect(reply!.attachments).toBeUndefined();
        expect(await store.readAttachment(files[1]!.sha256)).toEqual(png);
        expect(await store.readAttachment(files[0]!.sha256.toUpperCase())).toEqual(text);
        expect(await store.readAttachment(sha(new Uint8Array([9])))).toBeNull();
        const pages: StoredMessage[] = [];
        for await (const page of await store.messagePages(session.id, { pageSize: 1 })) pages.push(...page);
        expect(pages).toEqual(await store.getMessages(session.id));
        expect((await store.listSessions())[0]).toMatchObject({ messageCount: 2, preview: "what is this?" });
      });

      test("the same content is stored once, in any number of messages and sessions, each under its own name", async () => {
        const store = await fresh();
        const one = aSession();
        const two = aSession();
        await store.startSession(one, question(one.id, "first", [file("a.png", png)]), { holder: newId(), ttlMs: 60_000 });
        await store.createSession(two);
        await store.addMessage(question(two.id, "second", [file("b.png", png), file("c.png", png)]));
        expect((await store.getMessages(one.id))[0]!.attachments).toEqual([listed(file("a.png", png))]);
        expect((await store.getMessages(two.id))[0]!.attachments!.map((a) => a.name)).toEqual(["b.png", "c.png"]);
        expect(await store.readAttachment(sha(png))).toEqual(png);
      });

      test("a file goes with the last message that refers to it: delete, cleanup", async () => {
        const store = await fresh();
        const one = aSession({ updatedAt: at(1) });
        const two = aSession({ updatedAt: at(2) });
        await store.importSession(one, [question(one.id, "first", [file("a.png", png), file("n.txt", text, "text/plain")])]);
        await store.importSession(two, [question(two.id, "second", [file("b.png", png)])]);
        await store.deleteSession(one.id);
        await store.purgePendingDeletions();
        expect(await store.readAttachment(sha(png))).toEqual(png);
        expect(await store.readAttachment(sha(text))).toBeNull();
        const result = await cleanUp(store, { maxSessions: 1, retentionDays: 0 }, { now: at(day) });
        expect(result.sessionsDeleted).toBe(0);
        await store.createSession(aSession({ updatedAt: at(3) }));
        await cleanUp(store, { maxSessions: 1, retentionDays: 0 }, { now: at(day) });
        await store.purgePendingDeletions();
        expect(await store.getSession(two.id)).toBeNull();
        expect(await store.readAttachment(sha(png))).toBeNull();
      });

      test("a question and its files are stored in one transaction: a bad file stores neither", async () => {
        const store = await fresh();
        const session = aSession();
        await store.createSession(session);
        const damaged = { ...file("x.png", png), data: new Uint8Array([1, 2, 3]) };
        for (const bad of [
          { ...damaged, size: 3 },
          damaged,
          { ...file("x.png", png), data: undefined },
          { ...file("x.png", png), mediaType: "application/pdf" as Attachment["mediaType"] },
          { ...file("x.png", png), sha256: "abc" },
          { ...file("\u001b[2Jx.png", png) },
        ]) {
          expect((await storageError(store.addMessage(question(session.id, "look", [file("ok.png", text, "text/plain"), bad])))).kind).toBe("invalid_data");
        }
        // Only a question carries files.
        const reply = { ...aMessage(session.id, "assistant", "here"), attachments: [file("a.png", png)] };
        expect((await storageError(store.addMessage(reply))).kind).toBe("invalid_data");
        expect(await store.getMessages(session.id)).toEqual([]);
        expect(await store.readAttachment(sha(text))).toBeNull();
        expect((await storageError(store.readAttachment("not-a-hash"))).kind).toBe("invalid_data");
        // Refused by the database after the file went in: the file goes back out with the rest.
        const taken = aMessage(session.id, "user", "taken");
        await store.addMessage(taken);
        const other = aSession();
        const clash = [question(other.id, "look", [file("a.png", png)]), { ...taken, sessionId: other.id }];
        expect((await storageError(store.importSession(other, clash))).kind).toBe("invalid_data");
        expect(await store.readAttachment(sha(png))).toBeNull();
      });

      test("import keeps them exactly; fork and extend carry them", async () => {
        const store = await fresh();
        const session = aSession();
        const messages = [question(session.id, "look", [file("a.png", png)]), aMessage(session.id, "assistant", "seen"), question(session.id, "and this", [file("n.txt", text, "text/plain")])];
        await store.importSession(session, messages);
        expect(await store.getMessages(session.id)).toEqual(messages.map((m) => (m.attachments === undefined ? m : { ...m, attachments: m.attachments.map(listed) })));
        const fork = await store.forkSession(session.id, { at: 2 });
        const forked = await store.getMessages(fork.id);
        expect(forked.map((m) => m.attachments?.map((a) => a.name))).toEqual([["a.png"], undefined]);
        await store.deleteSession(session.id);
        await store.purgePendingDeletions();
        expect(await store.readAttachment(sha(png))).toEqual(png);
        expect(await store.readAttachment(sha(text))).toBeNull();
        const later = question(fork.id, "again", [file("n.txt", text, "text/plain")]);
        const current = (await store.getSession(fork.id))!;
        await store.extendSession({ ...current, updatedAt: at(day) }, [later], { held: 2 });
        expect((await store.getMessages(fork.id))[2]!.attachments).toEqual([listed(file("n.txt", text, "text/plain"))]);
        expect(await store.readAttachment(sha(text))).toEqual(text);
      });
    });

    describe("fork", () => {
      /** A session of `n` messages, user and assistant in turn, with a reply by another model. */
      async function conversation(store: SessionStore, n: number, overrides: Partial<Session> = {}) {
        const session = aSession({ systemPrompt: "Be brief.", ...overrides });
        const messages = Array.from({ length: n }, (_, i) => aMessage(session.id, i % 2 === 0 ? "user" : "assistant", `message ${i + 1}`, at(i + 1)));
        if (n >= 4) messages[3] = { ...messages[3]!, provider: "openai", model: "gpt-4o", usage: { inputTokens: 5, outputTokens: 6 } };
        if (n >= 2) messages[1] = { ...messages[1]!, interrupted: true };
        await store.importSession(session, messages);
        return { session, messages };
      }
      /** What a copy keeps of a message: all but its id and session. */
      const kept = ({ id: _id, sessionId: _session, ...rest }: StoredMessage) => rest;

      test.each([0, 1, 3, 6])("at %d: a new session with copies of the first messages, new ids, the same settings", async (n) => {
        const store = await fresh();
        const { session, messages } = await conversation(store, 6, { title: "Trip" });
        const fork = await store.forkSession(session.id, { at: n });
        expect(fork.id).not.toBe(session.id);
        expect(await store.getSession(fork.id)).toEqual(fork);
        expect(fork).toMatchObject({ title: "Trip (fork)", provider: session.provider, model: session.model, systemPrompt: "Be brief." });
        const copies = await store.getMessages(fork.id);
        expect(copies.map(kept)).toEqual(messages.slice(0, n).map(kept));
        for (const copy of copies) {
          expect(copy.sessionId).toBe(fork.id);
          // Lower-case v4 UUIDs, as Synapse writes them, none the source's.
          expect(copy.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
          expect(messages.some((m) => m.id === copy.id)).toBe(false);
        }
        expect(await store.sessionOrigin(fork.id)).toEqual({ sessionId: session.id, messageId: n === 0 ? null : messages[n - 1]!.id, at: n });
        expect(await store.sessionOrigin(session.id)).toBeNull();
        expect((await store.listForks(session.id)).map((f) => [f.id, f.at])).toEqual([[fork.id, n]]);
        // The source is untouched; the fork is listed, counted and searched like any session.
        expect(await store.getMessages(session.id)).toEqual(messages);
        expect((await store.listSessions()).find((s) => s.id === fork.id)).toMatchObject({ messageCount: n, preview: n === 0 ? null : "message 1" });
        expect((await store.searchMessages("message")).filter((h) => h.sessionId === fork.id)).toHaveLength(n);
      });

      test("by default copies every message; the title is the first question's when the source has none, or as given", async () => {
        const store = await fresh();
        const { session, messages } = await conversation(store, 5);
        const fork = await store.forkSession(session.id);
        expect(fork.title).toBe("message 1 (fork)");
        expect((await store.getMessages(fork.id)).map(kept)).toEqual(messages.map(kept));
        expect((await store.forkSession(session.id, { at: 2, title: "Another way" })).title).toBe("Another way");
        expect((await store.forkSession(session.id, { title: null })).title).toBeNull();
        // (Oldest first; forks made in the same millisecond in any order.)
        expect((await store.listForks(session.id)).map((f) => f.at).sort()).toEqual([2, 5, 5]);
        // A source with neither title nor question gives an untitled fork; a question's control
        // characters never reach a title.
        const bare = aSession();
        await store.createSession(bare);
        expect((await store.forkSession(bare.id)).title).toBeNull();
        const odd = aSession();
        await store.importSession(odd, [aMessage(odd.id, "user", "Red \u001b[31mtext\u202e\nsecond line")]);
        expect((await store.forkSession(odd.id)).title).toBe("Red [31mtext… (fork)");
        // A fork of a fork records its own source.
        const again = await store.forkSession(fork.id, { at: 1 });
        expect(await store.sessionOrigin(again.id)).toMatchObject({ sessionId: fork.id, at: 1 });
      });

      test("beyond the end, or at no whole number, is invalid_data and stores nothing; a missing source is not_found", async () => {
        const store = await fresh();
        const { session } = await conversation(store, 3);
        for (const n of [4, -1, 1.5]) expect((await storageError(store.forkSession(session.id, { at: n }))).kind).toBe("invalid_data");
        expect((await storageError(store.forkSession(newId()))).kind).toBe("not_found");
        expect(await store.countSessions()).toBe(1);
        expect(await store.listForks(session.id)).toEqual([]);
      });

      test("deleting the original keeps the fork, whose record still names it", async () => {
        const store = await fresh();
        const { session, messages } = await conversation(store, 4);
        const fork = await store.forkSession(session.id, { at: 2 });
        expect(await store.deleteSession(session.id)).toBe(true);
        expect(await store.getSession(session.id)).toBeNull();
        expect((await store.getMessages(fork.id)).map(kept)).toEqual(messages.slice(0, 2).map(kept));
        expect(await store.sessionOrigin(fork.id)).toEqual({ sessionId: session.id, messageId: messages[1]!.id, at: 2 });
        // And deleting the fork leaves nothing of it behind in the original's list.
        const other = await conversation(store, 2);
        const second = await store.forkSession(other.session.id);
        await store.deleteSession(second.id);
        expect(await store.listForks(other.session.id)).toEqual([]);
      });

      test("the record round-trips through export and import, and an import can set or clear it", async () => {
        const store = await fresh();
        const { session } = await conversation(store, 4);
        const fork = await store.forkSession(session.id, { at: 3 });
        const origin = await store.sessionOrigin(fork.id);
        const text = exportJson((await store.getSession(fork.id))!, await store.getMessages(fork.id), origin);
        const target = await fresh();
        const read = parseExport(text);
        expect(read.origin).toEqual(origin);
        await target.importSession(read.session, read.messages);
        await target.setSessionOrigin(read.session.id, read.origin);
        expect(await target.sessionOrigin(fork.id)).toEqual(origin);
        expect(parseExport(exportJson(read.session, read.messages, await target.sessionOrigin(fork.id)))).toEqual(read);
        await target.setSessionOrigin(fork.id, null);
        expect(await target.sessionOrigin(fork.id)).toBeNull();
        expect((await storageError(target.setSessionOrigin(newId(), origin))).kind).toBe("not_found");
      });

      test("a fork of a session written to meanwhile copies a consistent prefix", async () => {
        const store = await fresh();
        const { session } = await conversation(store, 2);
        const writes = Array.from({ length: 20 }, (_, i) => store.addMessage(aMessage(session.id, i % 2 === 0 ? "user" : "assistant", `more ${i}`, at(100 + i))));
        const forks = await Promise.all(Array.from({ length: 5 }, () => store.forkSession(session.id)));
        await Promise.all(writes);
        const all = await store.getMessages(session.id);
        for (const fork of forks) {
          const copies = await store.getMessages(fork.id);
          const origin = await store.sessionOrigin(fork.id);
          expect(origin?.at).toBe(copies.length);
          expect(copies.map(kept)).toEqual(all.slice(0, copies.length).map(kept));
          expect(origin?.messageId).toBe(all[copies.length - 1]!.id);
        }
      });
    });

    describe("extend", () => {
      /** A session stored with two messages, and a later state of it with two more. */
      async function withEarlierState(store: SessionStore) {
        const session = aSession({ title: "Earlier", updatedAt: at(10) });
        const first = [aMessage(session.id, "user", "q", at(1)), aMessage(session.id, "assistant", "a", at(2))];
        await store.importSession(session, first);
        const later: Session = { ...session, title: "Later", model: "other-model", systemPrompt: "Be brief.", updatedAt: at(100) };
        const rest: StoredMessage[] = [
          aMessage(session.id, "user", "second question", at(50)),
          { ...aMessage(session.id, "assistant", "second answer", at(60)), interrupted: true, usage: { inputTokens: 5, outputTokens: 6 } },
        ];
        return { session, first, later, rest };
      }

      test("appends what the session lacks and takes the later state's fields, updatedAt exactly", async () => {
        const store = await fresh();
        const { session, first, later, rest } = await withEarlierState(store);
        await store.extendSession(later, rest, { held: 2 });
        expect(await store.getSession(session.id)).toEqual(later);
        expect(await store.getMessages(session.id)).toEqual([...first, ...rest]);
        expect((await store.listSessions())[0]).toMatchObject({ messageCount: 4, preview: "q" });
        expect((await store.searchMessages("answer")).map((h) => h.messageId)).toEqual([rest[1]!.id]);
      });

      test("is all or nothing: whatever refuses it, the earlier state stays exactly as it was", async () => {
        const store = await fresh();
        const { session, first, later, rest } = await withEarlierState(store);
        const other = aSession();
        const taken = aMessage(other.id, "user", "taken");
        await store.importSession(other, [taken]);
        const refusals: [string, () => Promise<void>][] = [
          ["a message id that exists", () => store.extendSession(later, [rest[0]!, { ...taken, sessionId: session.id }], { held: 2 })],
          ["content no store holds", () => store.extendSession(later, [rest[0]!, aMessage(session.id, "user", "binary\u0000data")], { held: 2 })],
          ["a message of another session", () => store.extendSession(later, [rest[0]!, aMessage(other.id, "user", "elsewhere")], { held: 2 })],
          ["a session written to meanwhile", () => store.extendSession(later, rest, { held: 1 })],
        ];
        for (const [what, extend] of refusals) {
          const error = await storageError(extend());
          expect([what, error.kind]).toEqual([what, "invalid_data"]);
          expect(await store.getSession(session.id)).toEqual(session);
          expect(await store.getMessages(session.id)).toEqual(first);
        }
        expect((await storageError(store.extendSession(later, rest, { held: 1 }))).message).toBe(
          `session ${session.id} was written to meanwhile (it no longer holds 1 messages); try again`,
        );
        expect((await storageError(store.extendSession(aSession(), [], { held: 0 }))).kind).toBe("not_found");
      });

      test("a session in use is refused, and left as it is", async () => {
        const store = await fresh();
        const { session, first, later, rest } = await withEarlierState(store);
        await store.leaseSession(session.id, { holder: newId(), ttlMs: 60_000 });
        expect((await storageError(store.extendSession(later, rest, { held: 2 }))).kind).toBe("in_use");
        expect(await store.getSession(session.id)).toEqual(session);
        expect(await store.getMessages(session.id)).toEqual(first);
      });
    });

    describe("cleanup", () => {
      const now = at(200 * day);
      /** Sessions last updated `ages` days before `now`, oldest last. */
      async function withSessions(store: SessionStore, ages: number[]): Promise<string[]> {
        const ids: string[] = [];
        for (const age of ages) {
          const session = aSession({ updatedAt: new Date(now.getTime() - age * day) });
          await store.createSession(session);
          await store.addMessage(aMessage(session.id, "user", `${age} days old`, session.updatedAt));
          ids.push(session.id);
        }
        return ids;
      }
      const remaining = async (store: SessionStore) => (await store.listSessions()).map((s) => s.id);

      test("over maxSessions, the least recently updated go first", async () => {
        const store = await fresh();
        const ids = await withSessions(store, [1, 2, 3, 4, 5]);
        const result = await cleanUp(store, { maxSessions: 3, retentionDays: 0 }, { now });
        expect(counts(result)).toEqual({ sessionsDeleted: 2, byMaxLimit: 2, byRetention: 0 });
        // What went is reported as it was, oldest first.
        expect(result.removed.map((r) => [r.id, r.messageCount, r.preview])).toEqual([
          [ids[4]!, 1, "5 days old"],
          [ids[3]!, 1, "4 days old"],
        ]);
        expect(await remaining(store)).toEqual(ids.slice(0, 3));
        expect(await store.getMessages(ids[4]!)).toEqual([]);
      });

      test("a titled session is never cleaned up, by either limit, and does not count toward maxSessions", async () => {
        const store = await fresh();
        const ids = await withSessions(store, [1, 2, 300, 400]);
        await store.renameSession(ids[3]!, "Keep me");
        await store.renameSession(ids[2]!, "Me too");
        expect(await store.countTitledSessions()).toBe(2);
        // Two untitled, one allowed: the older untitled goes; the titled ones are past retention and stay.
        const result = await cleanUp(store, { maxSessions: 1, retentionDays: 90 }, { now });
        expect(counts(result)).toEqual({ sessionsDeleted: 1, byMaxLimit: 1, byRetention: 0 });
        expect(await remaining(store)).toEqual([ids[0]!, ids[2]!, ids[3]!]);
        const plan = await planCleanup(store, { maxSessions: 1, retentionDays: 90 }, { now });
        expect([...plan.byMaxLimit, ...plan.byRetention]).toEqual([]);
      });

      test("sessions not updated for retentionDays are deleted", async () => {
        const store = await fresh();
        const ids = await withSessions(store, [1, 89, 91, 150]);
        const result = await cleanUp(store, { maxSessions: 0, retentionDays: 90 }, { now });
        expect(counts(result)).toEqual({ sessionsDeleted: 2, byMaxLimit: 0, byRetention: 2 });
        expect(await remaining(store)).toEqual(ids.slice(0, 2));
      });

      test("both rules: the limit first, then retention, each counted", async () => {
        const store = await fresh();
        const ids = await withSessions(store, [1, 2, 95, 96, 97]);
        const result = await cleanUp(store, { maxSessions: 4, retentionDays: 90 }, { now });
        expect(counts(result)).toEqual({ sessionsDeleted: 3, byMaxLimit: 1, byRetention: 2 });
        expect(await remaining(store)).toEqual(ids.slice(0, 2));
      });

      test("limits of 0 mean no limit, never delete everything", async () => {
        const store = await fresh();
        const ids = await withSessions(store, [1, 500, 5000]);
        const result = await cleanUp(store, { maxSessions: 0, retentionDays: 0 }, { now });
        expect(counts(result)).toEqual({ sessionsDeleted: 0, byMaxLimit: 0, byRetention: 0 });
        expect(await remaining(store)).toEqual(ids);
      });

      test("nothing to do leaves everything", async () => {
        const store = await fresh();
        const ids = await withSessions(store, [1, 2]);
        expect(counts(await cleanUp(store, { maxSessions: 100, retentionDays: 90 }, { now }))).toEqual({ sessionsDeleted: 0,
          byMaxLimit: 0,
          byRetention: 0,
        });
        expect(await remaining(store)).toEqual(ids);
      });

      test("sessions named in keep survive both rules", async () => {
        const store = await fresh();
        const ids = await withSessions(store, [1, 2, 3, 120, 130]);
        const keep = [ids[4]!, ids[2]!.toUpperCase()];
        const result = await cleanUp(store, { maxSessions: 3, retentionDays: 90 }, { now, keep });
        expect(counts(result)).toEqual({ sessionsDeleted: 2, byMaxLimit: 2, byRetention: 0 });
        expect(await remaining(store)).toEqual([ids[0]!, ids[2]!, ids[4]!]);
      });

      test("reserve makes room for sessions about to be created", async () => {
        const store = await fresh();
        const ids = await withSessions(store, [1, 2, 3]);
        const result = await cleanUp(store, { maxSessions: 3, retentionDays: 0 }, { now, reserve: 1 });
        expect(counts(result)).toEqual({ sessionsDeleted: 1, byMaxLimit: 1, byRetention: 0 });
        expect(await remaining(store)).toEqual(ids.slice(0, 2));
        // With a limit of 1, room for one new session leaves none of the old.
        await cleanUp(store, { maxSessions: 1, retentionDays: 0 }, { now, reserve: 1 });
        expect(await remaining(store)).toEqual([]);
      });

      test("a plan names exactly what the cleanup then deletes", async () => {
        const store = await fresh();
        const ids = await withSessions(store, [1, 2, 3, 95, 120]);
        const config = { maxSessions: 4, retentionDays: 90 };
        const plan = await planCleanup(store, config, { now, keep: [ids[3]!] });
        expect(plan.byMaxLimit.map((s) => s.id)).toEqual([ids[4]!]);
        expect(plan.byRetention.map((s) => s.id)).toEqual([]);
        expect(await remaining(store)).toHaveLength(5);
        const planWithoutKeep = await planCleanup(store, config, { now });
        expect(planWithoutKeep.byMaxLimit.map((s) => s.id)).toEqual([ids[4]!]);
        expect(planWithoutKeep.byRetention.map((s) => s.id)).toEqual([ids[3]!]);
        const result = await cleanUp(store, config, { now });
        expect(counts(result)).toEqual({ sessionsDeleted: 2, byMaxLimit: 1, byRetention: 1 });
        expect(await remaining(store)).toEqual(ids.slice(0, 3));
      });

      test("a negative or fractional limit is invalid_data and deletes nothing", async () => {
        const store = await fresh();
        await withSessions(store, [1, 2]);
        expect((await storageError(cleanUp(store, { maxSessions: -1, retentionDays: 0 }))).kind).toBe("invalid_data");
        expect((await storageError(cleanUp(store, { maxSessions: 0, retentionDays: 1.5 }))).kind).toBe("invalid_data");
        expect(await remaining(store)).toHaveLength(2);
      });

      test("many sessions are removed in batches, all counted", async () => {
        const store = await fresh();
        const ages = Array.from({ length: 700 }, (_, i) => i / 10);
        const ids = await withSessions(store, ages);
        const result = await cleanUp(store, { maxSessions: 150, retentionDays: 0 }, { now });
        expect(counts(result)).toEqual({ sessionsDeleted: 550, byMaxLimit: 550, byRetention: 0 });
        expect(await remaining(store)).toEqual(ids.slice(0, 150));
      });

      test("with no purge budget, what it deletes vanishes from every read at once and is reclaimed later, by any run, never reported as abandoned", async () => {
        const store = await fresh();
        const ids = await withSessions(store, [1, 2, 3, 4]);
        const result = await cleanUp(store, { maxSessions: 2, retentionDays: 0 }, { now, purgeBudgetMs: 0 });
        expect(counts(result)).toEqual({ sessionsDeleted: 2, byMaxLimit: 2, byRetention: 0 });
        expect(result.purge).toEqual({ sessions: 0, messages: 0, more: true });
        const gone = ids.slice(2);
        expect(await remaining(store)).toEqual(ids.slice(0, 2));
        expect(await store.countSessions()).toBe(2);
        expect(await store.sessionIds()).toEqual([...ids.slice(0, 2)].sort());
        expect((await store.searchMessages("days")).map((h) => h.sessionId).sort()).toEqual([...ids.slice(0, 2)].sort());
        for (const id of gone) {
          expect(await store.getSession(id)).toBeNull();
          expect(await store.getMessages(id)).toEqual([]);
          expect(await store.findSessionsByIdPrefix(id.slice(0, 8), 5)).toEqual([]);
        }
        // A pending purge has no heartbeat to lapse: it is nobody's abandoned work.
        expect(await store.finishAbandonedWork(new Date(Date.now() + 365 * day))).toEqual([]);
        expect(await store.purgePendingDeletions({ budgetMs: 0 })).toEqual({ sessions: 0, messages: 0, more: true });
        expect(await store.purgePendingDeletions()).toEqual({ sessions: 2, messages: 2, more: false });
        // Done once: a second run finds nothing, and what the limits keep is whole.
        expect(await store.purgePendingDeletions()).toEqual({ sessions: 0, messages: 0, more: false });
        expect(await remaining(store)).toEqual(ids.slice(0, 2));
        expect((await store.getMessages(ids[0]!)).map((m) => m.content)).toEqual(["1 days old"]);
      });
    });

    describe("cleanups at once", () => {
      test("never delete more together than the limit asks: each step counts again under the lock", async () => {
        const store = await fresh();
        const now = at(0);
        // More than one step hides: the steps of the three interleave.
        const ids: string[] = [];
        for (let i = 0; i < 450; i++) {
          const session = aSession({ updatedAt: new Date(now.getTime() - i * 60_000) });
          await store.createSession(session);
          ids.push(session.id);
        }
        const results = await Promise.all([1, 2, 3].map(() => cleanUp(store, { maxSessions: 10, retentionDays: 0 }, { now })));
        expect(results.reduce((sum, r) => sum + r.sessionsDeleted, 0)).toBe(440);
        expect((await store.listSessions()).map((s) => s.id)).toEqual(ids.slice(0, 10));
      });
    });

    describe("sessions in use", () => {
      const config = (maxSessions: number, retentionDays = 0) => ({ maxSessions, retentionDays });
      const lease = (ttlMs = 60_000) => ({ holder: newId(), ttlMs });
      const remaining = async (store: SessionStore) => (await store.listSessions()).map((s) => s.id);
      /** Sessions last used `ages` days ago (by the real clock: leases are too), newest first. */
      async function withSessions(store: SessionStore, ages: number[]): Promise<string[]> {
        const ids: string[] = [];
        for (const age of ages) {
          const session = aSession({ updatedAt: new Date(Date.now() - age * day) });
          await store.createSession(session);
          ids.push(session.id);
        }
        return ids;
      }

      test("every cleanup rule spares a leased session, which still counts toward maxSessions", async () => {
        const store = await fresh();
        const ids = await withSessions(store, [1, 2, 3, 200]);
        await store.leaseSession(ids[3]!, lease());
        expect(await store.sessionsInUse(ids)).toEqual([ids[3]!]);
        const plan = await planCleanup(store, config(2, 90));
        expect([...plan.byMaxLimit, ...plan.byRetention].map((s) => s.id)).toEqual([ids[2]!, ids[1]!]);
        const result = await cleanUp(store, config(2, 90));
        expect(counts(result)).toEqual({ sessionsDeleted: 2, byMaxLimit: 2, byRetention: 0 });
        expect(await remaining(store)).toEqual([ids[0]!, ids[3]!]);
        // Retention alone spares it too, and so does a list of sessions unused since a date.
        expect(counts(await cleanUp(store, config(0, 90)))).toEqual({ sessionsDeleted: 0, byMaxLimit: 0, byRetention: 0 });
        expect(await store.sessionsUpdatedBefore(new Date(Date.now() - 100 * day))).toEqual([]);
        expect(await store.deleteSessions([ids[3]!], { unusedSince: new Date(Date.now() - 100 * day) })).toBe(0);
        expect(await remaining(store)).toEqual([ids[0]!, ids[3]!]);
      });

      test("deleting a session in use by name is refused, and nothing named is deleted", async () => {
        const store = await fresh();
        const [busy, idle] = await withSessions(store, [1, 2]);
        await store.leaseSession(busy!, lease());
        const error = await storageError(store.deleteSessions([idle!, busy!]));
        expect(error.kind).toBe("in_use");
        expect(error.message).toBe(`session ${busy} is in use by another synapse process; try again when it has finished`);
        expect((await storageError(store.deleteSession(busy!))).kind).toBe("in_use");
        expect(await remaining(store)).toEqual([busy!, idle!]);
      });

      test("a released lease protects nothing; another holder's lease on the same session still does", async () => {
        const store = await fresh();
        const [id] = await withSessions(store, [200]);
        const mine = lease();
        const theirs = lease();
        await store.leaseSession(id!, mine);
        await store.leaseSession(id!, theirs);
        await store.releaseLease(id!, mine.holder);
        await store.releaseLease(id!, mine.holder); // twice is harmless
        expect(await store.sessionsInUse([id!])).toEqual([id!]);
        await store.releaseLease(id!, theirs.holder);
        expect(await store.sessionsInUse([id!])).toEqual([]);
        expect(counts(await cleanUp(store, config(0, 90)))).toEqual({ sessionsDeleted: 1, byMaxLimit: 0, byRetention: 1 });
      });

      test("a lease that lapsed (its holder died) protects nothing; renewing one keeps it", async () => {
        const store = await fresh();
        const [dead, alive] = await withSessions(store, [200, 201]);
        await store.leaseSession(dead!, lease(1));
        const renewed = lease(1);
        await store.leaseSession(alive!, renewed);
        await store.leaseSession(alive!, { ...renewed, ttlMs: 60_000 });
        // Time passing is the event here: the first lease lasted 1 ms.
        await Bun.sleep(20);
        expect(await store.sessionsInUse([dead!, alive!])).toEqual([alive!]);
        const result = await cleanUp(store, config(0, 90));
        expect(result.removed.map((s) => s.id)).toEqual([dead!]);
        expect(await store.deleteSession(dead!)).toBe(false);
      });

      test("a lease on a session that does not exist is not_found", async () => {
        const store = await fresh();
        expect((await storageError(store.leaseSession(newId(), lease()))).kind).toBe("not_found");
        expect((await storageError(store.leaseSession(newId(), { holder: newId(), ttlMs: 0 }))).kind).toBe("invalid_data");
        expect((await storageError(store.leaseSession(newId(), { holder: "me", ttlMs: 1000 }))).kind).toBe("invalid_data");
      });

      test("a session started with its question is leased from the start, all in one step", async () => {
        const store = await fresh();
        const session = aSession({ updatedAt: new Date(Date.now() - 200 * day), createdAt: new Date(Date.now() - 200 * day) });
        const question = aMessage(session.id, "user", "First question", session.updatedAt);
        await store.startSession(session, question, lease());
        expect(await store.getSession(session.id)).toEqual(session);
        expect(await store.getMessages(session.id)).toEqual([question]);
        expect(await store.sessionsInUse([session.id])).toEqual([session.id]);
        expect(counts(await cleanUp(store, config(0, 90)))).toEqual({ sessionsDeleted: 0, byMaxLimit: 0, byRetention: 0 });
        // An id that exists already stores nothing, the lease included.
        const other = aSession({ id: session.id, model: "other" });
        const error = await storageError(store.startSession(other, aMessage(session.id, "user", "again"), lease()));
        expect(error.kind).toBe("invalid_data");
        expect(await store.getMessages(session.id)).toEqual([question]);
      });
    });
  });
}
