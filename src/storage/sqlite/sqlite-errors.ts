import { SQLiteError } from "bun:sqlite";
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
  if (code === "SQLITE_NOTADB") {
    return fail(notSqliteMessage(path));
  }
  if (code.startsWith("SQLITE_CORRUPT")) {
    return fail(`the session database ${path} is corrupt; Synapse did not change it. Restore it from a backup, or move it away to start afresh`);
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
  if (code === "SQLITE_FULL") return fail(`the disk holding ${path} is full while ${doing}; free some space and try again`);
  return fail(`database error while ${doing} (${path}): ${messageOf(error)}`);
}

export function sqliteCode(error: unknown): string {
  return error instanceof SQLiteError ? (error.code ?? "") : "";
}

/** Said alike whether the header check or SQLite itself finds the file is not a database. */
export function notSqliteMessage(path: string): string {
  return `${path} is not a SQLite database; Synapse left it untouched. Move it away, or set database_url to another file`;
}
