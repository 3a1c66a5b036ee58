/**
 * What checking a database for corruption costs, which decided what Synapse checks at open:
 * `PRAGMA quick_check` (every page's structure) and `PRAGMA integrity_check` (that, and every
 * index against its table) on the big database (bench/_big-database.ts, about 1 GB) and on a
 * small one cut from it (what most people have), and what `PRAGMA cell_size_check` (each page's
 * cells checked as it is read) adds to reading the 10,000-message session. All with the files in
 * the page cache, the cheapest a check gets.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as messagesDb from "../src/storage/sqlite/generated/messages.ts";
import { openDatabase, wholeCheckMaxBytes } from "../src/storage/sqlite/bootstrap.ts";
import { ensureBigDatabase, longSessionId } from "./_big-database.ts";
import { median, report, timeRuns } from "./_report.ts";

const mib = 1024 * 1024;

/** The first `sessions` sessions of the big database, with their messages, in a new file. */
function cutSmallDatabase(big: string, dir: string, sessions: number): string {
  const path = join(dir, "small.db");
  const db = openDatabase(path);
  db.run("ATTACH DATABASE ? AS big", [big]);
  db.transaction(() => {
    db.run(`INSERT INTO main.sessions SELECT * FROM big.sessions WHERE id <> ? ORDER BY id LIMIT ${sessions}`, [longSessionId]);
    db.run("INSERT INTO main.messages SELECT * FROM big.messages WHERE session_id IN (SELECT id FROM main.sessions) ORDER BY seq");
  })();
  db.run("DETACH DATABASE big");
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return path;
}

function pragmaCheck(path: string, pragma: string): () => void {
  return () => {
    const db = new Database(path, { readonly: true });
    try {
      const first = db.query<Record<string, string>, []>(`PRAGMA ${pragma}`).values()[0]?.[0];
      if (first !== "ok") throw new Error(`${pragma} found a problem in ${path}: ${first}`);
    } finally {
      db.close();
    }
  };
}

export default async function bench(): Promise<void> {
  const big = ensureBigDatabase();
  const dir = mkdtempSync(join(tmpdir(), "synapse-bench-check-"));
  try {
    const small = cutSmallDatabase(big, dir, 60);
    for (const [size, path] of [["small", small], ["big", big]] as const) {
      const bytes = statSync(path).size;
      const detail = { database: size, mib: Math.round((bytes / mib) * 10) / 10, page_cache: "warm" };
      const open = median(await timeRuns(5, () => openDatabase(path).close(), 1));
      report({ name: `open_${size}`, median_ms: open, runs: 5, checked_whole: bytes <= wholeCheckMaxBytes, ...detail });
      const runs = size === "big" ? 2 : 10;
      for (const pragma of ["quick_check", "integrity_check"]) {
        const ms = median(await timeRuns(runs, pragmaCheck(path, pragma), 1));
        report({ name: `${pragma}_${size}`, median_ms: ms, ms_per_mib: Math.round((ms / (bytes / mib)) * 100) / 100, runs, ...detail });
      }
    }
    const db = new Database(big, { readonly: true });
    for (const setting of ["OFF", "ON"]) {
      db.run(`PRAGMA cell_size_check = ${setting}`);
      const ms = median(await timeRuns(10, () => messagesDb.getMessages(db, { sessionId: longSessionId })));
      report({ name: `read_long_session_cell_size_check_${setting.toLowerCase()}`, median_ms: ms, messages: 10_000, runs: 10 });
    }
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await bench();
