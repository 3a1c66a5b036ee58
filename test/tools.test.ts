/**
 * src/tools against real MCP servers: server-everything over stdio and over streamable HTTP,
 * and servers that fail to start. No assertion depends on how fast the machine is: timeouts
 * that must pass are generous, and those that must expire are given work that takes far longer.
 */
import { afterAll, describe, expect, spyOn, test } from "bun:test";
import { startToolServers, ToolBox, ToolCallCancelled, ToolStartCancelled, type ToolServerSettings } from "../src/tools/index.ts";
import { resultText } from "../src/tools/content.ts";
import { allowsTool, offeredNames, sanitiseToolName } from "../src/tools/names.ts";
import { everything, everythingEntry } from "./_mcp.ts";

const configPath = "/home/me/.config/synapse/config.toml";
/** Generous: a server starts in well under a second, but the machine may be busy. */
const startupTimeoutMs = 60_000;
const boxes: ToolBox[] = [];

async function start(servers: ToolServerSettings[], timeoutMs = startupTimeoutMs, signal?: AbortSignal) {
  const started = await startToolServers(servers, { startupTimeoutMs: timeoutMs, configPath, signal });
  boxes.push(started.toolbox);
  return started;
}

afterAll(async () => {
  await Promise.all(boxes.map((box) => box.close()));
});

describe("one server: its tools, and calls", () => {
  let box: ToolBox;

  test("lists every tool under its own name, with whether it is read-only", async () => {
    const { toolbox, failures } = await start([everything("everything")]);
    box = toolbox;
    expect(failures).toEqual([]);
    expect(toolbox.servers).toEqual(["everything"]);
    const names = toolbox.specs.map((spec) => spec.name);
    expect(names).toContain("echo");
    expect(names).toContain("trigger-long-running-operation");
    for (const name of names) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(toolbox.describe("echo")).toMatchObject({ server: "everything", tool: "echo", readOnly: true, description: "Echoes back the input string" });
    expect(toolbox.describe("toggle-simulated-logging")).toMatchObject({ readOnly: false });
    expect(toolbox.describe("nothing")).toBeUndefined();
    const echo = toolbox.specs.find((spec) => spec.name === "echo")!;
    expect(echo.inputSchema).toMatchObject({ type: "object", properties: { message: { type: "string" } }, required: ["message"] });
  });

  test("the allow list: SERVER.tool and SERVER.*", () => {
    expect(box.isAllowed("echo", ["everything.echo"])).toBe(true);
    expect(box.isAllowed("echo", ["everything.*"])).toBe(true);
    expect(box.isAllowed("echo", ["other.*", "everything.get-sum"])).toBe(false);
    expect(box.isAllowed("nothing", ["everything.*"])).toBe(false);
  });

  test("a call gives the tool's text", async () => {
    expect(await box.call("echo", { message: "ping" }, { timeoutMs: 60_000 })).toEqual({ text: "Echo: ping", isError: false });
  });

  test("images are placeholders, structured content is JSON, resource links their URI", async () => {
    const image = await box.call("get-tiny-image", {});
    expect(image.isError).toBe(false);
    expect(image.text).toMatch(/^\[image image\/png, \d+ (bytes|KiB)\]$/m);
    const structured = await box.call("get-structured-content", { location: "New York" });
    expect(JSON.parse(structured.text)).toMatchObject({ temperature: expect.any(Number) });
    const links = await box.call("get-resource-links", { count: 2 });
    expect(links.text.split("\n").slice(1)).toEqual([expect.stringMatching(/^demo:\/\//), expect.stringMatching(/^demo:\/\//)]);
  });

  test("a tool's error, bad arguments and an unknown name are error results, not exceptions", async () => {
    const bad = await box.call("echo", { nonsense: 1 });
    expect(bad.isError).toBe(true);
    expect(bad.text).toContain("message");
    expect(await box.call("no-such-tool", {})).toEqual({ isError: true, text: 'there is no tool named "no-such-tool"' });
  });

  test("a call past its timeout is an error result the model can read", async () => {
    // 100 s of work against a 50 ms limit.
    const result = await box.call("trigger-long-running-operation", { duration: 100, steps: 2 }, { timeoutMs: 50 });
    expect(result).toEqual({ isError: true, text: 'tool "trigger-long-running-operation" timed out after 0.05 s' });
    // The server is still there.
    expect((await box.call("echo", { message: "still here" })).text).toBe("Echo: still here");
  });

  test("an abort mid-call throws ToolCallCancelled; the server goes on serving", async () => {
    const controller = new AbortController();
    const call = box.call("trigger-long-running-operation", { duration: 100, steps: 100 }, { signal: controller.signal, timeoutMs: 600_000 });
    setTimeout(() => controller.abort(), 200);
    const error = await call.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ToolCallCancelled);
    expect((error as ToolCallCancelled).tool).toBe("trigger-long-running-operation");
    // Already aborted: nothing is sent.
    expect(box.call("echo", { message: "x" }, { signal: controller.signal })).rejects.toBeInstanceOf(ToolCallCancelled);
    expect((await box.call("echo", { message: "after" })).text).toBe("Echo: after");
  });

  test("close sends SIGTERM to each stdio server at once, rather than waiting for it to exit on its own", async () => {
    const { toolbox } = await start([everything("one"), everything("two")]);
    const kill = spyOn(process, "kill");
    try {
      await toolbox.close();
      const terms = kill.mock.calls.filter(([, signal]) => signal === "SIGTERM").map(([pid]) => pid);
      expect(terms).toHaveLength(2);
      // And they are gone when close returns.
      for (const pid of terms) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      kill.mockRestore();
    }
    expect(await toolbox.call("one_echo", { message: "x" })).toMatchObject({ isError: true, text: 'mcp server "one" has stopped; its tools cannot be called' });
  });
});

describe("several servers", () => {
  test("two servers with the same tools: each offered as server_tool, every name distinct", async () => {
    const { toolbox, failures } = await start([everything("alpha"), everything("beta")]);
    expect(failures).toEqual([]);
    const names = toolbox.specs.map((spec) => spec.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain("alpha_echo");
    expect(names).toContain("beta_echo");
    expect(names).not.toContain("echo");
    expect(toolbox.describe("beta_echo")).toMatchObject({ server: "beta", tool: "echo" });
    expect(await toolbox.call("beta_echo", { message: "b" })).toEqual({ text: "Echo: b", isError: false });
    expect(toolbox.isAllowed("beta_echo", ["beta.echo"])).toBe(true);
    expect(toolbox.isAllowed("alpha_echo", ["beta.echo"])).toBe(false);
  });

  test("a disabled server is not started", async () => {
    const { toolbox, failures } = await start([everything("on"), everything("off", { enabled: false })]);
    expect(failures).toEqual([]);
    expect(toolbox.servers).toEqual(["on"]);
    expect(toolbox.specs.map((spec) => spec.name)).toContain("echo");
  });
});

describe("a server that does not start is one line, and the others' tools are there", () => {
  const tail = `; check [mcp.servers.NAME] in ${configPath}`;

  test.each([
    ["a command that does not exist", { command: "synapse-test-no-such-command", args: [] }, 'command "synapse-test-no-such-command" was not found'],
    ["a server that exits at once", { command: "sh", args: ["-c", "echo 'cannot open /nope: no such folder' >&2; exit 3"] }, "it exited before it answered (its last words: cannot open /nope: no such folder)"],
    ["a server that never answers", { command: "sleep", args: ["600"] }, "it did not answer within 1 s"],
  ])("%s", async (_, how, why) => {
    const broken: ToolServerSettings = { name: "broken", enabled: true, transport: "stdio", env: {}, ...how };
    // One deadline holds for every server, and a busy machine may take longer than 1 s to start
    // even server-everything: the server that never answers is started alone, the others beside a good one.
    const neverAnswers = how.command === "sleep";
    const kill = spyOn(process, "kill");
    let terms = 0;
    const { toolbox, failures } = await start(neverAnswers ? [broken] : [everything("good"), broken], neverAnswers ? 1000 : undefined).finally(() => {
      terms = kill.mock.calls.filter(([, signal]) => signal === "SIGTERM").length;
      kill.mockRestore();
    });
    expect(failures).toEqual([{ server: "broken", message: `mcp server "broken" did not start: ${why}${tail.replace("NAME", "broken")}`, reason: why }]);
    // The one that never answered is stopped at once, not left running (or waited for).
    if (neverAnswers) {
      expect(terms).toBe(1);
      expect(toolbox.specs).toEqual([]);
      return;
    }
    expect(toolbox.servers).toEqual(["good"]);
    expect(toolbox.specs.map((spec) => spec.name)).toContain("echo");
  });

  test("a URL where nothing listens, and one that answers HTTP 404", async () => {
    const notFound = Bun.serve({ port: 0, fetch: () => new Response("no MCP here", { status: 404 }) });
    const closed = Bun.serve({ port: 0, fetch: () => new Response("") });
    const closedUrl = `http://127.0.0.1:${closed.port}/mcp`;
    await closed.stop(true);
    try {
      const { failures } = await start([
        { name: "gone", enabled: true, transport: "http", url: closedUrl },
        { name: "wrong", enabled: true, transport: "http", url: `http://127.0.0.1:${notFound.port}/mcp` },
      ]);
      expect(failures).toEqual([
        { server: "gone", message: `mcp server "gone" did not start: could not reach ${closedUrl} (connection refused)${tail.replace("NAME", "gone")}`, reason: expect.any(String) },
        { server: "wrong", message: `mcp server "wrong" did not start: http://127.0.0.1:${notFound.port}/mcp answered HTTP 404${tail.replace("NAME", "wrong")}`, reason: `http://127.0.0.1:${notFound.port}/mcp answered HTTP 404` },
      ]);
    } finally {
      await notFound.stop(true);
    }
  });

  test("a start cancelled by its signal stops every server and throws ToolStartCancelled", async () => {
    const controller = new AbortController();
    const starting = start([everything("quick"), { name: "slow", enabled: true, transport: "stdio", command: "sleep", args: ["600"], env: {} }], undefined, controller.signal);
    const kill = spyOn(process, "kill");
    setTimeout(() => controller.abort(), 300);
    try {
      expect(await starting.then(() => undefined, (e: unknown) => e)).toBeInstanceOf(ToolStartCancelled);
      // Both stopped: the one that had started, and the one still starting.
      expect(kill.mock.calls.filter(([, signal]) => signal === "SIGTERM")).toHaveLength(2);
    } finally {
      kill.mockRestore();
    }
  });
});

describe("streamable HTTP", () => {
  test("server-everything at a URL: tools listed and called", async () => {
    const probe = Bun.serve({ port: 0, fetch: () => new Response("") });
    const port = probe.port;
    await probe.stop(true);
    const server = Bun.spawn([process.execPath, everythingEntry, "streamableHttp"], { env: { ...process.env, PORT: String(port) }, stdout: "ignore", stderr: "pipe" });
    try {
      // Ready once it says it listens.
      const reader = server.stderr.getReader();
      let said = "";
      while (!said.includes("listening on port")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`server-everything did not start: ${said}`);
        said += new TextDecoder().decode(value);
      }
      reader.releaseLock();
      const { toolbox, failures } = await start([{ name: "web", enabled: true, transport: "http", url: `http://127.0.0.1:${port}/mcp` }]);
      expect(failures).toEqual([]);
      expect(toolbox.describe("echo")).toMatchObject({ server: "web", readOnly: true });
      expect(await toolbox.call("echo", { message: "over http" })).toEqual({ text: "Echo: over http", isError: false });
      await toolbox.close();
    } finally {
      server.kill();
      await server.exited;
    }
  });
});

describe("offered names", () => {
  test.each([
    ["read_file", "read_file"],
    ["files.read", "files_read"],
    ["ünïcode tool", "_n_code_tool"],
    ["", "tool"],
    ["x".repeat(80), "x".repeat(64)],
  ])("%s → %s", (name, offered) => {
    expect(sanitiseToolName(name)).toBe(offered);
  });

  test("a clash left after sanitising gets a number; every name stays within 64", () => {
    const long = "y".repeat(70);
    const names = offeredNames([
      { server: "a", tool: "get.file" },
      { server: "a", tool: "get_file" },
      { server: "b", tool: long },
      { server: "b", tool: `${long}z` },
    ]);
    expect(names).toEqual(["get_file", "get_file_2", "y".repeat(64), `${"y".repeat(62)}_2`]);
  });

  test("the allow list matches the tool's own name on its server", () => {
    expect(allowsTool(["files.read.file"], "files", "read.file")).toBe(true);
    expect(allowsTool(["files.*"], "filesystem", "read")).toBe(false);
    expect(allowsTool([], "files", "read")).toBe(false);
  });
});

describe("results as text", () => {
  test("every kind of content", () => {
    const png = Buffer.alloc(12 * 1024).toString("base64");
    expect(
      resultText({
        content: [
          { type: "text", text: "a\u001b[31mb" },
          { type: "image", data: png, mimeType: "image/png" },
          { type: "audio", data: "AAAA", mimeType: "audio/wav" },
          { type: "resource_link", uri: "file:///tmp/x.txt", name: "x.txt" },
          { type: "resource", resource: { uri: "file:///tmp/y.txt", text: "inside y" } },
          { type: "resource", resource: { uri: "file:///tmp/z.bin", mimeType: "application/octet-stream", blob: "AAAA" } },
        ],
      }),
    ).toEqual({
      // Control characters are kept: whoever shows the text makes it safe.
      text: "a\u001b[31mb\n[image image/png, 12 KiB]\n[audio audio/wav, 3 bytes]\nfile:///tmp/x.txt\ninside y\n[resource file:///tmp/z.bin application/octet-stream, 3 bytes]",
      isError: false,
    });
  });

  test("structured content as JSON only when there is no text", () => {
    expect(resultText({ content: [], structuredContent: { a: 1 } })).toEqual({ text: '{"a":1}', isError: false });
    expect(resultText({ content: [{ type: "text", text: "said" }], structuredContent: { a: 1 } })).toEqual({ text: "said", isError: false });
    expect(resultText({ content: [{ type: "text", text: "no" }], isError: true })).toEqual({ text: "no", isError: true });
  });
});

describe("a server with odd names and a crash", () => {
  const odd: ToolServerSettings = { name: "odd", enabled: true, transport: "stdio", command: process.execPath, args: [`${import.meta.dir}/fixtures/mcp/odd-server.ts`], env: {} };

  test("a tool name with a dot is offered with `_`; the allow list still names the tool's own name", async () => {
    const { toolbox, failures } = await start([odd]);
    expect(failures).toEqual([]);
    expect(toolbox.specs.map((spec) => spec.name)).toEqual(["files_read", "crash"]);
    expect(toolbox.describe("files_read")).toMatchObject({ server: "odd", tool: "files.read", readOnly: true });
    expect(toolbox.isAllowed("files_read", ["odd.files.read"])).toBe(true);
    expect(await toolbox.call("files_read", { path: "/x" })).toEqual({ text: 'read {"path":"/x"}', isError: false });
  });

  test("a server that exits during a call: an error result with its last words; its tools then say it stopped", async () => {
    const { toolbox } = await start([odd]);
    expect(await toolbox.call("crash", {}, { timeoutMs: 60_000 })).toEqual({ isError: true, text: 'mcp server "odd" stopped during the call (its last words: crashing now)' });
    expect(await toolbox.call("files_read", {})).toEqual({ isError: true, text: 'mcp server "odd" has stopped; its tools cannot be called' });
  });
});
