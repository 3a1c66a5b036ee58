/**
 * The local offset read from the C library agrees with JavaScript's own, in zones with DST,
 * half- and quarter-hour offsets, on both sides of a change, and back in time.
 */
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { usesCLibrary } from "../src/local-time.ts";

const probe = `
import { localOffsetMinutes } from ${JSON.stringify(join(import.meta.dir, "../src/local-time.ts"))};
const dates = ["2026-01-15T12:00:00Z", "2026-07-15T12:00:00Z", "2026-03-08T06:59:59Z", "2026-03-08T07:00:00Z",
  "2026-10-04T15:29:59Z", "2026-10-04T15:30:00Z", "1999-12-31T23:59:59Z", "2038-06-01T00:00:00Z"].map((d) => new Date(d));
console.log(JSON.stringify(dates.map((d) => [localOffsetMinutes(d), -d.getTimezoneOffset()])));
`;

test.each(["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns"])(
  "in %s it is JavaScript's offset for every date",
  (zone) => {
    const result = Bun.spawnSync([process.execPath, "-e", probe], { env: { ...process.env, TZ: zone }, stdout: "pipe", stderr: "pipe" });
    expect(result.stderr.toString()).toBe("");
    const pairs = JSON.parse(result.stdout.toString()) as [number, number][];
    expect(pairs).toHaveLength(8);
    for (const [ours, theirs] of pairs) expect(ours).toBe(theirs);
    // The zone was really in force: not every zone's offsets are all zero.
    if (zone !== "UTC") expect(pairs.some(([ours]) => ours !== 0)).toBe(true);
  },
);

// Agreement alone would not notice the C library going unused (the fallback agrees too).
test.skipIf(process.platform !== "linux" || !["/lib/x86_64-linux-gnu/libc.so.6", "/lib/aarch64-linux-gnu/libc.so.6", "/usr/lib/libc.so.6", "/lib64/libc.so.6"].some(existsSync))(
  "on Linux with glibc the offset comes from the C library, not from ICU",
  () => {
    expect(usesCLibrary()).toBe(true);
  },
);
