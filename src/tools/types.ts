/**
 * What the tools module is given and gives back: plain settings (the config's `[mcp.servers.NAME]`
 * tables match them), the tools offered to a model, a call's result, and its cancellation. No
 * MCP SDK type appears here, so a caller can name these without loading the SDK.
 */

/** How to start or reach one MCP server. */
export type ToolServerSettings = StdioServerSettings | HttpServerSettings;

interface ServerCommon {
  /** Its name: offered tool names (`NAME_tool`) and allow entries (`NAME.tool`) use it. */
  name: string;
  /** A server that is not enabled is never started. */
  enabled: boolean;
}

/** A server started as a child process, spoken to over its stdin and stdout. */
export interface StdioServerSettings extends ServerCommon {
  transport: "stdio";
  command: string;
  args: readonly string[];
  /** Added to the few variables every server gets (PATH, HOME, …); nothing else of ours is passed on. */
  env: Readonly<Record<string, string>>;
}

/** A server already running, reached at a URL (MCP's streamable HTTP transport). */
export interface HttpServerSettings extends ServerCommon {
  transport: "http";
  url: string;
}

/** A tool as a model is offered it. */
export interface ToolSpec {
  /** Unique among the offered tools, and always matches `^[a-zA-Z0-9_-]{1,64}$`. */
  name: string;
  description: string;
  /** The tool's JSON Schema for its arguments, as its server gave it. */
  inputSchema: Record<string, unknown>;
}

/** A tool with where it comes from: what {@link ToolBox.describe} says of an offered name. */
export interface ToolInfo extends ToolSpec {
  /** The server's name (`[mcp.servers.NAME]`). */
  server: string;
  /** The tool's own name on its server: what allow entries (`server.tool`) name. */
  tool: string;
  /** The server says the tool changes nothing (`annotations.readOnlyHint`); only a hint, from the server. */
  readOnly: boolean;
}

/** What a tool call gives the model: its content as text, and whether it failed. */
export interface ToolResult {
  text: string;
  /** The tool failed, timed out, or its server stopped: `text` says how, for the model to read. */
  isError: boolean;
}

export interface ToolCallOptions {
  /** Aborting it cancels the call on the server, and the call throws {@link ToolCallCancelled}. */
  signal?: AbortSignal | undefined;
  /** `undefined` = no limit. A call that takes longer is cancelled and returns an error result. */
  timeoutMs?: number | undefined;
}

/** A call stopped by its caller's signal (Ctrl+C): not a result to give the model. */
export class ToolCallCancelled extends Error {
  override readonly name = "ToolCallCancelled";
  constructor(
    /** The offered name. */
    readonly tool: string,
    options?: { cause?: unknown },
  ) {
    super(`the call to tool "${tool}" was cancelled`, options);
  }
}

/** Starting the servers was stopped by the caller's signal; every server started meanwhile was stopped. */
export class ToolStartCancelled extends Error {
  override readonly name = "ToolStartCancelled";
  constructor() {
    super("starting the mcp servers was cancelled");
  }
}
