/**
 * The names a model is offered: a tool's own name, or `server_tool` where two servers offer the
 * same one; either made to fit what every provider accepts (`^[a-zA-Z0-9_-]{1,64}$`). And the
 * allow list's `server.tool` / `server.*` entries.
 */

const MAX_NAME = 64;

/** `name` with every character a provider refuses as `_`, and at most 64 characters. */
export function sanitiseToolName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, MAX_NAME);
  return clean === "" ? "tool" : clean;
}

/**
 * The offered name of each tool, in the order given (servers in the config's order): the tool's
 * own name where no other server has one of that name, else `server_tool`; then made to fit, and
 * made unique with `_2`, `_3`, … should two still meet.
 */
export function offeredNames(tools: readonly { server: string; tool: string }[]): string[] {
  const servers = new Map<string, Set<string>>();
  for (const { server, tool } of tools) servers.set(tool, (servers.get(tool) ?? new Set()).add(server));
  const taken = new Set<string>();
  return tools.map(({ server, tool }) => {
    const base = sanitiseToolName((servers.get(tool)?.size ?? 0) > 1 ? `${server}_${tool}` : tool);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, MAX_NAME - `_${n}`.length)}_${n}`;
    taken.add(name);
    return name;
  });
}

/**
 * Whether an allow list (`[mcp] allow`) covers `tool` on `server`: an entry `server.tool` (the
 * tool's own name, as its server lists it) or `server.*`.
 *
 * @example
 * allowsTool(["files.*"], "files", "write_file"); // true
 * allowsTool(["files.read_file"], "files", "write_file"); // false
 */
export function allowsTool(allow: readonly string[], server: string, tool: string): boolean {
  return allow.some((entry) => entry === `${server}.*` || entry === `${server}.${tool}`);
}
