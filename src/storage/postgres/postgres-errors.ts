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
  const fail = (message: string) => new StorageError("database", hidePassword(message, url), { cause: error });
  if (code === "ERR_POSTGRES_CONNECTION_REFUSED" || code === "ECONNREFUSED" || code === "ERR_POSTGRES_CONNECTION_CLOSED") {
    return fail(`cannot reach PostgreSQL at ${where} (connection refused); is the server running, and does database_url name it?`);
  }
  if (code === "ERR_POSTGRES_CONNECTION_TIMEOUT" || code === "ETIMEDOUT") {
    return fail(`PostgreSQL at ${where} did not answer in time; check the host and port in database_url`);
  }
  if (code === "28P01" || code === "28000") {
    return fail(`PostgreSQL at ${where} refused the credentials (${messageOf(error)}); check the user and password in database_url`);
  }
  if (code === "3D000") return fail(`${messageOf(error)} at ${where}; create it first (createdb), or point database_url at one that exists`);
  if (code.startsWith("ERR_POSTGRES_TLS") || /tls|ssl/i.test(messageOf(error))) {
    return fail(`TLS with PostgreSQL at ${where} failed (${messageOf(error)}); check sslmode in database_url`);
  }
  return fail(`database error while ${doing} (${where}): ${messageOf(error)}`);
}

function hidePassword(message: string, url: string): string {
  let password = "";
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // no password to hide
  }
  return password.length > 0 ? message.split(password).join("***") : message;
}
