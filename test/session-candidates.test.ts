import { beforeAll, describe, expect, test } from "bun:test";
import { offeredSessions, scannedSessions, sessionCandidates } from "../src/sessions/candidates.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { aSession } from "./_session-store-contract.ts";

/** Session `n`: used `n` minutes after the first, so a higher `n` is more recent. */
const idOf = (n: number) => `${(0xa0000000 + n).toString(16)}-0000-4000-8000-000000000000`;
const total = scannedSessions + 100;
const store = SqliteStore.inMemory();

beforeAll(async () => {
  const base = Date.parse("2026-01-01T00:00:00.000Z");
  for (let n = 0; n < total; n++) {
    const at = new Date(base + n * 60_000);
    // Every tenth titled; two share a title; one title from an old database holds a newline.
    const title = n === total - 2 ? "Trip planning" : n === total - 3 ? "Trip\nplanning" : n % 10 === 0 ? `Project ${String(n).padStart(4, "0")}` : null;
    await store.createSession(aSession({ id: idOf(n), title, createdAt: at, updatedAt: at }));
  }
  await store.renameSession(idOf(total - 1), "Trip planning");
});

describe("sessionCandidates", () => {
  test("nothing typed: the most recent sessions, their short ids and titles, the most recent first", async () => {
    const candidates = await sessionCandidates(store, "");
    const sessions = [...new Set(candidates.map((c) => c.session.id))];
    expect(sessions).toEqual(Array.from({ length: offeredSessions }, (_, i) => idOf(total - 1 - i)));
    // Ids differ from their 8th character on: that is as long as a short id is.
    expect(candidates[0]).toMatchObject({ value: idOf(total - 1).slice(0, 8), kind: "id", shortId: idOf(total - 1).slice(0, 8) });
    // One title offered once, for the most recent of its sessions; one on two lines never.
    expect(candidates.filter((c) => c.kind === "title" && c.value.startsWith("Trip"))).toEqual([expect.objectContaining({ value: "Trip planning", session: expect.objectContaining({ id: idOf(total - 1) }) })]);
  });

  test("the start of a title: among the most recently used sessions", async () => {
    expect((await sessionCandidates(store, `Project ${total - 10}`)).map((c) => [c.kind, c.value])).toEqual([["title", `Project ${total - 10}`]]);
    // Beyond the ones scanned, a title is not found...
    expect(await sessionCandidates(store, "Project 0050")).toEqual([]);
    // ...but a session is, by the start of its id, however old: as long as what was typed.
    const typed = idOf(50).slice(0, 10).toUpperCase();
    expect((await sessionCandidates(store, typed)).map((c) => [c.kind, c.value])).toEqual([["id", idOf(50).slice(0, 10)]]);
  });

  test("an id start that fits many: at most the number offered", async () => {
    expect((await sessionCandidates(store, "a")).filter((c) => c.kind === "id")).toHaveLength(offeredSessions);
  });
});
