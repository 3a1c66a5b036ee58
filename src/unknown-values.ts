/** Reading values whose type is not known: whatever was thrown, whatever JSON or TOML held. */

/** What failed, in words: an Error's message, or the thrown value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A Node-style error code (`ENOENT`, `ECONNREFUSED`, …), or undefined when there is none. */
export function errnoCode(error: unknown): string | undefined {
  return isRecord(error) && typeof error.code === "string" ? error.code : undefined;
}

/** A plain object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
