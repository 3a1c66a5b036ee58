/**
 * The compiled synapse binary, whole process (spawn to exit), median of repeated runs:
 * --version, `sessions list` on the big database, `sessions show` of its 10,000-message session,
 * and one exchange against a local server speaking Anthropic's streaming format.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheDir, ensureBigDatabase, longSessionId, longSessionMessages, sessionCount } from "./_big-database.ts";
import { median, report } from "./_report.ts";

const root = join(import.meta.dir, "..");
const binary = join(cacheDir, "synapse");

function build(): void {
  const result = Bun.spawnSync([process.execPath, join(root, "scripts/build.ts"), binary], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`bun build failed: ${result.stderr}`);
}

/** Spawn-to-exit times of `synapse …`; fails loudly if the command does not succeed. */
function timeProcess(args: string[], env: Record<string, string>, runs: number): { times: number[]; bytes: number } {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs + 2; i++) {
    const start = Bun.nanoseconds();
    const result = Bun.spawnSync([binary, ...args], { env, stdout: "pipe", stderr: "pipe" });
    const ms = (Bun.nanoseconds() - start) / 1e6;
    if (result.exitCode !== 0) throw new Error(`synapse ${args.join(" ")} failed: ${result.stderr}`);
    bytes = result.stdout.length;
    if (i >= 2) times.push(ms);
  }
  return { times, bytes };
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
  build();
  const database = ensureBigDatabase();
  const home = mkdtempSync(join(tmpdir(), "synapse-bench-"));
  const env = { PATH: "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: join(home, "config"), NO_COLOR: "1" };
  const big = { ...env, SYNAPSE_DATABASE_URL: `sqlite:${database}` };

  const version = timeProcess(["--version"], env, 30);
  report({ name: "cli_version", median_ms: median(version.times), runs: 30 });

  // The default listing: the 20 most recent, with the count of the rest.
  const list = timeProcess(["sessions", "list"], big, 20);
  report({ name: "cli_sessions_list", median_ms: median(list.times), runs: 20, sessions: sessionCount, stdout_bytes: list.bytes });

  const listAll = timeProcess(["sessions", "list", "--all"], big, 20);
  report({ name: "cli_sessions_list_all", median_ms: median(listAll.times), runs: 20, sessions: sessionCount, stdout_bytes: listAll.bytes });

  for (const [name, query] of [
    ["cli_sessions_search_common_word", "time"],
    ["cli_sessions_search_no_match", "zebra"],
    ["cli_sessions_search_phrase", '"the world"'],
  ] as const) {
    const search = timeProcess(["sessions", "search", query], big, 20);
    report({ name, median_ms: median(search.times), runs: 20, query, messages: sessionCount * 100 + longSessionMessages, stdout_bytes: search.bytes });
  }

  const show = timeProcess(["sessions", "show", longSessionId], big, 20);
  report({ name: "cli_sessions_show", median_ms: median(show.times), runs: 20, messages: longSessionMessages, stdout_bytes: show.bytes });

  const stream = anthropicStream(200);
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response(stream, { headers: { "content-type": "text/event-stream" } }),
  });
  const chatEnv = { ...env, ANTHROPIC_BASE_URL: `http://127.0.0.1:${server.port}`, ANTHROPIC_API_KEY: "bench-key-0123456789" };
  // Spawned without waiting synchronously, so the server in this process can answer.
  const times: number[] = [];
  for (let i = 0; i < 22; i++) {
    const start = Bun.nanoseconds();
    const child = Bun.spawn([binary, "Benchmark question"], { env: chatEnv, stdout: "pipe", stderr: "pipe" });
    await new Response(child.stdout).arrayBuffer();
    if ((await child.exited) !== 0) throw new Error(`exchange failed: ${await new Response(child.stderr).text()}`);
    if (i >= 2) times.push((Bun.nanoseconds() - start) / 1e6);
  }
  await server.stop(true);
  report({ name: "cli_exchange_local_stream", median_ms: median(times), runs: 20, reply_words: 200 });
}
