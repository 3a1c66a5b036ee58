import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readlinkSync, readSync, statSync, type Stats } from "node:fs";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import { log } from "../../log.ts";
import { StorageError } from "../errors.ts";
import { errnoCode, messageOf } from "../../unknown-values.ts";
import { diskFullError, notSqliteMessage } from "./sqlite-errors.ts";

const sqliteHeader = "SQLite format 3\0";
const warned = new Set<string>();

/**
 * Makes the database's folder (0700) and an empty database file (0600) when they are missing,
 * so conversations are never readable by other users, even for an instant. SQLite gives the
 * `-wal` and `-shm` files the database file's mode. An existing file must look like SQLite:
 * anything else is refused before SQLite opens it, so it is left byte for byte as it was.
 * Call {@link warnIfExposed} once the file is known to be Synapse's. Returns the file's size
 * before SQLite opens it (0 for a new one).
 */
export function prepareDatabaseFile(path: string): number {
  // Nearly every open finds the file there: one stat, and no create that fails.
  const existing = statIfFile(path);
  if (existing !== undefined) return assertLooksLikeSqlite(path, existing).size;
  const dir = dirname(path);
  if (!existsSync(dir)) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    } catch (cause) {
      if (errnoCode(cause) === "ENOSPC") throw diskFullError(path, `creating the folder ${dir}`, cause);
      throw folderError(path, dir, cause);
    }
  }
  try {
    closeSync(openSync(path, "wx", 0o600));
    return 0;
  } catch (cause) {
    if (errnoCode(cause) === "ENOSPC") throw diskFullError(path, "creating the database", cause);
    if (errnoCode(cause) !== "EEXIST") {
      throw unreachable(path, cause) ?? new StorageError("database", `cannot create the session database ${path}: ${messageOf(cause)}`, { cause });
    }
  }
  return assertLooksLikeSqlite(path).size;
}

/** The file's stat when `path` is a regular file; undefined for anything else, or on any error. */
function statIfFile(path: string): Stats | undefined {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat?.isFile() ? stat : undefined;
  } catch {
    return undefined;
  }
}

/** Warns, once per path, when other users may read the database or list its folder. */
export function warnIfExposed(path: string): void {
  warnOnce(dirname(path), "folder", "700");
  warnOnce(path, "file", "600");
}

/** The file's stat, once it is known to be a regular file that is empty or starts as SQLite does. */
function assertLooksLikeSqlite(path: string, known?: Stats): Stats {
  let stat: Stats | undefined = known;
  if (stat === undefined) {
    try {
      stat = statSync(path, { throwIfNoEntry: false });
    } catch (cause) {
      throw unreachable(path, cause) ?? new StorageError("database", `cannot read the session database ${path}: ${messageOf(cause)}`, { cause });
    }
  }
  if (stat === undefined) {
    // The name exists (creating it failed) but leads nowhere: a symbolic link to nothing.
    const target = symlinkTarget(path);
    throw new StorageError(
      "database",
      target === null
        ? `the session database ${path} cannot be found, though its name exists; check the path`
        : `the session database ${path} is a symbolic link to ${target}, which does not exist (is its disk mounted?); restore it, fix or remove the link, or set database_url to another file`,
    );
  }
  if (stat.isDirectory()) {
    throw new StorageError("database", `${path} is a folder; database_url must name a file, such as ${path.replace(/\/+$/, "")}/sessions.db`);
  }
  if (!stat.isFile()) {
    // /dev/null, a pipe or a socket: SQLite would "open" /dev/null and lose everything.
    throw new StorageError(
      "database",
      `${path} is not a regular file (a device, pipe or socket), so it cannot hold sessions; set database_url to a file such as ~/.config/synapse/sessions.db`,
    );
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
    if (read === 0) return stat;
    if (read < header.length || header.toString("latin1") !== sqliteHeader) {
      throw new StorageError("database", notSqliteMessage(path));
    }
  } finally {
    closeSync(fd);
  }
  return stat;
}

/**
 * Why the database's folder could not be made. `existsSync` is false for a symbolic link to
 * nothing (a folder on a disk that is not mounted) or in a loop, so mkdir is tried and fails
 * with EEXIST: the first name up the path that exists tells which, and where a link leads.
 */
function folderError(path: string, dir: string, cause: unknown): StorageError {
  return (
    brokenLinkAbove(path, dir) ??
    unreachable(path, cause) ??
    new StorageError("database", `cannot create the folder ${dir} for the session database: ${messageOf(cause)}`, { cause })
  );
}

/** The failures a path itself causes (a link loop, a file used as a folder, no permission), said as such. */
function unreachable(path: string, cause: unknown): StorageError | null {
  const say = (message: string) => new StorageError("database", message, { cause });
  switch (errnoCode(cause)) {
    case "ELOOP":
      return say(
        `the session database path ${path} goes through a loop of symbolic links (links that lead to each other); fix or remove the links, or set database_url to another file`,
      );
    case "ENOTDIR":
      return say(`the session database path ${path} goes through a file as if it were a folder; move that file away, or set database_url to a file in a folder`);
    case "EACCES":
    case "EPERM":
      return say(
        `permission denied on the session database path ${path}; check the permissions of its folders (chmod, ownership), or set database_url to a file in a folder you can write`,
      );
    default:
      return null;
  }
}

/** The first name up from `dir` that exists, when it is a symbolic link to nothing or in a loop. */
function brokenLinkAbove(path: string, dir: string): StorageError | null {
  let current = resolve(dir);
  for (;;) {
    let exists: boolean;
    try {
      exists = lstatSync(current, { throwIfNoEntry: false }) !== undefined;
    } catch {
      return null;
    }
    if (exists) {
      try {
        if (statSync(current, { throwIfNoEntry: false }) !== undefined) return null;
      } catch (cause) {
        return unreachable(path, cause);
      }
      const target = symlinkTarget(current);
      return target === null
        ? null
        : new StorageError(
            "database",
            `the session database folder ${current} is a symbolic link to ${target}, which does not exist (is its disk mounted?); restore it, fix or remove the link, or set database_url to another file`,
          );
    }
    const parent = dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

function symlinkTarget(path: string): string | null {
  try {
    if (!lstatSync(path).isSymbolicLink()) return null;
    return resolve(dirname(path), readlinkSync(path));
  } catch {
    return null;
  }
}

function warnOnce(path: string, what: "file" | "folder", mode: string): void {
  if (warned.has(path)) return;
  const stat = statSync(path);
  if ((stat.mode & 0o077) === 0) return;
  // A sticky shared folder such as /tmp is meant to be listed by all; the file's mode guards it.
  if (what === "folder" && (stat.mode & 0o1000) !== 0) return;
  // Nor is a system folder (/etc, /srv…) or a home folder Synapse's to lock: `chmod 700` on one
  // would break other programs or users. The file's own mode guards the sessions there.
  if (what === "folder" && isSharedFolder(path, stat.uid)) return;
  warned.add(path);
  const current = (stat.mode & 0o777).toString(8).padStart(3, "0");
  log.warn(`the session database ${what} ${path} is accessible to other users (mode ${current}); run: chmod ${mode} ${path}`);
}

/** A folder whose mode is not the database's business: top-level, someone else's, or the home folder. */
function isSharedFolder(dir: string, owner: number): boolean {
  const folder = resolve(dir);
  if (dirname(folder) === "/" || folder === "/") return true;
  if (process.getuid !== undefined && owner !== process.getuid()) return true;
  return folder === resolve(homedir()) || folder === resolve(process.env.HOME ?? homedir());
}
