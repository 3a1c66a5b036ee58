/**
 * When something happened, as a person at a terminal reads it: `just now`, `5 min ago`,
 * `3 h ago`, `yesterday`, `4 days ago`, then the local date. Scripts and pipes get the full time
 * (format.ts), which a relative one cannot be turned back into.
 */
import { localOffsetMinutes } from "../local-time.ts";

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** The widest text {@link relativeTime} gives (`59 min ago`, `6 days ago`, `2026-11-24`). */
export const relativeTimeWidth = 10;

/**
 * `date` relative to `now`. Within a day it counts minutes and hours; past that, days on the
 * calendar in the local zone, so `yesterday` is the day before today even when it was only 25
 * hours ago, and something 30 hours ago at 1 am is `2 days ago`. A time ahead of `now` by more
 * than a minute (another machine's clock, on a shared database) is shown as its date.
 *
 * @param offsetMinutes the local zone's offset from UTC at a date (tests pass a fixed one)
 */
export function relativeTime(date: Date, now: Date, offsetMinutes: (date: Date) => number = localOffsetMinutes): string {
  const elapsed = now.getTime() - date.getTime();
  if (elapsed < minute) return elapsed > -minute ? "just now" : localDate(date, offsetMinutes);
  if (elapsed < hour) return `${Math.floor(elapsed / minute)} min ago`;
  if (elapsed < day) return `${Math.floor(elapsed / hour)} h ago`;
  // At least a day has passed, even across the 25-hour day of a clock change.
  const days = Math.max(1, localDay(now, offsetMinutes) - localDay(date, offsetMinutes));
  if (days === 1) return "yesterday";
  if (days < 7) return `${days} days ago`;
  return localDate(date, offsetMinutes);
}

function localTime(date: Date, offsetMinutes: (date: Date) => number): number {
  return date.getTime() + offsetMinutes(date) * minute;
}

/** Days since 1970-01-01 on the local calendar. */
function localDay(date: Date, offsetMinutes: (date: Date) => number): number {
  return Math.floor(localTime(date, offsetMinutes) / day);
}

/** `2026-11-24`, in the local zone. */
function localDate(date: Date, offsetMinutes: (date: Date) => number): string {
  return new Date(localTime(date, offsetMinutes)).toISOString().slice(0, 10);
}
