/** What the MCP tests share: server-everything (a devDependency), run by this same Bun. */
import { join } from "node:path";
import type { StdioServerSettings } from "../src/tools/types.ts";

export const everythingEntry = join(import.meta.dir, "..", "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");

/** server-everything over stdio, as `[mcp.servers.NAME]` would configure it. */
export function everything(name: string, extra: Partial<StdioServerSettings> = {}): StdioServerSettings {
  return { name, enabled: true, transport: "stdio", command: process.execPath, args: [everythingEntry, "stdio"], env: {}, ...extra };
}

/** The same as TOML, for a config file. */
export function everythingToml(name: string): string {
  return `[mcp.servers.${name}]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(everythingEntry)}, "stdio"]\n`;
}
