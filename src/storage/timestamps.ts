import { StorageError } from "./errors.ts";

// RFC 3339 with a time zone; Synapse itself always writes the UTC, millisecond form below.
const rfc3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):(\d\d))$/;

/**
 * The time an RFC 3339 timestamp names, in ms since the epoch, or NaN when the text is not one
 * or names no real time: `2026-02-31` or `24:00` are refused, where Date.parse rolls them over
 * into another day. (A leap second, `:60`, has no JavaScript Date and is refused too.)
 */
export function parseRfc3339(text: string): number {
  const m = rfc3339.exec(text);
  if (m === null) return Number.NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const ms = Number((m[7] ?? "").padEnd(3, "0").slice(0, 3));
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return Number.NaN;
    offsetMinutes = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const utc = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, ms);
  return utc.getTime() - offsetMinutes * 60_000;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * A Date as stored: RFC 3339 in UTC with milliseconds (`2026-01-02T03:04:05.678Z`). The fixed
 * width makes text order the same as time order, which listing and cleanup rely on.
 */
export function toStoredTime(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw StorageError.invalidData(`invalid timestamp: ${String(date)}`);
  }
  return date.toISOString();
}

// The exact form toStoredTime writes.
const canonical = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Reads a stored timestamp; text that is not RFC 3339 is invalid data, not a silent NaN date.
 * `what` and `id` name its row in that error (`message 3f2c…`): apart, because a long session
 * reads thousands of timestamps and the name is needed only when one is wrong.
 */
export function fromStoredTime(text: string, what: string, id?: string): Date {
  const ms = canonical.test(text) ? canonicalMs(text) : parseRfc3339(text);
  if (Number.isNaN(ms)) {
    const row = id === undefined ? what : `${what} ${id}`;
    throw StorageError.invalidData(`${row} has a timestamp that is not a real RFC 3339 time: ${JSON.stringify(text)}`);
  }
  return new Date(ms);
}

const digit = (text: string, i: number) => text.charCodeAt(i) - 48;
const two = (text: string, i: number) => digit(text, i) * 10 + digit(text, i + 1);

/**
 * Reads the canonical form by hand: listing thousands of sessions parses two timestamps each,
 * and this is three times quicker than Date.parse. Out-of-range fields are NaN, not rolled over.
 */
function canonicalMs(text: string): number {
  const month = two(text, 5);
  const day = two(text, 8);
  const hour = two(text, 11);
  const minute = two(text, 14);
  const second = two(text, 17);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const year = two(text, 0) * 100 + two(text, 2);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, digit(text, 20) * 100 + two(text, 21));
  // Date.UTC rolls 31 April over into May; a real date maps back to the same day.
  return new Date(ms).getUTCDate() === day ? ms : Number.NaN;
}
