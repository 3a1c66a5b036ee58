import { realpathSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { configDir, expandHome } from "../paths.ts";
import { StorageError } from "./errors.ts";
import type { OpenOptions, SessionStore } from "./session-store.ts";
import { describeUrl } from "./postgres/url.ts";
import { memoryPath } from "./sqlite/bootstrap.ts";
import { SqliteStore } from "./sqlite/sqlite-store.ts";

const supported = "sqlite:PATH, sqlite://PATH, sqlite::memory: or postgres://USER:PASSWORD@HOST:PORT/DATABASE";

/** Where the sessions live when nothing is configured: `<config dir>/sessions.db`. */
export function defaultDatabaseUrl(env: Record<string, string | undefined> = process.env): string {
  return `sqlite:${join(configDir(env), "sessions.db")}`;
}

/**
 * The SQLite file a database URL names, or `:memory:`. A leading `~` is the home folder; a
 * relative path is taken from the current folder. Throws `invalid_data` for any other scheme,
 * naming only the scheme, since a URL can carry a password.
 */
export function sqlitePathOf(databaseUrl: string, env: Record<string, string | undefined> = process.env): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(databaseUrl);
  const scheme = match?.[1]?.toLowerCase();
  if (scheme !== "sqlite") {
    if (scheme === "postgres" || scheme === "postgresql") {
      throw StorageError.invalidData("a PostgreSQL URL names no SQLite file");
    }
    const what = scheme === undefined ? "a database URL without a scheme" : `the database URL scheme "${scheme}:"`;
    throw StorageError.invalidData(`${what} is not supported; use ${supported}`);
  }
  let path = databaseUrl.slice("sqlite:".length);
  if (path.startsWith("//")) path = path.slice(2);
  if (path === memoryPath) return memoryPath;
  if (path === "" || path.includes("?")) {
    throw StorageError.invalidData(`the database URL needs a file path and no query parameters; use ${supported}`);
  }
  path = expandHome(path, env);
  return isAbsolute(path) ? path : resolve(path);
}

/**
 * Opens the session store a database URL names: a SQLite file (by default `sessions.db` under
 * the config folder, created private to the user) or a PostgreSQL database. Either way the
 * schema is migrated to this version of Synapse.
 *
 * @example
 * const store = await createStorage("sqlite:~/notes/sessions.db");
 */
export async function createStorage(databaseUrl?: string, options: OpenOptions = {}): Promise<SessionStore> {
  const url = databaseUrl || defaultDatabaseUrl();
  if (isPostgresUrl(url)) {
    // Loaded only when asked for: the SQLite path never pays for the PostgreSQL adapter.
    const { PostgresStore } = await import("./postgres/postgres-store.ts");
    const { explainUnreachable } = await import("./postgres/postgres-errors.ts");
    try {
      return await PostgresStore.open(url, options);
    } catch (error) {
      throw await explainUnreachable(error, url);
    }
  }
  return SqliteStore.open(sqlitePathOf(url), options);
}

/**
 * What a database URL points at, the same for every spelling of it (`postgres://` and
 * `postgresql://`, `~` and the home folder, the default port): to tell when two URLs are one.
 */
export function databaseIdentity(databaseUrl: string): string {
  if (isPostgresUrl(databaseUrl)) {
    const url = new URL(databaseUrl.replace(/^postgresql:/i, "postgres:"));
    return `postgres://${url.hostname.toLowerCase()}:${url.port || "5432"}${url.pathname}`;
  }
  const path = sqlitePathOf(databaseUrl);
  try {
    return `sqlite:${realpathSync(path)}`;
  } catch {
    return `sqlite:${path}`;
  }
}

/** A database URL as it may be shown: a SQLite one as it is, a PostgreSQL one without its password. */
export function describeDatabase(databaseUrl: string): string {
  return isPostgresUrl(databaseUrl) ? describeUrl(databaseUrl) : databaseUrl;
}

/** `postgres://…` or `postgresql://…`, in any case. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}
