/**
 * End to end: the model calls MCP tools (server-everything over stdio, a real server), in both
 * wire formats (local fake providers that ask for tools), and every call and result is stored,
 * shown, and sent back when the session goes on.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { anthropicReply, Home, newSessionId, openaiReply, serve, sourceRunner, stopServers } from "./_cli.ts";
import { everythingToml } from "./_mcp.ts";
import { PtyRun } from "./_pty.ts";
import { anthropicToolUse, openaiToolCalls } from "./_tool-replies.ts";

setDefaultTimeout(180_000);
afterAll(stopServers);

type Messages = Record<string, unknown>[];

const ping = { id: "call_ping", name: "echo", arguments: { message: "ping" } };

/** A home whose config starts server-everything as `everything`, with `extra` TOML after. */
function homeWithTools(extra = ""): Home {
  return new Home(sourceRunner).config(`${everythingToml("everything")}${extra}`);
}

function openaiHome(home: Home, url: string): Home {
  home.env.OPENAI_API_KEY = "sk-test";
  home.env.OPENAI_BASE_URL = `${url}/v1`;
  return home;
}

describe("the tool loop", () => {
  test("Anthropic: the model calls echo (read-only, runs without asking), reads its result and answers; all of it stored in order", async () => {
    const server = serve([anthropicToolUse([ping], "Let me check."), anthropicReply("It said ping.")]);
    const home = homeWithTools().anthropic(server);
    const result = await home.run(["Ping the server"]);
    expect(result.stderr).toContain('→ echo {"message":"ping"}');
    expect(result.stderr).toContain("← Echo: ping");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("Let me check.\n\nIt said ping.\n");
    // The first request offered the tools; the second carried the call and its result.
    const first = server.requests[0]!.body as { tools: { name: string }[] };
    expect(first.tools.map((tool) => tool.name)).toContain("echo");
    const second = (server.requests[1]!.body as { messages: Messages }).messages;
    expect(second.slice(1)).toEqual([
      { role: "assistant", content: [{ type: "text", text: "Let me check." }, { type: "tool_use", id: "call_ping", name: "echo", input: { message: "ping" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_ping", content: "Echo: ping" }] },
    ]);
    const id = newSessionId(result.stderr);
    const shown = await home.show(id);
    expect(shown.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Ping the server"],
      ["assistant", "Let me check."],
      ["tool", "Echo: ping"],
      ["assistant", "It said ping."],
    ]);
    expect(shown.messages[1]!.toolCalls).toEqual([ping]);
    expect(shown.messages[2]!.toolCallId).toBe("call_ping");
    const text = await home.run(["sessions", "show", id]);
    expect(text.stdout).toContain('→ echo {"message":"ping"}');
    expect(text.stdout).toContain("tool · ");
    // Search finds what a tool returned.
    const found = await home.run(["sessions", "search", "Echo", "--json"]);
    expect(JSON.parse(found.stdout).map((hit: { role: string }) => hit.role)).toEqual(["tool"]);
  });

  test("OpenAI: the same loop; continuing replays the calls and results, and so does continuing with Anthropic", async () => {
    const openai = serve([openaiToolCalls([ping]), openaiReply("Done: ping."), openaiReply("Still ping.")]);
    const home = openaiHome(homeWithTools(), openai.url);
    const first = await home.run(["-p", "openai", "Ping it"]);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toBe("Done: ping.\n");
    const id = newSessionId(first.stderr);
    expect(((openai.requests[1]!.body as { messages: Messages }).messages).slice(1)).toEqual([
      { role: "assistant", content: null, tool_calls: [{ id: "call_ping", type: "function", function: { name: "echo", arguments: '{"message":"ping"}' } }] },
      { role: "tool", tool_call_id: "call_ping", content: "Echo: ping" },
    ]);
    expect((await home.run(["-s", id, "Again?"])).exitCode).toBe(0);
    const replayed = (openai.requests[2]!.body as { messages: Messages }).messages;
    expect(replayed.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant", "user"]);
    // The same session, continued with the other wire format.
    const anthropic = serve([anthropicReply("Ping, as before.")]);
    home.anthropic(anthropic);
    const other = await home.run(["-s", id, "-p", "anthropic", "And you?"]);
    expect(other.exitCode).toBe(0);
    expect(((anthropic.requests[0]!.body as { messages: Messages }).messages)).toEqual([
      { role: "user", content: "Ping it" },
      { role: "assistant", content: [{ type: "tool_use", id: "call_ping", name: "echo", input: { message: "ping" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_ping", content: "Echo: ping" }] },
      { role: "assistant", content: "Done: ping." },
      { role: "user", content: "Again?" },
      { role: "assistant", content: "Still ping." },
      { role: "user", content: "And you?" },
    ]);
  });

  test("a tool that is not read-only is refused without a terminal (the model is told), and runs with --allow-tools or [mcp] allow", async () => {
    const toggle = { id: "call_t", name: "toggle-simulated-logging", arguments: {} };
    const server = serve([anthropicToolUse([toggle]), anthropicReply("I could not.")]);
    const home = homeWithTools().anthropic(server);
    const refused = await home.run(["Toggle logging"]);
    expect(refused.exitCode).toBe(0);
    expect(refused.stderr).toContain("✗ toggle-simulated-logging: not run: the tool is not read-only, and no one could be asked (no terminal)");
    const sent = (server.requests[1]!.body as { messages: { content: unknown }[] }).messages[2]!.content as Record<string, unknown>[];
    expect(sent[0]).toMatchObject({ type: "tool_result", tool_use_id: "call_t", is_error: true });
    const stored = await home.show(newSessionId(refused.stderr));
    expect(stored.messages[2]).toMatchObject({ role: "tool", toolCallId: "call_t", toolError: true });

    const allowed = serve([anthropicToolUse([toggle]), anthropicReply("Toggled.")]);
    home.anthropic(allowed);
    const run = await home.run(["--allow-tools", "Toggle logging"]);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).not.toContain("✗");
    const result = ((allowed.requests[1]!.body as { messages: { content: unknown }[] }).messages[2]!.content as Record<string, unknown>[])[0]!;
    expect(result.is_error).toBeUndefined();
    expect(String(result.content)).toContain("logging");

    const byConfig = serve([anthropicToolUse([toggle]), anthropicReply("Toggled.")]);
    const configured = homeWithTools('\n[mcp]\nallow = ["everything.toggle-simulated-logging"]\n').anthropic(byConfig);
    const ran = await configured.run(["Toggle logging"]);
    expect(ran.stderr).not.toContain("✗");
  });

  test("on a terminal, a tool that is not read-only is asked about: n refuses it, y runs it", async () => {
    const toggle = { id: "call_t", name: "toggle-simulated-logging", arguments: {} };
    for (const [answer, refused] of [["n", true], ["y", false]] as const) {
      const server = serve([anthropicToolUse([toggle]), anthropicReply("OK.")]);
      const home = homeWithTools().anthropic(server);
      const run = new PtyRun([...sourceRunner, "Toggle logging"], home.env);
      await run.waitFor("[y]es, [n]o, [a]lways in this session:");
      expect(run.output).toContain("run everything.toggle-simulated-logging {}?");
      run.write(`${answer}\r`);
      expect(await run.finished()).toBe(0);
      const result = ((server.requests[1]!.body as { messages: { content: unknown }[] }).messages[2]!.content as Record<string, unknown>[])[0]!;
      expect(result.is_error === true).toBe(refused);
      if (refused) expect(result.content).toBe("the user did not allow this tool to run");
    }
  });

  test("a server that does not start is one line naming it; the exchange goes on without its tools", async () => {
    const server = serve([anthropicReply("No tools needed.")]);
    const home = new Home(sourceRunner).config('[mcp.servers.broken]\ncommand = "/nonexistent/mcp-server"\n').anthropic(server);
    const result = await home.run(["Hello"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("No tools needed.\n");
    expect(result.stderr).toMatch(/mcp server "broken" did not start: .*; going on without its tools/);
    expect(Object.keys(server.requests[0]!.body as object)).not.toContain("tools");
  });

  test("a tool that times out is an error result the model reads, and one line on stderr", async () => {
    const slow = { id: "call_slow", name: "trigger-long-running-operation", arguments: { duration: 30, steps: 30 } };
    const server = serve([anthropicToolUse([slow]), anthropicReply("It timed out.")]);
    const home = homeWithTools("\n[mcp]\ncall_timeout = 1\n").anthropic(server);
    const result = await home.run(["Run the long thing"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('✗ trigger-long-running-operation: tool "trigger-long-running-operation" timed out after 1 s');
    const sent = ((server.requests[1]!.body as { messages: { content: unknown }[] }).messages[2]!.content as Record<string, unknown>[])[0]!;
    expect(sent).toMatchObject({ type: "tool_result", is_error: true });
  });

  test("Ctrl+C during a tool call stops it, keeps what happened, and exits 130", async () => {
    const slow = { id: "call_slow", name: "trigger-long-running-operation", arguments: { duration: 60, steps: 60 } };
    const server = serve([anthropicToolUse([slow], "Starting."), anthropicReply("never asked")]);
    const home = homeWithTools().anthropic(server);
    const child = Bun.spawn([...sourceRunner, "Run the long thing"], { env: home.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const stderr = (async () => {
      let text = "";
      const decoder = new TextDecoder();
      for await (const chunk of child.stderr) {
        text += decoder.decode(chunk);
        if (text.includes("→ trigger-long-running-operation")) child.kill("SIGINT");
      }
      return text;
    })();
    const [code, said] = await Promise.all([child.exited, stderr]);
    expect(code).toBe(130);
    expect(said).toContain("interrupted");
    expect(server.requests).toHaveLength(1);
    const listed = await home.list();
    const stored = await home.show(listed[0]!.id as string);
    expect(stored.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool"]);
    expect(stored.messages[2]).toMatchObject({ toolCallId: "call_slow", toolError: true, content: "stopped by the user (Ctrl+C) before the tool finished" });
  });

  test("the step cap: a model that keeps calling tools is stopped after max_steps, everything stored, exit 1", async () => {
    const server = serve([anthropicToolUse([ping])]);
    const home = homeWithTools("\n[mcp]\nmax_steps = 2\n").anthropic(server);
    const result = await home.run(["Ping forever"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("stopped after 2 tool steps in one exchange (max_steps under [mcp]); every call and result is stored");
    expect(server.requests).toHaveLength(2);
    const stored = await home.show((await home.list())[0]!.id as string);
    expect(stored.messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant", "tool"]);
  });

  test("the echo provider and sessions commands never start a server", async () => {
    const home = new Home(sourceRunner).config('[mcp.servers.broken]\ncommand = "/nonexistent/mcp-server"\n');
    const result = await home.run(["-p", "echo", "hello there"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toContain("did not start");
  });
});

describe("the tool loop on a terminal", () => {
  test("Ctrl+C at the question stops the exchange (exit 130), the call stored as stopped, nothing more asked of the model", async () => {
    const toggle = { id: "call_t", name: "toggle-simulated-logging", arguments: {} };
    const server = serve([anthropicToolUse([toggle]), anthropicReply("never asked")]);
    const home = homeWithTools().anthropic(server);
    const run = new PtyRun([...sourceRunner, "Toggle logging"], home.env);
    await run.waitFor("[y]es, [n]o, [a]lways in this session:");
    run.write("\x03");
    expect(await run.finished()).toBe(130);
    expect(server.requests).toHaveLength(1);
    const stored = await home.show((await home.list())[0]!.id as string);
    expect(stored.messages[2]).toMatchObject({ role: "tool", toolCallId: "call_t", toolError: true, content: "stopped by the user (Ctrl+C) before the tool finished" });
  });

  test("each call and result line stays below the rendered text before it, never erased or overtaken by it", async () => {
    const server = serve([anthropicToolUse([ping], "Let me **check** that.\n\n- one\n- two"), anthropicReply("It said *ping*.")]);
    const home = homeWithTools().anthropic(server);
    const run = new PtyRun([...sourceRunner, "Ping it"], home.env, { columns: 100, rows: 30 });
    expect(await run.finished()).toBe(0);
    const lines = (await run.screen()).lines.map((line) => line.trimEnd()).filter((line) => line !== "");
    const at = (text: string) => lines.findIndex((line) => line.includes(text));
    expect(lines.filter((line) => line.includes("Let me check that."))).toHaveLength(1);
    expect(lines.filter((line) => line.includes("one"))).toHaveLength(1);
    expect(at("Let me check that.")).toBeLessThan(at("two"));
    expect(at("two")).toBeLessThan(at('→ echo {"message":"ping"}'));
    expect(at('→ echo {"message":"ping"}')).toBeLessThan(at("← Echo: ping"));
    expect(at("← Echo: ping")).toBeLessThan(at("It said ping."));
  });
});
