import { StorageError } from "./errors.ts";

// RFC 3339 with a time zone; Synapse itself always writes the UTC, millisecond form below.
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

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

/** Reads a stored timestamp; text that is not RFC 3339 is invalid data, not a silent NaN date. */
export function fromStoredTime(text: string, what: string): Date {
  const date = rfc3339.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw StorageError.invalidData(`${what} has a timestamp that is not RFC 3339: ${JSON.stringify(text)}`);
  }
  return date;
}
