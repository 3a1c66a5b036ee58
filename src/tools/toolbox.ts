/**
 * The tools of every server that started, under the names a model is offered, and how to call
 * them. {@link startToolServers} makes one.
 */
import { ErrorCode, McpError, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { messageOf } from "../unknown-values.ts";
import { resultText } from "./content.ts";
import { NO_LIMIT_MS, seconds, ServerStartError, startServer, type Connection } from "./connection.ts";
import { allowsTool, offeredNames } from "./names.ts";
import { ToolCallCancelled, ToolStartCancelled, type ToolCallOptions, type ToolInfo, type ToolResult, type ToolServerSettings, type ToolSpec } from "./types.ts";

export interface StartToolServersOptions {
  /** For each server to start and list its tools; `undefined` = no limit. */
  startupTimeoutMs: number | undefined;
  /** Aborting it stops every server and makes the start reject with {@link ToolStartCancelled}. */
  signal?: AbortSignal | undefined;
  /** The config file, named by each failure's message. */
  configPath: string;
}

/** A server that did not start: the caller says `message` and goes on without its tools. */
export interface ToolServerFailure {
  server: string;
  /** One line: `mcp server "files" did not start: …; check [mcp.servers.files] in …`. */
  message: string;
  /** The why alone, for a listing that names the server already: `command "x" was not found`. */
  reason: string;
}

/**
 * Starts every enabled server at once, each within the start-up timeout, and lists their tools.
 * A server that fails is a failure in the answer, not an error: the others' tools are there.
 *
 * @throws {ToolStartCancelled} when `signal` aborts (every server started meanwhile is stopped).
 * @example
 * const { toolbox, failures } = await startToolServers(Object.values(config.mcp.servers), {
 *   startupTimeoutMs: config.mcp.startupTimeoutMs, configPath: config.configPath,
 * });
 * for (const failure of failures) log.warn(failure.message);
 * try { … toolbox.specs …; await toolbox.call(name, args, { signal, timeoutMs: config.mcp.callTimeoutMs }) }
 * finally { await toolbox.close() }
 */
export async function startToolServers(
  servers: Iterable<ToolServerSettings>,
  options: StartToolServersOptions,
): Promise<{ toolbox: ToolBox; failures: ToolServerFailure[] }> {
  const enabled = [...servers].filter((server) => server.enabled);
  const outcomes = await Promise.allSettled(enabled.map((server) => startServer(server, { timeoutMs: options.startupTimeoutMs, signal: options.signal, configPath: options.configPath })));
  const started = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
  const toolbox = new ToolBox(started);
  if (options.signal?.aborted) {
    await toolbox.close();
    throw new ToolStartCancelled();
  }
  const failures: ToolServerFailure[] = [];
  outcomes.forEach((outcome, index) => {
    if (outcome.status === "fulfilled") return;
    const server = enabled[index]!.name;
    const error: unknown = outcome.reason;
    if (error instanceof ServerStartError) failures.push({ server, message: error.message, reason: error.reason });
    else failures.push({ server, message: `mcp server "${server}" did not start: ${messageOf(error)}`, reason: messageOf(error) });
  });
  return { toolbox, failures };
}

/** The tools of the servers that started, by offered name. */
export class ToolBox {
  /** Every tool, servers in the order they were given, each server's tools in its own order. */
  readonly tools: readonly ToolInfo[];
  /** The servers that started, in the order given. */
  readonly servers: readonly string[];
  readonly #byName = new Map<string, ToolInfo>();
  readonly #connections = new Map<string, Connection>();

  constructor(started: readonly { connection: Connection; tools: readonly Tool[] }[]) {
    const listed = started.flatMap(({ connection, tools }) => tools.map((tool) => ({ server: connection.settings.name, tool })));
    const names = offeredNames(listed.map(({ server, tool }) => ({ server, tool: tool.name })));
    this.tools = listed.map(({ server, tool }, index) => ({
      name: names[index]!,
      description: tool.description ?? tool.title ?? tool.annotations?.title ?? "",
      inputSchema: tool.inputSchema,
      server,
      tool: tool.name,
      readOnly: tool.annotations?.readOnlyHint === true,
    }));
    for (const info of this.tools) this.#byName.set(info.name, info);
    for (const { connection } of started) this.#connections.set(connection.settings.name, connection);
    this.servers = started.map(({ connection }) => connection.settings.name);
  }

  /** What a model is offered: each tool's offered name, description and argument schema. */
  get specs(): ToolSpec[] {
    return this.tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));
  }

  /** The tool behind an offered name (its server, its own name, whether it is read-only); `undefined` for none. */
  describe(name: string): ToolInfo | undefined {
    return this.#byName.get(name);
  }

  /** Whether `[mcp] allow` lets the tool behind an offered name run without asking. */
  isAllowed(name: string, allow: readonly string[]): boolean {
    const info = this.#byName.get(name);
    return info !== undefined && allowsTool(allow, info.server, info.tool);
  }

  /**
   * Calls a tool by its offered name. Whatever the model should read comes back as a result: the
   * tool's own answer, or (`isError`) its error, a timeout, an unknown name, a server that
   * stopped. The text is as the server sent it: control characters included.
   *
   * @throws {ToolCallCancelled} when `options.signal` aborts (the server is told to cancel).
   */
  async call(name: string, args: Record<string, unknown>, options: ToolCallOptions = {}): Promise<ToolResult> {
    const info = this.#byName.get(name);
    if (info === undefined) return { isError: true, text: `there is no tool named "${name}"` };
    const connection = this.#connections.get(info.server);
    if (connection === undefined || connection.closed) return { isError: true, text: `mcp server "${info.server}" has stopped; its tools cannot be called` };
    if (options.signal?.aborted) throw new ToolCallCancelled(name);
    try {
      const result = await connection.client.callTool({ name: info.tool, arguments: args }, undefined, {
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        timeout: options.timeoutMs ?? NO_LIMIT_MS,
      });
      return resultText(result);
    } catch (error) {
      // The SDK rejects an abort and a timeout alike (RequestTimeout): the signal tells them apart.
      if (options.signal?.aborted) throw new ToolCallCancelled(name, { cause: error });
      if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
        return { isError: true, text: `tool "${name}" timed out after ${seconds(options.timeoutMs ?? NO_LIMIT_MS)} s` };
      }
      if (connection.closed || (error instanceof McpError && error.code === ErrorCode.ConnectionClosed)) {
        const last = connection.lastStderrLine();
        return { isError: true, text: `mcp server "${info.server}" stopped during the call${last === undefined ? "" : ` (its last words: ${last})`}` };
      }
      return { isError: true, text: messageOf(error) };
    }
  }

  /** Stops every server, at once (stdio servers are sent SIGTERM rather than waited for). */
  async close(): Promise<void> {
    await Promise.all([...this.#connections.values()].map((connection) => connection.close()));
  }
}
