/**
 * End to end: the real synapse process against local servers that misbehave the way real ones
 * were seen to (silent servers, streams that stall or end too early, context overflow), with
 * what the user reads, the exit code, and what the database keeps.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { fixture, startHeadersOnlyServer } from "./_provider-server.ts";
import { Home, newSessionId, openaiReply, serve, sourceRunner, sse, stopServers } from "./_cli.ts";

// The preload's setDefaultTimeout holds for the first file of a run only (oven-sh/bun#43787);
// these tests start real processes, which a busy machine makes slow.
setDefaultTimeout(120_000);

afterAll(stopServers);

/** Where {@link Home.config} writes the config file. */
function configFile(home: Home): string {
  return join(home.dir, "config", "synapse", "config.toml");
}

/** The lines of stderr that are errors (the session line and warnings are others). */
function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("error:"));
}

const storyHead = sse([
  ["message_start", { type: "message_start", message: { id: "m", type: "message", role: "assistant", content: [], model: "c", usage: { input_tokens: 1, output_tokens: 1 } } }],
  ["content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }],
  ["content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Once upon a time" } }],
]);

describe("a silent provider", () => {
  test("one that accepts and never answers: the first-byte timeout from the config, one line, exit 1, the question kept", async () => {
    const server = serve([{ kind: "silent" }]);
    const home = new Home(sourceRunner).anthropic(server).config("[anthropic]\nfirst_byte_timeout = 1\n");
    const result = await home.run(["Are you there?"]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(errorLines(result.stderr)).toEqual([
      `error: no answer from Anthropic in 1 s; if the model needs longer to start, raise first_byte_timeout under [anthropic] in ${configFile(home)} (0 waits forever)`,
    ]);
    await server.clientHungUp;
    const { messages } = await home.show(newSessionId(result.stderr));
    expect(messages.map((m) => [m.role, m.content, m.interrupted])).toEqual([["user", "Are you there?", undefined]]);
  });

  test("one that sends the headers and then nothing: the same, for OpenAI", async () => {
    const server = await startHeadersOnlyServer();
    const home = new Home(sourceRunner, { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "sk-openai-test-key-123456" }).config(
      "[openai]\nfirst_byte_timeout = 1\n",
    );
    try {
      const result = await home.run(["-p", "openai", "Hello?"]);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toBe("");
      expect(errorLines(result.stderr)).toEqual([
        `error: no answer from OpenAI in 1 s; if the model needs longer to start, raise first_byte_timeout under [openai] in ${configFile(home)} (0 waits forever)`,
      ]);
      await server.clientHungUp;
      const { messages } = await home.show(newSessionId(result.stderr));
      expect(messages.map((m) => m.content)).toEqual(["Hello?"]);
    } finally {
      await server.stop();
    }
  });

  test("one that stalls mid-reply: the idle timeout, the partial reply printed and kept, marked interrupted", async () => {
    const server = serve([{ kind: "stall", head: storyHead }]);
    const home = new Home(sourceRunner).anthropic(server).config("[anthropic]\nidle_timeout = 1\n");
    const result = await home.run(["Tell me a story"]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("Once upon a time\n");
    expect(errorLines(result.stderr)).toEqual([
      `error: no answer from Anthropic in 1 s after the reply began; if the model pauses that long, raise idle_timeout under [anthropic] in ${configFile(home)} (0 waits forever)`,
    ]);
    await server.clientHungUp;
    const { messages } = await home.show(newSessionId(result.stderr));
    expect(messages.map((m) => [m.role, m.content, m.interrupted])).toEqual([
      ["user", "Tell me a story", undefined],
      ["assistant", "Once upon a time", true],
    ]);
  });
});

describe("a proxy's error page", () => {
  test("is reduced to the status and the page title, on one short line", async () => {
    const page =
      '<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title>\n' +
      `<style>${"h1{font-size:2em}".repeat(300)}</style></head>\n<body><h1>502 Bad Gateway</h1>\n` +
      `<p>${"The upstream server did not answer in time. ".repeat(40)}</p><hr><center>nginx</center></body></html>\n`;
    const server = serve([{ kind: "error", status: 502, text: page, headers: { "content-type": "text/html" } }]);
    const home = new Home(sourceRunner).anthropic(server);
    const result = await home.run(["Hello"]);
    expect(result.exitCode).toBe(1);
    expect(errorLines(result.stderr)).toEqual(["error: Anthropic had a server error (502 Bad Gateway); try again in a moment"]);
    expect(result.stderr).not.toContain("<");
    expect(result.stderr).not.toContain("upstream server");
  });
});

describe("a proxy's error page that never finishes", () => {
  test("is reported by its status with that status's advice, not as a silent server", async () => {
    const server = serve([{ kind: "stall", status: 502, head: "<html><head><title>", headers: { "content-type": "text/html" } }]);
    const home = new Home(sourceRunner, { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "sk-openai-test-key-123456" }).config(
      "[openai]\nfirst_byte_timeout = 30\nidle_timeout = 1\n",
    );
    const result = await home.run(["-p", "openai", "Hello?"]);
    expect(result).toMatchObject({ exitCode: 1, stdout: "" });
    expect(errorLines(result.stderr)).toEqual([
      "error: OpenAI answered 502 Bad Gateway (a server error); its error page never finished; try again in a moment",
    ]);
    // A 502 is retried, as it always is.
    expect(server.requests).toHaveLength(3);
  });
});

describe("a reply the server cut short", () => {
  const openaiEnv = (url: string) => ({ OPENAI_BASE_URL: url, OPENAI_API_KEY: "sk-openai-test-key-123456", SYNAPSE_PROVIDER: "openai" });

  test.each([
    ["openai", "openai/llama-cpp-interrupted.sse", "finish_reason"],
    ["anthropic", "anthropic/no-stop-reason.sse", "stop_reason"],
  ] as const)("%s: a stream (%s) ending without a %s is printed, kept marked interrupted, said on stderr, exit 1", async (name, file, field) => {
    const server = serve([{ kind: "sse", body: await fixture(file) }]);
    const home = name === "openai" ? new Home(sourceRunner, openaiEnv(server.url)) : new Home(sourceRunner).anthropic(server);
    const result = await home.run(["List the first primes"]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("The first three primes are 2, 3\n");
    const label = name === "openai" ? "OpenAI" : "Anthropic";
    expect(errorLines(result.stderr)).toEqual([
      `error: the ${label} reply ended without a ${field}, so it may be cut off (a server can drop a reply when another request arrives); ` +
        "what arrived is kept, marked interrupted; continue the session to ask for the rest",
    ]);
    const { messages } = await home.show(newSessionId(result.stderr));
    expect(messages.map((m) => [m.role, m.content, m.interrupted])).toEqual([
      ["user", "List the first primes", undefined],
      ["assistant", "The first three primes are 2, 3", true],
    ]);
  });
});

describe("a conversation too long for the model", () => {
  const TOO_LONG = "continue it with a model that has a larger context window (-m MODEL), or start a new session";
  const env = (url: string) => ({ OPENAI_BASE_URL: url, OPENAI_API_KEY: "sk-openai-test-key-123456", SYNAPSE_PROVIDER: "openai" });

  test("llama-cpp-python's empty stream: never stored as an answer, the advice instead of 'try again', and -m gets past it", async () => {
    const overflow = { kind: "sse", body: await fixture("openai/llama-cpp-overflow.sse") } as const;
    const server = serve([overflow, overflow, openaiReply("A summary, from the bigger model.")]);
    const home = new Home(sourceRunner, env(server.url));
    const first = await home.run(["A very long question"]);
    expect(first).toMatchObject({ exitCode: 1, stdout: "" });
    const advice = `error: OpenAI sent an empty reply (the stream closed without its end marker): the conversation may be too long for model "gpt-4o-mini"; ${TOO_LONG}`;
    expect(errorLines(first.stderr)).toEqual([advice]);
    const id = newSessionId(first.stderr);
    // Continuing with the same model overflows the same way, and says the same.
    const again = await home.run(["-s", id, "Shorter?"]);
    expect(again.exitCode).toBe(1);
    expect(errorLines(again.stderr)).toEqual([advice]);
    const bigger = await home.run(["-s", id, "-m", "bigger-model", "Summarize"]);
    expect(bigger).toMatchObject({ exitCode: 0, stdout: "A summary, from the bigger model.\n" });
    expect(server.requests[2]!.body).toMatchObject({ model: "bigger-model" });
    const { messages } = await home.show(id);
    expect(messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "A very long question"],
      ["user", "Shorter?"],
      ["user", "Summarize"],
      ["assistant", "A summary, from the bigger model."],
    ]);
  });

  test.each([
    ["LiteLLM's empty reply that says it stopped normally is not stored, exit 1", async () => ({ kind: "sse", body: await fixture("openai/litellm-empty.sse") }) as const],
    ["a reply of whitespace only is an empty reply: the same message, exit 1, nothing printed or stored", async () => openaiReply("  \n")],
  ])("%s", async (_name, reply) => {
    const server = serve([await reply()]);
    const home = new Home(sourceRunner, env(server.url));
    const result = await home.run(["A very long question"]);
    expect(result).toMatchObject({ exitCode: 1, stdout: "" });
    expect(errorLines(result.stderr)).toEqual([
      `error: OpenAI sent an empty reply (finish_reason: stop): the conversation may be too long for model "gpt-4o-mini"; ${TOO_LONG}`,
    ]);
    const { messages } = await home.show(newSessionId(result.stderr));
    expect(messages.map((m) => [m.role, m.content])).toEqual([["user", "A very long question"]]);
  });

  test("Anthropic's explicit 'prompt is too long' gets the same advice", async () => {
    const server = serve([
      { kind: "error", status: 400, json: { type: "error", error: { type: "invalid_request_error", message: "prompt is too long: 208310 tokens > 200000 maximum" } } },
    ]);
    const home = new Home(sourceRunner).anthropic(server);
    const result = await home.run(["A very long question"]);
    expect(result).toMatchObject({ exitCode: 1, stdout: "" });
    expect(errorLines(result.stderr)).toEqual([
      `error: Anthropic says the conversation is too long for model "claude-sonnet-4-5" (400: invalid_request_error: prompt is too long: 208310 tokens > 200000 maximum); ${TOO_LONG}`,
    ]);
  });
});

describe("a session stored with a provider this version does not know", () => {
  test("says so in one line, suggests -p, and -p continues it", async () => {
    const id = "0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20";
    const exported = {
      format: "synapse.session",
      version: 1,
      session: { id, name: null, provider: "future-ai", model: "future-2", systemPrompt: null, createdAt: "2026-11-24T05:15:34.123Z", updatedAt: "2026-11-24T05:16:02.456Z" },
      messages: [
        { id: "1c6f3d2e-9b7a-4e8d-8f1a-2b3c4d5e6f70", role: "user", content: "Hello from the future", timestamp: "2026-11-24T05:15:34.123Z" },
        { id: "2d7a4e3f-0c8b-4f9e-9a2b-3c4d5e6f7a81", role: "assistant", content: "Hi!", timestamp: "2026-11-24T05:16:02.456Z" },
      ],
    };
    const home = new Home(sourceRunner);
    expect(await home.run(["sessions", "import", "-"], { stdin: JSON.stringify(exported) })).toMatchObject({ exitCode: 0 });
    const refused = await home.run(["-s", id, "Still there?"]);
    expect(refused).toMatchObject({ exitCode: 1, stdout: "" });
    expect(refused.stderr).toBe(
      `error: session ${id} was started with provider "future-ai", which is not configured here; ` +
        "to continue it with another provider, add -p NAME (one of anthropic, openai, deepseek, ollama, lmstudio, openrouter, groq, gemini, mistral, echo), " +
        `or add [providers.future-ai] to ${join(home.dir, "config", "synapse", "config.toml")}\n`,
    );
    // Nothing was stored by the refused attempt.
    expect((await home.show(id)).messages).toHaveLength(2);
    const continued = await home.run(["-s", id, "-p", "echo", "Still there?"]);
    expect(continued).toMatchObject({ exitCode: 0, stdout: "Still there?\n" });
    expect((await home.show(id)).messages.map((m) => m.content)).toEqual(["Hello from the future", "Hi!", "Still there?", "Still there?"]);
  });
});
