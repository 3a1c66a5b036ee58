/**
 * What the end-to-end tests share: a temporary HOME to run the real synapse in, and local
 * servers that speak the providers' streaming formats.
 */
import { expect } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startProviderServer, type ProviderServer, type Reply } from "./_provider-server.ts";

export const root = join(import.meta.dir, "..");
export const apiKey = "sk-ant-test-SECRET-0123456789abcdef";
export const sourceRunner = [process.execPath, join(root, "src/cli/main.ts")] as const;

export function sse(events: [string | null, unknown][]): string {
  return events.map(([event, data]) => `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`).join("");
}

/** An Anthropic Messages stream whose reply is `text`, a word per delta. */
export function anthropicReply(text: string): Reply {
  const words = text.split(/(?<= )/);
  return {
    kind: "sse",
    body: sse([
      ["message_start", { type: "message_start", message: { id: "msg_1", type: "message", role: "assistant", content: [], model: "claude-test", usage: { input_tokens: 12, output_tokens: 1 } } }],
      ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
      ...words.map((w): [string, unknown] => ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: w } }]),
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: words.length } }],
      ["message_stop", { type: "message_stop" }],
    ]),
  };
}

export function openaiReply(text: string): Reply {
  const chunk = (delta: unknown, finish: string | null) => ({ id: "c1", object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] });
  return {
    kind: "sse",
    body: sse([
      [null, chunk({ role: "assistant", content: "" }, null)],
      [null, chunk({ content: text }, null)],
      [null, chunk({}, "stop")],
      [null, { id: "c1", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } }],
      [null, "[DONE]"],
    ]),
  };
}

interface Result {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export class Home {
  readonly dir = mkdtempSync(join(tmpdir(), "synapse-e2e-"));
  readonly env: Record<string, string>;
  readonly database = join(this.dir, "config", "synapse", "sessions.db");

  constructor(
    private readonly runner: readonly string[],
    extra: Record<string, string> = {},
  ) {
    this.env = {
      // A compiled binary must run where there is no Bun at all.
      PATH: runner[0] === process.execPath ? (process.env.PATH ?? "/usr/bin:/bin") : "/nonexistent",
      HOME: join(this.dir, "home"),
      XDG_CONFIG_HOME: join(this.dir, "config"),
      NO_COLOR: "1",
      ...extra,
    };
  }

  anthropic(server: ProviderServer, key = apiKey): this {
    this.env.ANTHROPIC_BASE_URL = server.url;
    this.env.ANTHROPIC_API_KEY = key;
    return this;
  }

  config(toml: string): this {
    mkdirSync(join(this.dir, "config", "synapse"), { recursive: true, mode: 0o700 });
    writeFileSync(join(this.dir, "config", "synapse", "config.toml"), toml, { mode: 0o600 });
    return this;
  }

  async run(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Result> {
    const child = Bun.spawn([...this.runner, ...args], {
      env: { ...this.env, ...options.env },
      stdin: options.stdin === undefined ? "ignore" : new Blob([options.stdin]),
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    return { stdout, stderr, exitCode };
  }

  /** `sessions show ID --json`, parsed. */
  async show(id: string): Promise<{ session: Record<string, unknown>; messages: Record<string, unknown>[] }> {
    const result = await this.run(["sessions", "show", id, "--json"]);
    expect(result.exitCode).toBe(0);
    return JSON.parse(result.stdout);
  }

  async list(): Promise<Record<string, unknown>[]> {
    const result = await this.run(["sessions", "list", "--json"]);
    expect(result.exitCode).toBe(0);
    return JSON.parse(result.stdout);
  }
}

/** The id from the "continue it with" line a new session prints on stderr. */
export function newSessionId(stderr: string): string {
  const match = /session ([0-9a-f-]{36}) · continue it with: synapse -s ([0-9a-f-]{8,36}) "…"/.exec(stderr);
  if (!match || !match[1]!.startsWith(match[2]!)) throw new Error(`no session line in stderr: ${stderr}`);
  return match[1]!;
}

const servers: ProviderServer[] = [];

export async function stopServers(): Promise<void> {
  for (const server of servers.splice(0)) await server.stop();
}

/** A local provider server, stopped by {@link stopServers} (call it from afterAll). */
export function serve(replies: Reply[]): ProviderServer {
  const server = startProviderServer(replies);
  servers.push(server);
  return server;
}


/** An Anthropic stream whose text deltas are `pieces`, as they are (their cuts are the test's point). */
export function anthropicPieces(pieces: readonly string[], chunkSize?: number): Reply {
  return {
    kind: "sse",
    body: sse([
      ["message_start", { type: "message_start", message: { id: "m", type: "message", role: "assistant", content: [], model: "c", usage: { input_tokens: 1, output_tokens: 1 } } }],
      ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
      ...pieces.map((text): [string, unknown] => ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }]),
      ["content_block_stop", { type: "content_block_stop", index: 0 }],
      ["message_delta", { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: pieces.length } }],
      ["message_stop", { type: "message_stop" }],
    ]),
    ...(chunkSize === undefined ? {} : { chunkSize }),
  };
}

/** An Anthropic stream that sends "Once upon a time", then " and then" every 20 ms, forever: for stopping one. */
export function endlessStory(): Reply {
  const head = sse([
    ["message_start", { type: "message_start", message: { id: "m", type: "message", role: "assistant", content: [], model: "c", usage: { input_tokens: 1, output_tokens: 1 } } }],
    ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
    ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Once upon a time" } }],
  ]);
  const more = sse([["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: " and then" } }]]);
  return { kind: "endless", head, repeat: more, intervalMs: 20 };
}
