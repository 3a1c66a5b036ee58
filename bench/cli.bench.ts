/**
 * The compiled synapse binary, whole process (spawn to exit), median of repeated runs, each
 * figure beside a compiled Bun hello-world built with the same flags and timed in the same run
 * (`hello_world_ms`, `ratio`), so the ratio holds on a noisy machine: --version, --help,
 * `sessions show` of a 100-message session, `sessions list` (the default 20 of 10,000), and a
 * follow-up exchange against a local server speaking Anthropic's streaming format.
 *
 * Every command runs on a scratch copy of the big database (bench/_big-database.ts), never on
 * the cached file itself: the follow-up writes, and even a read opens it read-write.
 * `SYNAPSE_BENCH_BINARY=path` times a binary built elsewhere (an older commit) instead.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinaries } from "./_binaries.ts";
import { ensureBigDatabase, sessionCount, typicalSessionId } from "./_big-database.ts";
import { median, report } from "./_report.ts";

const runs = 30;
/** Session 5001 of the big database: 100 messages, provider anthropic (what the local server speaks). */
const followUpSessionId = "00000001-0000-4000-8000-000000001389";

/** Spawn-to-exit time of one run; fails loudly if the command does not succeed. */
function timeOnce(command: string[], env: Record<string, string>): number {
  const start = Bun.nanoseconds();
  const result = Bun.spawnSync(command, { env, stdout: "pipe", stderr: "pipe" });
  const ms = (Bun.nanoseconds() - start) / 1e6;
  if (result.exitCode !== 0) throw new Error(`${command.join(" ")} failed: ${result.stderr}`);
  return ms;
}

/**
 * The command and the hello-world, alternated run by run after two unmeasured runs of each, so
 * both see the same machine.
 */
function timeAgainstHello(command: string[], env: Record<string, string>, hello: string): { ms: number; hello: number } {
  const own: number[] = [];
  const reference: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const a = timeOnce(command, env);
    const b = timeOnce([hello], env);
    if (i >= 2) {
      own.push(a);
      reference.push(b);
    }
  }
  return { ms: median(own), hello: median(reference) };
}

function reportRatio(name: string, figures: { ms: number; hello: number }, details: Record<string, unknown> = {}): void {
  const ratio = Math.round((figures.ms / figures.hello) * 100) / 100;
  report({ name, median_ms: figures.ms, hello_world_ms: figures.hello, ratio, runs, ...details });
}

function anthropicStream(words: number): string {
  const event = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  let body = event("message_start", { type: "message_start", message: { id: "m", type: "message", role: "assistant", content: [], model: "bench", usage: { input_tokens: 10, output_tokens: 1 } } });
  body += event("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
  for (let i = 0; i < words; i++) body += event("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: `word${i} ` } });
  body += event("content_block_stop", { type: "content_block_stop", index: 0 });
  body += event("message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: words } });
  return body + event("message_stop", { type: "message_stop" });
}

export default async function (): Promise<void> {
  const { binary, hello } = compiledBinaries("synapse");

  const scratch = mkdtempSync(join(tmpdir(), "synapse-bench-"));
  const database = join(scratch, "sessions.db");
  copyFileSync(ensureBigDatabase(), database);
  const home = join(scratch, "home");
  const env = { PATH: "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: join(home, "config"), NO_COLOR: "1" };
  // Every session kept: the bench database's sessions are older than the default 90 days and
  // far more than the default 100, and the follow-up's automatic cleanup must not delete them.
  mkdirSync(join(home, "config", "synapse"), { recursive: true });
  writeFileSync(join(home, "config", "synapse", "config.toml"), `[session]\nmax_sessions = 0\nretention_days = 0\ndatabase_url = "sqlite:${database}"\n`);

  try {
    reportRatio("cli_version", timeAgainstHello([binary, "--version"], env, hello));
    reportRatio("cli_help", timeAgainstHello([binary, "--help"], env, hello));
    reportRatio("cli_sessions_show_100", timeAgainstHello([binary, "sessions", "show", typicalSessionId], env, hello), { messages: 100 });
    reportRatio("cli_sessions_list", timeAgainstHello([binary, "sessions", "list"], env, hello), { shown: 20, sessions: sessionCount });

    const stream = anthropicStream(200);
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response(stream, { headers: { "content-type": "text/event-stream" } }),
    });
    const chatEnv = { ...env, ANTHROPIC_BASE_URL: `http://127.0.0.1:${server.port}`, ANTHROPIC_API_KEY: "bench-key-0123456789" };
    // Spawned without waiting synchronously, so the server in this process can answer.
    const exchange = async (): Promise<number> => {
      const start = Bun.nanoseconds();
      const child = Bun.spawn([binary, "-s", followUpSessionId, "Benchmark question"], { env: chatEnv, stdout: "pipe", stderr: "pipe" });
      await new Response(child.stdout).arrayBuffer();
      if ((await child.exited) !== 0) throw new Error(`exchange failed: ${await new Response(child.stderr).text()}`);
      return (Bun.nanoseconds() - start) / 1e6;
    };
    const own: number[] = [];
    const reference: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      const a = await exchange();
      const b = timeOnce([hello], env);
      if (i >= 2) {
        own.push(a);
        reference.push(b);
      }
    }
    await server.stop(true);
    reportRatio("cli_followup_exchange", { ms: median(own), hello: median(reference) }, { reply_words: 200, sessions: sessionCount });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
