import { sha256Of } from "../sha256.ts";
import { StorageError } from "./errors.ts";

/** A schema migration as both runners (SQLite, PostgreSQL) apply and record it. */
export interface Migration {
  /** The sortable prefix of the file name, e.g. `20250125_001`. */
  version: string;
  file: string;
  sql: string;
  /** SHA-256 of the SQL with line endings normalised, so a checkout with CRLF matches. */
  checksum: string;
}

export function migration(file: string, sql: string): Migration {
  const version = /^(\d{8}_\d{3})_/.exec(file)?.[1];
  if (version === undefined) throw new Error(`migration file name ${file} must start with YYYYMMDD_NNN_`);
  const normalised = sql.replace(/\r\n?/g, "\n");
  const checksum = sha256Of(normalised);
  return { version, file, sql: normalised, checksum };
}

/**
 * Refuses a database that records a migration this build does not know (a newer Synapse wrote
 * it) or one whose file has changed since it was applied. `applied` maps versions to checksums.
 */
export function checkApplied(applied: Map<string, string>, migrations: readonly Migration[], path: string): void {
  const known = new Map(migrations.map((m) => [m.version, m]));
  const unknown = [...applied.keys()].filter((v) => !known.has(v)).sort();
  if (unknown.length > 0) {
    throw new StorageError(
      "migration",
      `the session database ${path} was written by a newer Synapse (schema ${unknown.at(-1)}); it was left untouched; upgrade Synapse, or point database_url elsewhere`,
    );
  }
  for (const [version, checksum] of applied) {
    const migration = known.get(version)!;
    if (migration.checksum !== checksum) {
      throw new StorageError(
        "migration",
        `migration ${migration.file} differs from the one applied to ${path}; applied migrations must never be edited, so restore the file and add a new migration instead`,
      );
    }
  }
}
