import { describe, expect, test } from "bun:test";
import { relativeTime, relativeTimeWidth } from "../src/cli/relative-time.ts";

const utc = () => 0;
const minute = 60_000;
const hour = 60 * minute;

/** `now` is fixed: these tests never read the clock. */
const now = new Date("2026-11-24T15:30:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe("relativeTime, in UTC", () => {
  test.each([
    ["the same instant", ago(0), "just now"],
    ["59 s", ago(59_000), "just now"],
    ["a little ahead of now (clocks differ)", ago(-30_000), "just now"],
    ["1 min", ago(minute), "1 min ago"],
    ["59 min 59 s", ago(hour - 1000), "59 min ago"],
    ["1 h", ago(hour), "1 h ago"],
    ["23 h 59 min", ago(24 * hour - minute), "23 h ago"],
    ["24 h: the day before", ago(24 * hour), "yesterday"],
    ["39 h: still the day before (00:30 of yesterday)", ago(39 * hour), "yesterday"],
    ["40 h: two days back on the calendar", ago(40 * hour), "2 days ago"],
    ["6 days", ago(6 * 24 * hour), "6 days ago"],
    ["7 days: the date", ago(7 * 24 * hour), "2026-11-17"],
    ["years back", new Date("2020-01-15T12:00:00Z"), "2020-01-15"],
    ["ahead of now by more than a minute: the date", ago(-2 * minute), "2026-11-24"],
  ])("%s → %s", (_name, date, expected) => {
    expect(relativeTime(date, now, utc)).toBe(expected);
  });
});

describe("days are counted on the local calendar", () => {
  test("at 1 am, 26 hours back is two days ago; at 11 pm it is yesterday", () => {
    const early = new Date("2026-11-24T01:00:00Z"); // 01:00 in UTC
    expect(relativeTime(new Date(early.getTime() - 26 * hour), early, utc)).toBe("2 days ago");
    const late = new Date("2026-11-24T23:00:00Z");
    expect(relativeTime(new Date(late.getTime() - 25 * hour), late, utc)).toBe("yesterday");
  });

  test("the zone moves the day boundary, and the date", () => {
    // 2026-11-24 15:30 UTC is 2026-11-25 04:30 in UTC+13, and 30 h earlier is 2026-11-23 22:30 there.
    const plus13 = () => 13 * 60;
    expect(relativeTime(ago(30 * hour), now, utc)).toBe("yesterday");
    expect(relativeTime(ago(30 * hour), now, plus13)).toBe("2 days ago");
    // 2026-11-17 15:30 UTC is still 2026-11-17 in UTC-10, but already 2026-11-18 in UTC+13.
    expect(relativeTime(ago(7 * 24 * hour), now, () => -600)).toBe("2026-11-17");
    expect(relativeTime(ago(7 * 24 * hour), now, plus13)).toBe("2026-11-18");
  });

  test("a clock change's 25-hour day: 24 hours back on the same date is still yesterday", () => {
    // Offsets as in a zone falling back an hour at 02:00 on 2026-11-01 (UTC+1 → UTC+0).
    const offset = (date: Date) => (date.getTime() < Date.parse("2026-11-01T01:00:00Z") ? 60 : 0);
    const start = new Date("2026-10-31T23:10:00Z"); // 00:10 local on 2026-11-01
    const end = new Date(start.getTime() + 24 * hour); // 23:10 local on 2026-11-01
    expect(relativeTime(start, end, offset)).toBe("yesterday");
  });
});

test("every text fits the column", () => {
  const texts = [0, 59 * minute, 23 * hour, 24 * hour, 6 * 24 * hour, 400 * 24 * hour].map((ms) => relativeTime(ago(ms), now, utc));
  for (const text of texts) expect(text.length).toBeLessThanOrEqual(relativeTimeWidth);
  expect(Math.max(...texts.map((t) => t.length))).toBe(relativeTimeWidth);
});
