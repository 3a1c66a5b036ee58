/**
 * Tools on the wire: what each format sends (the tools offered, a reply's calls, the results)
 * and how a streamed request to run tools is read back, against local servers.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { loadConfig } from "../src/config/index.ts";
import { createProvider } from "../src/chat/provider.ts";
import { ProviderError, type ChatMessage, type StreamEvent, type ToolSpec } from "../src/providers/index.ts";
import { anthropicReply, openaiReply } from "./_cli.ts";
import { startProviderServer, type ProviderServer, type Reply } from "./_provider-server.ts";
import { anthropicToolUse, openaiToolCalls } from "./_tool-replies.ts";

setDefaultTimeout(120_000);

const servers: ProviderServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

function providerAt(name: "anthropic" | "openai", replies: Reply[]) {
  const server = startProviderServer(replies);
  servers.push(server);
  const config = loadConfig({
    env: { HOME: "/nonexistent", ANTHROPIC_API_KEY: "k", OPENAI_API_KEY: "k", ANTHROPIC_BASE_URL: server.url, OPENAI_BASE_URL: `${server.url}/v1` },
  });
  return { server, provider: createProvider(name, config, { retry: { maxRetries: 0 } }) };
}

const echo: ToolSpec = { name: "echo", description: "Echoes back the input", inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] } };
const calls = [
  { id: "call_1", name: "echo", arguments: { message: "ping", nested: { list: [1, "two"] } } },
  { id: "call_2", name: "get-sum", arguments: {} },
];
/** A conversation that ran tools once, then asked again. */
const history: ChatMessage[] = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "ping it" },
  { role: "assistant", content: "Checking.", toolCalls: calls },
  { role: "tool", content: "Echo: ping", toolCallId: "call_1" },
  { role: "tool", content: "no such tool", toolCallId: "call_2", toolError: true },
  { role: "user", content: "and now?" },
];

async function events(provider: ReturnType<typeof providerAt>["provider"], messages: ChatMessage[], tools: ToolSpec[] = [echo]): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of provider.stream({ messages, model: "m", signal: new AbortController().signal, tools })) out.push(event);
  return out;
}

describe.each(["anthropic", "openai"] as const)("%s", (name) => {
  const asks = name === "anthropic" ? anthropicToolUse : openaiToolCalls;

  test("a streamed request to run tools comes as one tool_call per call, whole, before done (tool_use)", async () => {
    const { provider } = providerAt(name, [asks(calls, "Let me look.")]);
    const got = await events(provider, [{ role: "user", content: "ping it" }]);
    expect(got.filter((e) => e.type === "text").map((e) => (e.type === "text" ? e.text : ""))).toEqual(["Let me look."]);
    expect(got.filter((e) => e.type === "tool_call")).toEqual(calls.map((call) => ({ type: "tool_call", call })));
    expect(got.at(-1)).toMatchObject({ type: "done", stopReason: "tool_use" });
  });

  test("a reply that only asks to run tools, with no text, is no empty reply", async () => {
    const { provider } = providerAt(name, [asks([calls[0]!])]);
    const got = await events(provider, [{ role: "user", content: "ping it" }]);
    expect(got.map((e) => e.type)).toEqual(["tool_call", "done"]);
  });

  test("arguments that are not a JSON object are the provider's error, said in one line", async () => {
    const { provider } = providerAt(name, [asks([{ id: "c", name: "echo", arguments: {}, raw: '{"message": "pi' }])]);
    const error = await events(provider, [{ role: "user", content: "q" }]).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toContain('asked to run tool "echo" with arguments that are not a JSON object');
  });
});

describe("OpenAI-compatible servers that leave things out", () => {
  test("a call without an id gets one, for its result to answer; a call without a name is the provider's error", async () => {
    const reply = openaiToolCalls([{ id: "", name: "echo", arguments: { message: "ping" } }]);
    if (reply.kind !== "sse") throw new Error("an sse reply");
    const { provider } = providerAt("openai", [{ ...reply, body: reply.body.replace('"id":"",', "") }]);
    const got = await events(provider, [{ role: "user", content: "q" }]);
    const made = got.find((e) => e.type === "tool_call");
    expect(made?.type === "tool_call" && made.call.id).toMatch(/^call_0_[0-9a-f]{8}$/);
    const unnamed = openaiToolCalls([{ id: "c", name: "", arguments: {} }]);
    const { provider: other } = providerAt("openai", [unnamed]);
    const error = await events(other, [{ role: "user", content: "q" }]).then(() => undefined, (e: unknown) => e);
    expect((error as ProviderError).message).toContain("asked to run a tool without naming it");
  });
});

describe("what is sent", () => {
  test("Anthropic: tools with input_schema; calls as tool_use blocks after the text; results as tool_result blocks, the next question after them in the same turn", async () => {
    const { server, provider } = providerAt("anthropic", [anthropicReply("done")]);
    await events(provider, history);
    const body = server.requests[0]!.body as Record<string, unknown>;
    expect(body.tools).toEqual([{ name: "echo", description: "Echoes back the input", input_schema: echo.inputSchema }]);
    expect(body.system).toBe("Be brief.");
    expect(body.messages).toEqual([
      { role: "user", content: "ping it" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "call_1", name: "echo", input: calls[0]!.arguments },
          { type: "tool_use", id: "call_2", name: "get-sum", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: "Echo: ping" },
          { type: "tool_result", tool_use_id: "call_2", content: "no such tool", is_error: true },
          { type: "text", text: "and now?" },
        ],
      },
    ]);
  });

  test("OpenAI: tools as functions; calls as tool_calls with JSON text arguments; results as tool messages", async () => {
    const { server, provider } = providerAt("openai", [openaiReply("done")]);
    await events(provider, history);
    const body = server.requests[0]!.body as Record<string, unknown>;
    expect(body.tools).toEqual([{ type: "function", function: { name: "echo", description: "Echoes back the input", parameters: echo.inputSchema } }]);
    expect(body.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "ping it" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: calls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.arguments) } })),
      },
      { role: "tool", tool_call_id: "call_1", content: "Echo: ping" },
      { role: "tool", tool_call_id: "call_2", content: "no such tool" },
      { role: "user", content: "and now?" },
    ]);
  });

  test("no tools offered: no tools field at all, in either format", async () => {
    for (const name of ["anthropic", "openai"] as const) {
      const { server, provider } = providerAt(name, [name === "anthropic" ? anthropicReply("hi") : openaiReply("hi")]);
      await events(provider, [{ role: "user", content: "hi" }], []);
      expect(Object.keys(server.requests[0]!.body as object)).not.toContain("tools");
    }
  });
});
