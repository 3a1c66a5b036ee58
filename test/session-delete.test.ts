/**
 * `sessions delete` as the core does it: references resolved and sessions in use refused before
 * anyone is asked, the answer respected, and an idle session used while the question was open kept.
 */
import { describe, expect, test } from "bun:test";
import { deleteSessions } from "../src/sessions/delete.ts";
import { SessionRefError } from "../src/sessions/refs.ts";
import { StorageError } from "../src/storage/errors.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { aMessage, aSession } from "./_session-store-contract.ts";

const day = 24 * 60 * 60 * 1000;

describe("deleteSessions", () => {
  async function withSessions() {
    const store = SqliteStore.inMemory();
    const named = aSession({ id: "abcd1111-0000-4000-8000-000000000001", title: "Named", updatedAt: new Date() });
    const idle = aSession({ id: "beef0000-0000-4000-8000-000000000002", updatedAt: new Date(Date.now() - 40 * day) });
    const revived = aSession({ id: "cafe0000-0000-4000-8000-000000000003", updatedAt: new Date(Date.now() - 40 * day) });
    const recent = aSession({ id: "dead0000-0000-4000-8000-000000000004", updatedAt: new Date() });
    for (const session of [named, idle, revived, recent]) await store.createSession(session);
    const remaining = async () => (await store.listSessions()).map((s) => s.id).sort();
    return { store, named, idle, revived, recent, remaining };
  }

  test("asks once, with the short ids of those named and then the idle ones, and deletes them", async () => {
    const { store, named, idle, revived, recent, remaining } = await withSessions();
    const asked: string[][] = [];
    const outcome = await deleteSessions(store, { refs: ["Named"], olderThanMs: 30 * day, confirm: async (names) => (asked.push(names), true) });
    expect(asked).toEqual([["abcd1111", "beef0000", "cafe0000"]]);
    expect(outcome).toEqual({ status: "deleted", deleted: 3, kept: 0 });
    expect(await remaining()).toEqual([recent.id]);
    for (const gone of [named, idle, revived]) expect(await store.getMessages(gone.id)).toEqual([]);
  });

  test("an idle session used while the question was open is kept, and counted", async () => {
    const { store, named, revived, recent, remaining } = await withSessions();
    const outcome = await deleteSessions(store, {
      refs: [],
      olderThanMs: 30 * day,
      confirm: async () => {
        await store.addMessage(aMessage(revived.id, "user", "still needed", new Date()));
        return true;
      },
    });
    expect(outcome).toEqual({ status: "deleted", deleted: 1, kept: 1 });
    expect(await remaining()).toEqual([named.id, revived.id, recent.id]);
  });

  test("a no deletes nothing; nothing chosen asks nothing", async () => {
    const { store, remaining } = await withSessions();
    const before = await remaining();
    expect(await deleteSessions(store, { refs: ["Named"], confirm: async () => false })).toEqual({ status: "declined" });
    expect(await remaining()).toEqual(before);
    let asked = false;
    expect(await deleteSessions(store, { refs: [], olderThanMs: 365 * day, confirm: async () => (asked = true) })).toEqual({ status: "none" });
    expect(asked).toBe(false);
  });

  test("every reference must name a session, and none named may be in use, before anyone is asked", async () => {
    const { store, named, remaining } = await withSessions();
    const before = await remaining();
    let asked = false;
    const confirm = async () => (asked = true);
    const unknown = await deleteSessions(store, { refs: ["Named", "nothing-like-it"], confirm }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(SessionRefError);
    await store.leaseSession(named.id, { holder: crypto.randomUUID(), ttlMs: 60_000 });
    const busy = await deleteSessions(store, { refs: ["Named"], olderThanMs: 30 * day, confirm }).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(StorageError);
    expect((busy as StorageError).kind).toBe("in_use");
    expect(asked).toBe(false);
    expect(await remaining()).toEqual(before);
  });
});
