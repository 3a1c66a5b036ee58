import { describe, expect, test } from "bun:test";
import { prune } from "../src/sessions/cleanup.ts";
import { deleteSessions } from "../src/sessions/delete.ts";
import { normalizeTitle, resolveSession, SessionRefError, shortIds, shortIdsOf } from "../src/sessions/refs.ts";
import type { SessionStore } from "../src/storage/session-store.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { aSession } from "./_session-store-contract.ts";

describe("shortIds", () => {
  test("each id gets the shortest start no other id shares, at least the minimum", () => {
    const ids = ["aaaa0000", "aaaa1111", "aaab2222", "b0000000", "b0000001"].sort();
    expect(Object.fromEntries(shortIds(ids, 4))).toEqual({
      aaaa0000: "aaaa0",
      aaaa1111: "aaaa1",
      aaab2222: "aaab",
      b0000000: "b0000000",
      b0000001: "b0000001",
    });
    expect(Object.fromEntries(shortIds(["abcdefgh12"], 8))).toEqual({ abcdefgh12: "abcdefgh" });
    expect(shortIds([])).toEqual(new Map());
  });
});

describe("resolveSession", () => {
  async function store() {
    const s = SqliteStore.inMemory();
    const sessions = {
      a: aSession({ id: "abcd1111-0000-4000-8000-000000000001", title: "Trip planning" }),
      b: aSession({ id: "abcd2222-0000-4000-8000-000000000002", title: "Recipes" }),
      c: aSession({ id: "face0000-0000-4000-8000-000000000003", title: "abcd" }),
      d: aSession({ id: "beef0000-0000-4000-8000-000000000004", title: "Recipes" }),
    };
    for (const session of Object.values(sessions)) await s.createSession(session);
    return { s, sessions };
  }

  async function refError(promise: Promise<unknown>): Promise<SessionRefError> {
    const error = await promise.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(SessionRefError);
    return error as SessionRefError;
  }

  test("a full id, in any case, names that session alone", async () => {
    const { s, sessions } = await store();
    expect((await resolveSession(s, sessions.a.id.toUpperCase())).id).toBe(sessions.a.id);
    expect((await refError(resolveSession(s, "abcd1111-0000-4000-8000-00000000000f"))).kind).toBe("not_found");
  });

  test("a unique prefix of at least 4 characters, or an exact title", async () => {
    const { s, sessions } = await store();
    expect((await resolveSession(s, "abcd1")).id).toBe(sessions.a.id);
    expect((await resolveSession(s, "ABCD2")).id).toBe(sessions.b.id);
    expect((await resolveSession(s, "Trip planning")).id).toBe(sessions.a.id);
    expect((await resolveSession(s, "face")).id).toBe(sessions.c.id);
  });

  test("several matches are ambiguous and listed; nothing falls back to another session", async () => {
    const { s } = await store();
    const prefix = await refError(resolveSession(s, "abcd"));
    // "abcd" starts two ids and is the title of a third.
    expect(prefix.kind).toBe("ambiguous");
    expect(prefix.candidates).toHaveLength(3);
    expect(prefix.message).toStartWith('"abcd" names 3 sessions: abcd1111 (Trip planning), abcd2222 (Recipes), face0000 (abcd);');
    expect((await refError(resolveSession(s, "Recipes"))).kind).toBe("ambiguous");
    expect((await refError(resolveSession(s, "abce"))).kind).toBe("not_found");
    expect((await refError(resolveSession(s, "trip planning"))).kind).toBe("not_found");
  });

  test("the starts an ambiguity error suggests are longer than what was typed", async () => {
    const s = SqliteStore.inMemory();
    await s.createSession(aSession({ id: "12345678-aaaa-4000-8000-000000000001" }));
    await s.createSession(aSession({ id: "12345678-bbbb-4000-8000-000000000002" }));
    const error = await refError(resolveSession(s, "12345678"));
    expect(error.message).toContain("12345678-a (");
    expect(error.message).toContain("12345678-b (");
    expect((await resolveSession(s, "12345678-a")).id).toBe("12345678-aaaa-4000-8000-000000000001");
  });

  test("titles are trimmed, empty is none, and one that reads as an id or spans lines is refused", () => {
    expect(normalizeTitle("  Trip planning ")).toBe("Trip planning");
    expect(normalizeTitle("   ")).toBeNull();
    for (const bad of ["cafe", "DEADBEEF", "0b5e2c1e-8a6f", "two\nlines", "tab\there"]) {
      expect(() => normalizeTitle(bad)).toThrow(SessionRefError);
    }
    expect(normalizeTitle("caf")).toBe("caf");
    expect(normalizeTitle("cafe au lait")).toBe("cafe au lait");
  });

  test.each([
    ["a right-to-left override", "invoice\u202Efdp.exe", "bidirectional controls"],
    ["a left-to-right embedding", "\u202Aplan", "bidirectional controls"],
    ["a right-to-left isolate", "a \u2067b\u2069 c", "bidirectional controls"],
    ["zero-width spaces only", "\u200B\u200B", "only invisible characters"],
    ["joiners and a BOM only", "\u200C\u200D\u2060\uFEFF", "only invisible characters"],
    ["an id start behind a zero-width space", "\u200Bcafe", "reads like the start of a session id"],
  ])("a title with %s is refused as a usage error", (_, title, said) => {
    expect(() => normalizeTitle(title)).toThrow(said);
    expect(() => normalizeTitle(title)).toThrow(SessionRefError);
  });

  test("visible text with a zero-width joiner inside (an emoji sequence) is a title", () => {
    expect(normalizeTitle("Family \u{1F468}\u200D\u{1F469}")).toBe("Family \u{1F468}\u200D\u{1F469}");
  });

  test("too short, or empty, cannot name a session", async () => {
    const { s } = await store();
    expect((await refError(resolveSession(s, "abc"))).kind).toBe("malformed");
    expect((await refError(resolveSession(s, "  "))).kind).toBe("malformed");
  });
});

describe("short ids of a few sessions", () => {
  /** A store that fails the test if anything reads every session id. */
  function withoutEveryId(store: SessionStore): SessionStore {
    return new Proxy(store, {
      get(target, property) {
        if (property === "sessionIds") return () => Promise.reject(new Error("every session id was read"));
        const value: unknown = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  async function seeded() {
    const raw = SqliteStore.inMemory();
    const ids = [
      "abcd1111-0000-4000-8000-000000000001",
      "abcd1111-0000-4000-8000-000000000002",
      "abcd1111-2200-4000-8000-000000000003",
      "beef0000-0000-4000-8000-000000000004",
    ];
    const old = new Date(Date.now() - 400 * 24 * 60 * 60 * 1000);
    for (const [i, id] of ids.entries()) await raw.createSession(aSession({ id, title: i < 2 ? "Twins" : null, createdAt: old, updatedAt: new Date(old.getTime() + i) }));
    return { store: withoutEveryId(raw), expected: shortIds(await raw.sessionIds()), ids };
  }

  test("naming, deleting and pruning sessions read the ids around them, never every id", async () => {
    const { store, expected, ids } = await seeded();
    const ambiguous = await resolveSession(store, "Twins").catch((e: unknown) => e as SessionRefError);
    expect((ambiguous as SessionRefError).message).toContain(`${expected.get(ids[0]!)} (Twins)`);
    expect(await shortIdsOf(store, [ids[2]!])).toEqual(new Map([[ids[2]!, expected.get(ids[2]!)!]]));
    // The titled twins are never pruned: of the two untitled sessions, the older goes.
    const dry = await prune(store, { maxSessions: 1, retentionDays: 0 }, { dryRun: true });
    expect([...dry.shortIds.values()]).toEqual([expected.get(ids[2]!)!]);
    const pruned = await prune(store, { maxSessions: 1, retentionDays: 0 });
    expect([...pruned.shortIds.values()]).toEqual([expected.get(ids[2]!)!]);
    let asked: string[] = [];
    const outcome = await deleteSessions(store, { refs: ["beef0000"], olderThanMs: 1000, confirm: async (names) => ((asked = names), true) });
    expect(outcome).toEqual({ status: "deleted", deleted: 3, kept: 0 });
    // Measured among the sessions there were: those left after prune (the twins share all but their end).
    expect(asked.sort()).toEqual(["abcd1111-0000-4000-8000-000000000001", "abcd1111-0000-4000-8000-000000000002", "beef0000"]);
  });
});
