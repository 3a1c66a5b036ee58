/**
 * The schema migrations, embedded in the program so a `bun build --compile` binary carries
 * them. Every file in schema/ is listed here in name order (a test checks the two agree).
 */
import initial from "../../../schema/20250125_001_initial.sql" with { type: "text" };
import messageOrder from "../../../schema/20261124_002_message_order_and_summaries.sql" with { type: "text" };
import interruptedReplies from "../../../schema/20261124_003_interrupted_replies.sql" with { type: "text" };
import searchTitlesUsage from "../../../schema/20261124_004_search_titles_usage.sql" with { type: "text" };

export interface Migration {
  /** The sortable prefix of the file name, e.g. `20250125_001`. */
  version: string;
  file: string;
  sql: string;
  /** SHA-256 of the SQL with line endings normalised, so a checkout with CRLF matches. */
  checksum: string;
}

function migration(file: string, sql: string): Migration {
  const version = /^(\d{8}_\d{3})_/.exec(file)?.[1];
  if (version === undefined) throw new Error(`migration file name ${file} must start with YYYYMMDD_NNN_`);
  const normalised = sql.replace(/\r\n?/g, "\n");
  const checksum = new Bun.CryptoHasher("sha256").update(normalised).digest("hex");
  return { version, file, sql: normalised, checksum };
}

export const migrations: readonly Migration[] = [
  migration("20250125_001_initial.sql", initial),
  migration("20261124_002_message_order_and_summaries.sql", messageOrder),
  migration("20261124_003_interrupted_replies.sql", interruptedReplies),
  migration("20261124_004_search_titles_usage.sql", searchTitlesUsage),
];
