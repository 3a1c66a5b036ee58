import { StorageError } from "../errors.ts";
import { errnoCode, isRecord, messageOf } from "../../unknown-values.ts";

/** `postgres://user@host:5432/db`: a database URL as it may be shown, never with its password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : "";
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return "the PostgreSQL database_url";
  }
}

/** The SQLSTATE of a server error (`23505`), or Bun's code for a client one (`ERR_POSTGRES_…`). */
export function postgresCode(error: unknown): string {
  if (isRecord(error) && typeof error.errno === "string") return error.errno;
  return errnoCode(error) ?? "";
}

/**
 * Turns a PostgreSQL failure into a StorageError that says what happened where and what to do,
 * without the password: the URL is described, and any echo of the password is blanked.
 */
export function storageErrorFromPostgres(error: unknown, url: string, doing: string): StorageError {
  if (error instanceof StorageError) return error;
  const where = describeUrl(url);
  const code = postgresCode(error);
  // Only the server's own words can echo a password; the described URL never holds one.
  const said = hidePassword(messageOf(error), url);
  const fail = (message: string) => new StorageError("database", message, { cause: error });
  if (code === "ERR_POSTGRES_CONNECTION_REFUSED" || code === "ECONNREFUSED") {
    return fail(`cannot reach PostgreSQL at ${where} (connection refused); is the server running, and does database_url name it?`);
  }
  if (code === "ERR_POSTGRES_CONNECTION_TIMEOUT" || code === "ETIMEDOUT" || code === "ERR_POSTGRES_CONNECTION_FAILED" || code === "ERR_POSTGRES_CONNECTION_CLOSED") {
    return fail(`cannot connect to PostgreSQL at ${where} (${said}); check the host and port in database_url, and the network`);
  }
  if (code === "28P01" || code === "28000") {
    return fail(`PostgreSQL at ${where} refused the credentials (${said}); check the user and password in database_url`);
  }
  if (code === "55P03") return fail(`the session database ${where} stayed locked by another process while ${doing}; try again`);
  if (code === "3D000") return fail(`${said} at ${where}; create it first (createdb), or point database_url at one that exists`);
  if (code.startsWith("ERR_POSTGRES_TLS") || /\b(tls|ssl)\b/i.test(said)) {
    return fail(`TLS with PostgreSQL at ${where} failed (${said}); check sslmode in database_url`);
  }
  return fail(`database error while ${doing} (${where}): ${said}`);
}

function hidePassword(message: string, url: string): string {
  let password = "";
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // no password to hide
  }
  // A very short password would blank out ordinary words; real ones are longer.
  return password.length >= 4 ? message.split(password).join("***") : message;
}
