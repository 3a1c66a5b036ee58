/**
 * Tools from MCP servers: started from plain settings (the config's `[mcp.servers.NAME]`), their
 * tools offered under names every provider accepts, called with a timeout and a signal. Load it
 * with `import()` only: it brings in the MCP SDK, which `--help`, `--version` and `sessions …`
 * never need.
 */
export { startToolServers, ToolBox, type StartToolServersOptions, type ToolServerFailure } from "./toolbox.ts";
export { allowsTool, offeredNames, sanitiseToolName } from "./names.ts";
export {
  ToolCallCancelled,
  ToolStartCancelled,
  type HttpServerSettings,
  type StdioServerSettings,
  type ToolCallOptions,
  type ToolInfo,
  type ToolResult,
  type ToolServerSettings,
  type ToolSpec,
} from "./types.ts";
