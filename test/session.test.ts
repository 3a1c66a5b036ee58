import { describe, expect, test } from "bun:test";
import { isRole, isUuid, newId, previewOf } from "../src/session.ts";
import { StorageError } from "../src/storage/errors.ts";
import { fromStoredTime, toStoredTime } from "../src/storage/timestamps.ts";

describe("timestamps: stored text and Date agree to the millisecond, in every engine", () => {
  test.each([
    "2026-11-24T05:15:34.123Z",
    "1999-12-31T23:59:59.999Z",
    "2024-02-29T00:00:00.000Z",
    "2000-01-01T00:00:00.000Z",
  ])("%s round-trips through Date and back unchanged", (text) => {
    const date = fromStoredTime(text, "test");
    expect(date.getTime()).toBe(Date.parse(text));
    expect(toStoredTime(date)).toBe(text);
  });

  test("Dates are stored as fixed-width UTC text, so text order is time order", () => {
    const dates = [new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6)), new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 60)), new Date(Date.UTC(2026, 10, 1))];
    const texts = dates.map(toStoredTime);
    expect(texts).toEqual(["2025-01-02T03:04:05.006Z", "2025-01-02T03:04:05.060Z", "2026-11-01T00:00:00.000Z"]);
    expect([...texts].sort()).toEqual(texts);
  });

  test.each([
    ["2026-11-24T06:15:34+01:00", "2026-11-24T05:15:34.000Z"],
    ["2026-11-24T05:15:34.123456789Z", "2026-11-24T05:15:34.123Z"],
    ["2026-11-24T05:15:34.5-02:30", "2026-11-24T07:45:34.500Z"],
    ["2026-11-24 05:15:34Z", "2026-11-24T05:15:34.000Z"],
  ])("other RFC 3339 forms another writer may have used are read: %s", (text, iso) => {
    expect(fromStoredTime(text, "test").toISOString()).toBe(iso);
  });

  test.each(["", "yesterday", "2026-11-24", "2026-13-01T00:00:00.000Z", "2026-02-30T00:00:00.000Z", "2026-11-24T24:00:00.000Z", "1732425334", "2026-02-31T10:00:00+01:00", "2026-04-31 10:00:00Z", "2025-02-29T00:00:00Z", "2026-11-24T23:00:00+24:00"])(
    "%p is invalid data, never a NaN date",
    (text) => {
      expect(() => fromStoredTime(text, "session x")).toThrow(StorageError);
      expect(() => fromStoredTime(text, "session x")).toThrow(`session x has a timestamp that is not a real RFC 3339 time: ${JSON.stringify(text)}`);
    },
  );

  test("an invalid Date cannot be stored", () => {
    expect(() => toStoredTime(new Date("nope"))).toThrow("invalid timestamp");
  });
});

describe("ids and roles", () => {
  test("new ids are v4 UUIDs, lower case and distinct", () => {
    const ids = Array.from({ length: 100 }, newId);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(100);
  });

  test.each([
    ["0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20", true],
    ["0B5E2C1E-8A6F-4C3B-9D2E-6F1A7C9B4D20", true],
    ["0b5e2c1e8a6f4c3b9d2e6f1a7c9b4d20", false],
    ["0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d2", false],
    [" 0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20", false],
    ["0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20\n", false],
    ["", false],
  ])("isUuid(%p) is %p", (id, expected) => {
    expect(isUuid(id)).toBe(expected);
  });

  test("roles are system, user, assistant and tool", () => {
    expect(["system", "user", "assistant", "tool"].every(isRole)).toBe(true);
    expect(["User", "function", "", null, 1].some(isRole)).toBe(false);
  });
});

describe("previewOf", () => {
  test.each([
    [null, null],
    ["", null],
    [" \n\t ", null],
    ["Hello", "Hello"],
    ["  Hello   there\tyou  ", "Hello there you"],
    ["First line\nsecond line", "First line…"],
    ["First line\n\n   \n", "First line"],
    ["\n\n  Starts late", "Starts late"],
    ["a".repeat(80), "a".repeat(80)],
    ["a".repeat(81), `${"a".repeat(79)}…`],
    [`${"word ".repeat(30)}`, `${"word ".repeat(16).trimEnd()}…`],
    ["é".repeat(100), `${"é".repeat(79)}…`],
    ["e\u0301".repeat(100), `${"e\u0301".repeat(79)}…`],
    ["👩‍💻".repeat(100), `${"👩‍💻".repeat(79)}…`],
    [`${"x".repeat(79)}e\u0301 more`, `${"x".repeat(79)}…`],
  ])("%p → %p", (text, preview) => {
    expect(previewOf(text)).toBe(preview);
  });
});
