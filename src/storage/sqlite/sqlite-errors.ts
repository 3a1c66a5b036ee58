import { SQLiteError } from "bun:sqlite";
import { describeBytes } from "../../byte-size.ts";
import { statfsSync } from "node:fs";
import { dirname } from "node:path";
import { StorageError } from "../errors.ts";
import { messageOf } from "../../unknown-values.ts";

/**
 * Turns a SQLite failure into a StorageError whose message says what happened to which file and
 * what to do. `path` names the database; `doing` says what was being attempted.
 */
export function storageErrorFrom(error: unknown, path: string, doing: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = sqliteCode(error);
  const fail = (message: string) => new StorageError("database", message, { cause: error });
  // The header check refuses files that are not SQLite before SQLite opens them, so SQLite
  // saying "not a database" of a file that passed it means the file is damaged.
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) return corruptError(path, error);
  if (isDiskFull(code, path)) return diskFullError(path, doing, error);
  if (code === "SQLITE_FULL") {
    // Not this disk: SQLite's temporary files (large sorts) live elsewhere.
    return fail(
      `SQLite ran out of space while ${doing}, but the disk holding ${path} has ${describeBytes(freeBytes(path) ?? 0)} free; the folder for temporary files (SQLITE_TMPDIR, /var/tmp or /tmp) may be full`,
    );
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return fail(`the session database ${path} stayed locked by another process while ${doing}; try again`);
  }
  if (code.startsWith("SQLITE_READONLY")) {
    return fail(`the session database ${path} is read-only while ${doing}; check its permissions and those of its folder`);
  }
  if (code.startsWith("SQLITE_CANTOPEN")) {
    return fail(`cannot open the session database ${path}; check that its folder exists and is writable`);
  }
  return fail(`database error while ${doing} (${path}): ${messageOf(error)}`);
}

export function sqliteCode(error: unknown): string {
  return error instanceof SQLiteError ? (error.code ?? "") : "";
}

/** Said alike whether the header check or SQLite itself finds the file is not a database. */
export function notSqliteMessage(path: string): string {
  return `${path} is not a SQLite database; Synapse left it untouched; move it away, or set database_url to another file`;
}

/**
 * The one line for a damaged database, wherever SQLite noticed it: the store stops using the
 * file (SqliteStore refuses every later call), and the user learns how to save what it holds.
 */
export function corruptError(path: string, cause?: unknown): StorageError {
  const file = shellQuote(path);
  // A new file beside it: the damaged one (and any WAL of it) stays as it was, for a second try.
  const recovered = path.replace(/(\.[^./]*)?$/, "-recovered$1");
  return new StorageError(
    "corrupt",
    `the session database ${path} is corrupt; Synapse stopped and writes nothing more to it; save what it holds with: sqlite3 ${file} .recover | sqlite3 ${shellQuote(recovered)} , then set database_url to sqlite:${recovered} (or move ${file} away to start afresh)`,
    { cause },
  );
}

/**
 * Below this much free space, an I/O error is taken for a full disk. SQLite writes in pages
 * (4 KiB) and grows the WAL index in 32 KiB steps, so a write that failed for want of space
 * leaves far less than this free, and an unrelated I/O error on a nearly full disk is best
 * answered by freeing space anyway.
 */
const fullBelowBytes = 1024 * 1024;

/**
 * SQLite reports a full disk as SQLITE_FULL when a write to the database or WAL fails, but as
 * a plain I/O error (SQLITE_IOERR_SHMSIZE, _WRITE, _TRUNCATE, _FSYNC…) or a failure to open when
 * the WAL index, a journal or a checkpoint runs out of room, and bun:sqlite does not pass on
 * the errno. The disk's free space tells them apart.
 */
function isDiskFull(code: string, path: string): boolean {
  if (code !== "SQLITE_FULL" && !code.startsWith("SQLITE_IOERR") && !code.startsWith("SQLITE_CANTOPEN")) return false;
  const free = freeBytes(path);
  return free !== null && free < fullBelowBytes;
}

export function diskFullError(path: string, doing: string, cause?: unknown): StorageError {
  const free = freeBytes(path);
  const left = free === null ? "" : ` (${describeBytes(free)} left)`;
  return new StorageError(
    "disk_full",
    `the disk holding ${path} is full${left} while ${doing}; the sessions stored are intact; free some space on it and try again`,
    { cause },
  );
}

/** Space an unprivileged process may still use on the disk holding `path`, or null if unknown. */
export function freeBytes(path: string): number | null {
  try {
    const stat = statfsSync(dirname(path));
    return stat.bavail * stat.bsize;
  } catch {
    return null;
  }
}

/** A path as it can be pasted into a shell. */
function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}
