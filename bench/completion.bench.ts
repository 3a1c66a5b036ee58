/**
 * What a Tab costs: the compiled binary's `__complete` (spawn to exit, median of repeated runs)
 * on the 10,000-session database, each figure beside a compiled Bun hello-world timed in the
 * same run (`hello_world_ms`, `ratio`), as in cli.bench.ts. Sessions with nothing typed (the 50
 * most recent), with the start of an id (every session whose id starts so, among all 10,000),
 * with the start of a title (among the 1,000 most recent), providers, printing the bash script,
 * and `sessions list` beside them for scale.
 *
 * Every command runs on a scratch copy of the big database (bench/_big-database.ts), never on
 * the cached file itself: opening it migrates it when its schema is older. `SYNAPSE_BENCH_BINARY=path`
 * times a binary built elsewhere instead.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinaries } from "./_binaries.ts";
import { ensureBigDatabase, sessionCount } from "./_big-database.ts";
import { median, report } from "./_report.ts";

const runs = 30;

/** Spawn-to-exit time of one run, and its stdout; fails loudly if the command does not succeed. */
function runOnce(command: string[], env: Record<string, string>): { ms: number; stdout: string } {
  const start = Bun.nanoseconds();
  const result = Bun.spawnSync(command, { env, stdout: "pipe", stderr: "pipe" });
  const ms = (Bun.nanoseconds() - start) / 1e6;
  if (result.exitCode !== 0) throw new Error(`${command.join(" ")} failed: ${result.stderr}`);
  return { ms, stdout: result.stdout.toString() };
}

/** The command and the hello-world, alternated run by run after two unmeasured runs of each, so both see the same machine. */
function timeAgainstHello(name: string, command: string[], env: Record<string, string>, hello: string): void {
  const own: number[] = [];
  const reference: number[] = [];
  let lines = 0;
  for (let i = 0; i < runs + 2; i++) {
    const a = runOnce(command, env);
    const b = runOnce([hello], env).ms;
    lines = a.stdout.split("\n").length - 1;
    if (i >= 2) {
      own.push(a.ms);
      reference.push(b);
    }
  }
  const ms = median(own);
  const helloMs = median(reference);
  report({ name, median_ms: ms, hello_world_ms: helloMs, ratio: Math.round((ms / helloMs) * 100) / 100, runs, lines, sessions: sessionCount });
}

export default async function (): Promise<void> {
  const { binary, hello } = compiledBinaries("synapse-completion");

  const scratch = mkdtempSync(join(tmpdir(), "synapse-bench-"));
  const database = join(scratch, "sessions.db");
  copyFileSync(ensureBigDatabase(), database);
  const home = join(scratch, "home");
  const env = { PATH: "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: join(home, "config"), NO_COLOR: "1" };
  mkdirSync(join(home, "config", "synapse"), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, "config", "synapse", "config.toml"), `[session]\ndatabase_url = "sqlite:${database}"\n`);

  try {
    // Sessions 4,992 to 5,007: ids 00000001-0000-4000-8000-000000001380 to …138f.
    const idStart = "00000001-0000-4000-8000-00000000138";
    timeAgainstHello("completion_sessions_nothing_typed", [binary, "__complete", "sessions", "--", ""], env, hello);
    timeAgainstHello("completion_sessions_id_start", [binary, "__complete", "sessions", "--", idStart], env, hello);
    timeAgainstHello("completion_sessions_title_start", [binary, "__complete", "sessions", "--", "Project 99"], env, hello);
    timeAgainstHello("completion_providers", [binary, "__complete", "providers", "--", ""], env, hello);
    timeAgainstHello("completion_script_bash", [binary, "completion", "bash"], env, hello);
    timeAgainstHello("completion_reference_sessions_list", [binary, "sessions", "list"], env, hello);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
