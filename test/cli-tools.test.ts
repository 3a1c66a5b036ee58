/**
 * `synapse tools` end to end: the real CLI, with server-everything configured as a user would
 * (over stdio, run by this Bun); and the commands that must never load the MCP SDK.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Home, root, sourceRunner } from "./_cli.ts";
import { everythingToml } from "./_mcp.ts";
import { PtyRun } from "./_pty.ts";

describe("synapse tools", () => {
  test("each server with its status, and each tool with its offered name, how it runs and its description", async () => {
    const home = new Home(sourceRunner).config(
      `[mcp]\nallow = ["everything.toggle-simulated-logging"]\n\n${everythingToml("everything")}\n[mcp.servers.later]\nurl = "http://127.0.0.1:9/mcp"\nenabled = false\n`,
    );
    const result = await home.run(["tools"]);
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("everything (stdio): 13 tools");
    expect(lines).toContainEqual(expect.stringMatching(/^  echo +read-only +Echoes back the input string$/));
    expect(lines).toContainEqual(expect.stringMatching(/^  toggle-simulated-logging +allowed +Toggles simulated/));
    expect(lines).toContainEqual(expect.stringMatching(/^  toggle-subscriber-updates +asks +Toggles/));
    expect(lines).toContain("later (http): disabled (enabled = false)");
  });

  test("--json: a stable shape for scripts", async () => {
    const home = new Home(sourceRunner).config(`[mcp]\nallow = ["everything.*"]\n\n${everythingToml("everything")}\n[mcp.servers.later]\nurl = "http://127.0.0.1:9/mcp"\nenabled = false\n`);
    const result = await home.run(["tools", "--json"]);
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    const json = JSON.parse(result.stdout) as { servers: (Record<string, unknown> & { tools: Record<string, unknown>[] })[] };
    expect(json.servers.map((server): Record<string, unknown> => ({ ...server, tools: server.tools.length }))).toEqual([
      { name: "everything", transport: "stdio", status: "ok", error: null, tools: 13 },
      { name: "later", transport: "http", status: "disabled", error: null, tools: 0 },
    ]);
    expect(json.servers[0]!.tools[0]).toEqual({
      name: "echo",
      server: "everything",
      tool: "echo",
      description: "Echoes back the input string",
      readOnly: true,
      approval: "allowed",
      inputSchema: expect.objectContaining({ type: "object", required: ["message"] }),
    });
  });

  test("two servers with the same tools: each offered as SERVER_tool", async () => {
    const home = new Home(sourceRunner).config(`${everythingToml("one")}\n${everythingToml("two")}`);
    const json = JSON.parse((await home.run(["tools", "--json"])).stdout) as { servers: { tools: { name: string; tool: string }[] }[] };
    expect(json.servers[0]!.tools.find((tool) => tool.tool === "echo")!.name).toBe("one_echo");
    expect(json.servers[1]!.tools.find((tool) => tool.tool === "echo")!.name).toBe("two_echo");
  });

  test("a server that does not start: listed as failed, one error line on stderr, exit 1; the others are still listed", async () => {
    const home = new Home(sourceRunner).config(`${everythingToml("everything")}\n[mcp.servers.files]\ncommand = "synapse-test-no-such-server"\n`);
    const config = join(home.dir, "config", "synapse", "config.toml");
    const result = await home.run(["tools"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`error: mcp server "files" did not start: command "synapse-test-no-such-server" was not found; check [mcp.servers.files] in ${config}\n`);
    expect(result.stdout).toContain("everything (stdio): 13 tools\n");
    expect(result.stdout).toContain('files (stdio): failed: command "synapse-test-no-such-server" was not found\n');
    const json = await home.run(["tools", "--json"]);
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout).servers[1]).toEqual({
      name: "files",
      transport: "stdio",
      status: "failed",
      error: `mcp server "files" did not start: command "synapse-test-no-such-server" was not found; check [mcp.servers.files] in ${config}`,
      tools: [],
    });
  });

  test("no server configured: one line saying how to add one, exit 0", async () => {
    const home = new Home(sourceRunner);
    const result = await home.run(["tools"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "" });
    expect(result.stderr).toBe(
      `no mcp servers are configured; add one as [mcp.servers.NAME] with a command (or a url) in ${join(home.dir, "config", "synapse", "config.toml")}, as the README's "Tools (MCP)" shows\n`,
    );
    expect(await home.run(["tools", "--json"])).toMatchObject({ exitCode: 0, stdout: '{\n  "servers": []\n}\n' });
  });

  test("a server table with both command and url is a config error naming it", async () => {
    const home = new Home(sourceRunner).config(`[mcp.servers.files]\ncommand = "x"\nurl = "http://127.0.0.1:9/mcp"\n`);
    const result = await home.run(["tools"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toStartWith("error: [mcp.servers.files] in ");
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});

describe("a server's odd tools", () => {
  const oddToml = `[mcp.servers.odd]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(join(root, "test/fixtures/mcp/odd-server.ts"))}]\n`;

  test("on a terminal, a description's control characters are shown, never obeyed; its first line only", async () => {
    const home = new Home(sourceRunner).config(oddToml);
    const run = new PtyRun([...sourceRunner, "tools"], home.env);
    expect(await run.finished()).toBe(0);
    const screen = await run.screen();
    expect(screen.titles).toEqual([]);
    expect(screen.lines).toContainEqual(expect.stringMatching(/^  files_read +read-only +Reads \\x1b\]0;pwned\\x07a file$/));
    expect(screen.lines.join("\n")).not.toContain("Second line");
  });

  test("piped, --json gives the description as the server sent it", async () => {
    const home = new Home(sourceRunner).config(oddToml);
    const json = JSON.parse((await home.run(["tools", "--json"])).stdout) as { servers: { tools: { name: string; tool: string; description: string }[] }[] };
    expect(json.servers[0]!.tools[0]).toMatchObject({ name: "files_read", tool: "files.read", description: "Reads \u001b]0;pwned\u0007a file\nSecond line of the description" });
  });
});

describe("the MCP SDK is loaded only by the commands that use tools", () => {
  // A preload that notes every module of the SDK the process resolves.
  const traced = [process.execPath, "--preload", join(root, "test/fixtures/mcp/trace-sdk-loads.ts"), join(root, "src/cli/main.ts")];

  async function sdkLoads(args: string[]): Promise<string[]> {
    const home = new Home(traced).config(everythingToml("everything"));
    const trace = join(home.dir, "trace.txt");
    writeFileSync(trace, "");
    const result = await home.run(args, { env: { SYNAPSE_TEST_LOAD_TRACE: trace } });
    expect(result.stderr).not.toContain("error");
    return readFileSync(trace, "utf8").split("\n").filter((line) => line !== "");
  }

  test("synapse tools loads it (so the trace sees loads)", async () => {
    expect(await sdkLoads(["tools", "--json"])).toContain("@modelcontextprotocol/sdk/client/index.js");
  });

  test.each([[["sessions", "list"]], [["--help"]], [["--version"]], [["tools", "--help"]], [["models"]], [["-p", "echo", "Hello"]]])("synapse %p does not", async (args) => {
    expect(await sdkLoads(args)).toEqual([]);
  });
});
