/**
 * One MCP server, started (stdio) or reached (streamable HTTP), initialised and its tools listed,
 * within the start-up timeout; and stopped quickly. The only file here that loads the SDK's
 * transports and client.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError, type Tool } from "@modelcontextprotocol/sdk/types.js";
import packageJson from "../../package.json" with { type: "json" };
import { log } from "../log.ts";
import { errnoCode, messageOf } from "../unknown-values.ts";
import { ToolStartCancelled, type ToolServerSettings } from "./types.ts";

/** What `setTimeout` takes at most (about 24 days): "no limit" in the SDK's terms. */
export const NO_LIMIT_MS = 2_147_483_647;

/** The last bytes of a server's stderr kept for messages: its last line usually says why it stopped. */
const STDERR_KEPT = 4096;

/** A started server: its client, and how to stop it. */
export class Connection {
  #stderr = "";
  #closed = false;
  #pid: number | null = null;

  constructor(
    readonly settings: ToolServerSettings,
    readonly client: Client,
    private readonly transport: Transport,
  ) {
    if (transport instanceof StdioClientTransport) {
      // Read, or a chatty server would block once the pipe is full; kept for messages, and shown with --debug.
      transport.stderr?.on("data", (chunk: Buffer | string) => {
        this.#stderr = (this.#stderr + chunk.toString()).slice(-STDERR_KEPT);
      });
    }
  }

  /** The server's last line on stderr, if it wrote any. */
  lastStderrLine(): string | undefined {
    const lines = this.#stderr.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "");
    return lines.at(-1);
  }

  /** Whether the server has gone (it exited, or the connection dropped). */
  get closed(): boolean {
    return this.#closed;
  }

  markClosed(): void {
    this.#closed = true;
  }

  /**
   * Notes the stdio server's process, once it is spawned: the SDK forgets it as soon as a failed
   * connect closes the client, which then waits 2 s for the process to exit by itself.
   */
  spawned(): void {
    if (this.transport instanceof StdioClientTransport) this.#pid = this.transport.pid;
  }

  /**
   * Stops the server. A stdio server is sent SIGTERM first: many (server-everything among them)
   * do not exit when their stdin closes, and the SDK would wait 2 s before it signals them.
   */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pid !== null) {
      try {
        process.kill(this.#pid, "SIGTERM");
      } catch {
        // Gone already.
      }
    }
    try {
      await this.client.close();
    } catch (error) {
      log.debug(`mcp server "${this.settings.name}": closing failed: ${messageOf(error)}`);
    }
  }
}

export interface StartOptions {
  /** `undefined` = no limit. */
  timeoutMs: number | undefined;
  signal?: AbortSignal | undefined;
  /** For messages: `check [mcp.servers.NAME] in <configPath>`. */
  configPath: string;
}

/** A server that did not start, with the one line that says why. */
export class ServerStartError extends Error {
  override readonly name = "ServerStartError";
  constructor(
    message: string,
    /** The why alone: `command "x" was not found`. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function transportFor(settings: ToolServerSettings): Transport {
  if (settings.transport === "http") return new StreamableHTTPClientTransport(new URL(settings.url));
  return new StdioClientTransport({
    command: settings.command,
    args: [...settings.args],
    env: { ...getDefaultEnvironment(), ...settings.env },
    // Piped, not inherited: a server's log lines would mix with the reply on the terminal.
    stderr: "pipe",
  });
}

/**
 * Starts (or reaches) one server and lists its tools, every page of them.
 *
 * @throws {ServerStartError} with one line naming the server, for any failure or the timeout.
 * @throws {ToolStartCancelled} when `signal` aborts.
 */
export async function startServer(settings: ToolServerSettings, options: StartOptions): Promise<{ connection: Connection; tools: Tool[] }> {
  const timeout = new AbortController();
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => timeout.abort(), options.timeoutMs);
  const signal = options.signal === undefined ? timeout.signal : AbortSignal.any([options.signal, timeout.signal]);
  const client = new Client({ name: "synapse", version: packageJson.version });
  let connection: Connection | undefined;
  try {
    const transport = transportFor(settings);
    connection = new Connection(settings, client, transport);
    const started = connection;
    client.onclose = () => started.markClosed();
    const request = { signal, timeout: NO_LIMIT_MS };
    // The SDK's requests end on the signal; racing it also ends a transport that hangs before any request.
    const aborted = new Promise<never>((_, reject) => {
      const fail = () => reject(new Error("aborted"));
      if (signal.aborted) fail();
      else signal.addEventListener("abort", fail, { once: true });
    });
    aborted.catch(() => {});
    const tools: Tool[] = [];
    const connecting = client.connect(transport, request);
    // connect() spawns the process before its first await.
    started.spawned();
    await Promise.race([connecting, aborted]);
    let cursor: string | undefined;
    do {
      const page = await Promise.race([client.listTools(cursor === undefined ? {} : { cursor }, request), aborted]);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return { connection: started, tools };
  } catch (error) {
    await connection?.close();
    if (options.signal?.aborted) throw new ToolStartCancelled();
    const why = timeout.signal.aborted ? `it did not answer within ${seconds(options.timeoutMs ?? 0)} s` : reason(settings, error, connection?.lastStderrLine());
    log.debug(`mcp server "${settings.name}": ${messageOf(error)}${connection?.lastStderrLine() === undefined ? "" : `; its stderr ends: ${connection.lastStderrLine()}`}`);
    throw new ServerStartError(`mcp server "${settings.name}" did not start: ${why}; check [mcp.servers.${settings.name}] in ${options.configPath}`, why, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** Why a server did not start, in words: short, one line, lower case. */
function reason(settings: ToolServerSettings, error: unknown, stderr: string | undefined): string {
  const code = errnoCode(error);
  if (settings.transport === "stdio") {
    if (code === "ENOENT") return `command "${clip(settings.command)}" was not found`;
    if (code === "EACCES") return `command "${clip(settings.command)}" cannot be run (permission denied)`;
    if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) return `it exited before it answered${stderr === undefined ? "" : ` (its last words: ${clip(stderr, 160)})`}`;
  } else {
    if (error instanceof StreamableHTTPError && error.code !== undefined && error.code > 0) return `${settings.url} answered HTTP ${error.code}`;
    const cause = errnoCode(error instanceof Error ? error.cause : undefined) ?? code;
    if (cause === "ConnectionRefused" || cause === "ECONNREFUSED") return `could not reach ${settings.url} (connection refused)`;
    if (cause !== undefined) return `could not reach ${settings.url} (${cause})`;
  }
  return clip(messageOf(error).replace(/^MCP error -?\d+: /, ""), 200);
}

/** Milliseconds as seconds for messages: `15`, `0.05`. */
export function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

function clip(text: string, max = 80): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
