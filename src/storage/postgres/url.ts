/**
 * Showing a PostgreSQL URL: apart from the adapter, so that naming a database never loads it.
 */

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
