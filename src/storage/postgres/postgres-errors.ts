import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { StorageError } from "../errors.ts";
import { errnoCode, isRecord, messageOf } from "../../unknown-values.ts";
import { describeUrl } from "./url.ts";

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

/**
 * Bun.sql reports a host name that does not resolve as a refused connection, which sends people
 * looking for a stopped server. When a connection was "refused", the host name is looked up:
 * one that does not resolve is said as such. Any other error is returned as it was.
 */
export async function explainUnreachable(error: unknown, url: string): Promise<unknown> {
  if (!(error instanceof StorageError) || postgresCode(error.cause) !== "ERR_POSTGRES_CONNECTION_REFUSED") return error;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
  } catch {
    return error;
  }
  if (host === "" || isIP(host) !== 0) return error;
  try {
    await lookup(host);
    return error;
  } catch (cause) {
    const code = errnoCode(cause) ?? "";
    const where = describeUrl(url);
    const cannotResolve = ["ENOTFOUND", "EAI_NONAME", "EAI_NODATA", "ENODATA", "EAI_FAIL"].includes(code)
      ? `the host name "${host}" does not resolve (${code}); check the host in database_url`
      : `the host name "${host}" could not be looked up (${code || messageOf(cause)}); check the network and DNS, and the host in database_url`;
    return new StorageError("database", `cannot reach PostgreSQL at ${where}: ${cannotResolve}`, { cause: error.cause });
  }
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
