/**
 * End to end: the real synapse process against local servers that misbehave the way real ones
 * were seen to (silent servers, streams that stall or end too early, context overflow), with
 * what the user reads, the exit code, and what the database keeps.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { startHeadersOnlyServer } from "./_provider-server.ts";
import { Home, newSessionId, serve, sourceRunner, sse, stopServers } from "./_cli.ts";

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
      `error: No answer from Anthropic in 1 s. If the model needs longer to start, raise first_byte_timeout under [anthropic] in ${configFile(home)} (0 waits forever).`,
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
        `error: No answer from OpenAI in 1 s. If the model needs longer to start, raise first_byte_timeout under [openai] in ${configFile(home)} (0 waits forever).`,
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
      `error: No answer from Anthropic in 1 s after the reply began. If the model pauses that long, raise idle_timeout under [anthropic] in ${configFile(home)} (0 waits forever).`,
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
    expect(errorLines(result.stderr)).toEqual(["error: Anthropic had a server error (502 Bad Gateway). Try again in a moment."]);
    expect(result.stderr).not.toContain("<");
    expect(result.stderr).not.toContain("upstream server");
  });
});
