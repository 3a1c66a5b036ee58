import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { log } from "../../log.ts";
import { StorageError } from "../errors.ts";
import { errnoCode, messageOf } from "../../unknown-values.ts";
import { notSqliteMessage } from "./sqlite-errors.ts";

const sqliteHeader = "SQLite format 3\0";
const warned = new Set<string>();

/**
 * Makes the database's folder (0700) and an empty database file (0600) when they are missing,
 * so conversations are never readable by other users, even for an instant. SQLite gives the
 * `-wal` and `-shm` files the database file's mode. An existing file must look like SQLite:
 * anything else is refused before SQLite opens it, so it is left byte for byte as it was.
 * Call {@link warnIfExposed} once the file is known to be Synapse's.
 */
export function prepareDatabaseFile(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    } catch (cause) {
      throw new StorageError("database", `cannot create the folder ${dir} for the session database: ${messageOf(cause)}`, { cause });
    }
  }
  try {
    closeSync(openSync(path, "wx", 0o600));
    return;
  } catch (cause) {
    if (errnoCode(cause) !== "EEXIST") {
      throw new StorageError("database", `cannot create the session database ${path}: ${messageOf(cause)}`, { cause });
    }
  }
  assertLooksLikeSqlite(path);
}

/** Warns, once per path, when other users may read the database or list its folder. */
export function warnIfExposed(path: string): void {
  warnOnce(dirname(path), "folder", "700");
  warnOnce(path, "file", "600");
}

function assertLooksLikeSqlite(path: string): void {
  if (statSync(path).isDirectory()) {
    throw new StorageError("database", `${path} is a folder; database_url must name a file, such as ${path.replace(/\/+$/, "")}/sessions.db`);
  }
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (cause) {
    throw new StorageError("database", `cannot read the session database ${path}: ${messageOf(cause)}`, { cause });
  }
  try {
    const header = Buffer.alloc(sqliteHeader.length);
    const read = readSync(fd, header, 0, header.length, 0);
    // An empty file is a database with nothing in it yet, as SQLite itself treats it.
    if (read === 0) return;
    if (read < header.length || header.toString("latin1") !== sqliteHeader) {
      throw new StorageError("database", notSqliteMessage(path));
    }
  } finally {
    closeSync(fd);
  }
}

function warnOnce(path: string, what: "file" | "folder", mode: string): void {
  if (warned.has(path)) return;
  const stat = statSync(path);
  // A sticky shared folder such as /tmp is meant to be listed by all; the file's mode guards it.
  if (what === "folder" && (stat.mode & 0o1000) !== 0) return;
  if ((stat.mode & 0o077) === 0) return;
  warned.add(path);
  const current = (stat.mode & 0o777).toString(8).padStart(3, "0");
  log.warn(`the session database ${what} ${path} is accessible to other users (mode ${current}); run: chmod ${mode} ${path}`);
}
