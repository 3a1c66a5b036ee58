/**
 * Memory and size: the compiled binary's peak RSS running `sessions show` of a 1,000- and the
 * 10,000-message session (flat when it streams), beside `--version` as the floor measured in the
 * same run; and the bench database's bytes on disk per byte of message text stored.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { cacheDir, ensureBigDatabase, longSessionId } from "./_big-database.ts";
import { median, report } from "./_report.ts";

const root = join(import.meta.dir, "..");
const binary = join(cacheDir, "synapse-memory");
const runs = 5;

/** Median wall time and peak RSS (bytes) of `binary args`, whose stdout is read through a pipe. */
function peak(args: string[], env: Record<string, string>): { ms: number; rss: number; bytes: number } {
  const times: number[] = [];
  const peaks: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs + 1; i++) {
    const start = Bun.nanoseconds();
    const result = Bun.spawnSync([binary, ...args], { env, stdout: "pipe", stderr: "pipe" });
    if (result.exitCode !== 0) throw new Error(`synapse ${args.join(" ")} failed: ${result.stderr}`);
    if (i === 0) continue;
    times.push((Bun.nanoseconds() - start) / 1e6);
    peaks.push(result.resourceUsage.maxRSS);
    bytes = result.stdout.length;
  }
  return { ms: median(times), rss: median(peaks), bytes };
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** A scratch database holding the first `count` messages of the long session, as a session of its own. */
async function shorterSession(from: string, dir: string, count: number): Promise<{ path: string; id: string }> {
  const source = SqliteStore.open(from);
  const session = (await source.getSession(longSessionId))!;
  const messages = (await source.getMessages(longSessionId)).slice(0, count);
  await source.close();
  const path = join(dir, `show-${count}.db`);
  const scratch = SqliteStore.open(path);
  await scratch.importSession({ ...session, updatedAt: messages.at(-1)!.timestamp }, messages);
  await scratch.close();
  return { path, id: session.id };
}

export default async function (): Promise<void> {
  const built = Bun.spawnSync([process.execPath, join(root, "scripts/build.ts"), binary], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (built.exitCode !== 0) throw new Error(`bun build failed: ${built.stderr}`);
  const database = ensureBigDatabase();
  const dir = mkdtempSync(join(tmpdir(), "synapse-bench-memory-"));
  const env = { PATH: "/usr/bin:/bin", HOME: dir, XDG_CONFIG_HOME: join(dir, "config"), NO_COLOR: "1" };

  const floor = peak(["--version"], env);
  report({ name: "cli_version_peak_rss", median_ms: floor.ms, peak_rss_mb: mb(floor.rss), runs });
  const thousand = await shorterSession(database, dir, 1000);
  for (const [count, path] of [
    [1000, thousand.path],
    [10_000, database],
  ] as const) {
    for (const json of [false, true]) {
      const shown = peak(["sessions", "show", longSessionId, ...(json ? ["--json"] : [])], { ...env, SYNAPSE_DATABASE_URL: `sqlite:${path}` });
      report({
        name: `cli_sessions_show_${count}${json ? "_json" : ""}_peak_rss`,
        median_ms: shown.ms,
        peak_rss_mb: mb(shown.rss),
        above_version_mb: mb(shown.rss - floor.rss),
        runs,
        messages: count,
        stdout_bytes: shown.bytes,
      });
    }
  }
  rmSync(dir, { recursive: true, force: true });

  // Read only: the WAL is counted as it is (the cached database is never checkpointed from here).
  const size = (suffix: string) => statSync(`${database}${suffix}`, { throwIfNoEntry: false })?.size ?? 0;
  const db = new Database(database, { readonly: true });
  const started = Bun.nanoseconds();
  const text = db.query("SELECT sum(length(CAST(content AS BLOB))) AS bytes, count(*) AS messages FROM messages").get() as { bytes: number; messages: number };
  const ms = (Bun.nanoseconds() - started) / 1e6;
  db.close();
  const onDisk = size("") + size("-wal");
  report({
    name: "store_bytes_per_message_byte",
    median_ms: Math.round(ms * 1000) / 1000,
    bytes_per_message_byte: Math.round((onDisk / text.bytes) * 100) / 100,
    file_bytes: size(""),
    wal_bytes: size("-wal"),
    message_bytes: text.bytes,
    messages: text.messages,
  });
}
