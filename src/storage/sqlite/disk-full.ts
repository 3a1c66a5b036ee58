import type { Database } from "bun:sqlite";
import { checkpointWal } from "./bootstrap.ts";
import { sqliteCode } from "./sqlite-errors.ts";

/**
 * Runs a write, and once more if it failed for want of space after emptying the WAL: the WAL
 * keeps every commit since the last checkpoint, and a checkpoint moves them into the database
 * file, where they mostly fill pages that deleted sessions left free. So on a nearly full disk a
 * reply that reached the screen still finds room, and `sessions delete` makes room that lasts.
 * A failed write was rolled back whole, so running it again cannot store anything twice.
 */
export function retryWhenFull<T>(db: Database, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (sqliteCode(error) !== "SQLITE_FULL" || db.inTransaction) throw error;
    try {
      checkpointWal(db);
    } catch {
      throw error;
    }
    return work();
  }
}
