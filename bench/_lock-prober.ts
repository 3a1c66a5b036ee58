/**
 * A second writer for the bulk benchmark: takes the write lock again and again (SQLite: BEGIN
 * IMMEDIATE; PostgreSQL: the lock cleanup takes, which waits for every writer's transaction) and
 * measures how long each attempt waited, until its stdin closes; then prints one JSON line with
 * the longest wait, a measure of the longest write transaction another process held meanwhile.
 * Usage: bun bench/_lock-prober.ts sqlite:PATH | postgres://…
 */
import { Database } from "bun:sqlite";
import { SQL } from "bun";

const target = process.argv[2]!;
let stop = false;
void Bun.stdin.text().then(() => (stop = true));
const waits: number[] = [];

async function probe(take: () => Promise<void> | void): Promise<void> {
  process.stdout.write("probing\n");
  while (!stop) {
    const started = performance.now();
    await take();
    waits.push(performance.now() - started);
    // Leave the lock to the work being measured most of the time.
    await Bun.sleep(10);
  }
}

if (target.startsWith("sqlite:")) {
  const db = new Database(target.slice("sqlite:".length));
  // Retried here every millisecond: SQLite's own busy handler sleeps up to 100 ms at a time,
  // which would blur the measure.
  db.run("PRAGMA busy_timeout = 0");
  await probe(async () => {
    for (;;) {
      try {
        db.run("BEGIN IMMEDIATE");
        db.run("COMMIT");
        return;
      } catch {
        await Bun.sleep(1);
      }
    }
  });
  db.close();
} else {
  const sql = new SQL(target, { max: 1 });
  await probe(() => sql.begin(async (tx) => void (await tx.unsafe("SELECT pg_advisory_xact_lock(7354105931)"))));
  await sql.close();
}
const sorted = waits.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ probes: sorted.length, longest_wait_ms: Math.round((sorted.at(-1) ?? 0) * 10) / 10, p99_wait_ms: Math.round((sorted[Math.floor(sorted.length * 0.99)] ?? 0) * 10) / 10 })}\n`,
);
