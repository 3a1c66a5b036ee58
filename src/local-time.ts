/**
 * The local time zone's offset from UTC, without JavaScriptCore's `getTimezoneOffset`: its first
 * call sets up ICU's time zones, about 8 ms of a compiled binary's start-up (a `sessions list`
 * that prints local times paid more for it than for its query). The C library answers the same
 * question (`localtime_r`, with DST and `TZ` honoured, src/libc.ts) at no cost; where it cannot be asked, or
 * answers nonsense, `getTimezoneOffset` does. The C library reads `TZ` once, at the first call:
 * a program that changes `process.env.TZ` afterwards gets the zone it started with.
 */
import { ptr } from "bun:ffi";
import { libc } from "./libc.ts";

type LocalTime = (time: BigInt64Array, result: BigInt64Array) => unknown;

let localtime: LocalTime | null | undefined;
// Made once: a long session asks for thousands of times.
const time = new BigInt64Array(1);
// struct tm on 64-bit glibc, musl and macOS: nine ints, padding, then long tm_gmtoff (byte 40).
const tm = new BigInt64Array(8);

function cLocaltime(): LocalTime | null {
  if (localtime !== undefined) return localtime;
  const c = libc();
  if (c === null) {
    localtime = null;
  } else {
    const timePtr = ptr(time);
    const tmPtr = ptr(tm);
    localtime = () => c.localtime_r(timePtr, tmPtr);
  }
  return localtime;
}

/** Whether the offset comes from the C library here (false: from JavaScript, at ICU's cost). */
export function usesCLibrary(): boolean {
  return cLocaltime() !== null;
}

/** Minutes to add to UTC to get local time at `date`: `-date.getTimezoneOffset()`. */
export function localOffsetMinutes(date: Date): number {
  const call = cLocaltime();
  if (call !== null) {
    time[0] = BigInt(Math.floor(date.getTime() / 1000));
    if (call(time, tm) !== null) {
      const seconds = Number(tm[5]);
      if (Number.isInteger(seconds / 60) && Math.abs(seconds) <= 18 * 3600) return seconds / 60;
    }
  }
  return -date.getTimezoneOffset();
}
