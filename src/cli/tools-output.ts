/**
 * What `synapse tools` prints: each configured MCP server (its transport; started, disabled, or
 * why it did not start) and the tools of those that started, under the names a model is offered.
 * Descriptions come from the servers: on a terminal, their control characters are shown, never obeyed.
 */
import type { McpServerConfig, ResolvedConfig } from "../config/schema.ts";
import { log } from "../log.ts";
import { colorEnabled, styleFor } from "../style.ts";
import { allowsTool } from "../tools/names.ts";
import type { ToolInfo } from "../tools/types.ts";
import { stdoutInfo, terminalSize } from "../tty.ts";
import { fitWidth } from "./fit-width.ts";
import { printJson } from "./format.ts";
import { writeOut } from "./stdout.ts";
import { textFor } from "./terminal-text.ts";

/** Whether a tool runs without asking: it is in `[mcp] allow`, or its server says it only reads; else Synapse asks. */
export type Approval = "allowed" | "read-only" | "asks";

export function approvalOf(tool: ToolInfo, allow: readonly string[]): Approval {
  if (allowsTool(allow, tool.server, tool.tool)) return "allowed";
  return tool.readOnly ? "read-only" : "asks";
}

interface ServerRow {
  name: string;
  transport: McpServerConfig["transport"];
  status: "ok" | "disabled" | "failed";
  /** The whole one-line message, for a failed one. */
  error: string | null;
  /** Why, alone: the listing names the server already. */
  reason: string | null;
  tools: (ToolInfo & { approval: Approval })[];
}

/**
 * Starts the configured servers, prints them and their tools, stops them. Failures are also
 * said on stderr, one line each. Returns whether an enabled server failed.
 */
export async function printTools(config: ResolvedConfig, options: { json: boolean }): Promise<boolean> {
  const servers = Object.values(config.mcp.servers);
  if (servers.length === 0) {
    if (options.json) printJson({ servers: [] });
    else log.info(`no mcp servers are configured; add one as [mcp.servers.NAME] with a command (or a url) in ${config.configPath}, as the README's "Tools (MCP)" shows`);
    return false;
  }
  // The SDK is loaded here, by this command and the chat alone.
  const { startToolServers } = await import("../tools/index.ts");
  const { toolbox, failures } = await startToolServers(servers, { startupTimeoutMs: config.mcp.startupTimeoutMs, configPath: config.configPath });
  let rows: ServerRow[];
  try {
    rows = servers.map((server) => {
      const failure = failures.find((f) => f.server === server.name);
      const tools = toolbox.tools.filter((tool) => tool.server === server.name).map((tool) => ({ ...tool, approval: approvalOf(tool, config.mcp.allow) }));
      return {
        name: server.name,
        transport: server.transport,
        status: !server.enabled ? "disabled" : failure === undefined ? "ok" : "failed",
        error: failure?.message ?? null,
        reason: failure?.reason ?? null,
        tools,
      };
    });
  } finally {
    await toolbox.close();
  }
  for (const failure of failures) log.error(failure.message);
  if (options.json) {
    printJson({
      servers: rows.map((row) => ({
        name: row.name,
        transport: row.transport,
        status: row.status,
        error: row.error,
        tools: row.tools.map((tool) => ({
          name: tool.name,
          server: tool.server,
          tool: tool.tool,
          description: tool.description,
          readOnly: tool.readOnly,
          approval: tool.approval,
          inputSchema: tool.inputSchema,
        })),
      })),
    });
  } else {
    writeOut(toolsText(rows));
  }
  return failures.length > 0;
}

function toolsText(rows: readonly ServerRow[]): string {
  const style = styleFor(colorEnabled(stdoutInfo));
  const shown = textFor(stdoutInfo);
  const width = terminalSize(1)?.columns;
  const fit = (text: string) => (width === undefined ? text : fitWidth(text, width));
  const nameWidth = Math.max(0, ...rows.flatMap((row) => row.tools.map((tool) => tool.name.length)));
  const approvalWidth = "read-only".length;
  let out = "";
  for (const row of rows) {
    const status =
      row.status === "ok"
        ? `${row.tools.length} ${row.tools.length === 1 ? "tool" : "tools"}`
        : row.status === "disabled"
          ? style.dim("disabled (enabled = false)")
          : style.red(`failed: ${shown(row.reason ?? "")}`);
    out += `${fit(`${style.bold(row.name)} (${row.transport}): ${status}`)}\n`;
    for (const tool of row.tools) {
      const description = tool.description.split(/\r?\n/)[0]?.trim() ?? "";
      out += `${fit(`  ${tool.name.padEnd(nameWidth)}  ${tool.approval.padEnd(approvalWidth)}  ${shown(description)}`.trimEnd())}\n`;
    }
  }
  out += "allowed: in [mcp] allow · read-only: its server says it changes nothing · asks: needs your yes before each call\n";
  return out;
}
