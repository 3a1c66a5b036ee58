import { afterEach, describe, expect, setDefaultTimeout, spyOn, test } from "bun:test";
import { ConfigError, loadConfig, type ResolvedConfig } from "../src/config/index.ts";
import { createProvider, type CreateProviderOptions } from "../src/chat/provider.ts";
import { log } from "../src/log.ts";
import { ProviderError, type ChatMessage, type Provider, type StreamEvent } from "../src/providers/index.ts";
import { closedPort, fixture, startHeadersOnlyServer, startProviderServer, type ProviderServer, type Reply } from "./_provider-server.ts";

// The preload's setDefaultTimeout holds for the first file of a run only (oven-sh/bun#43787),
// and some tests here outlast Bun's 5 s default by design: this file sets its own.
setDefaultTimeout(120_000);

/** A fake key; every error message, warning and request log is checked not to contain it. */
const KEY = "sk-test-DO-NOT-LEAK-0123456789abcdef";
const FAST: CreateProviderOptions = { retry: { maxRetries: 2, baseDelayMs: 1, maxWaitMs: 5_000 } };
const NO_RETRY: CreateProviderOptions = { retry: { maxRetries: 0 } };

const MESSAGES: ChatMessage[] = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "Say hello" },
  { role: "assistant", content: "Hello?" },
  { role: "user", content: "Again, please" },
];

type Remote = "anthropic" | "openai" | "deepseek";

const servers: ProviderServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

function serve(replies: Reply[]): ProviderServer {
  const server = startProviderServer(replies);
  servers.push(server);
  return server;
}

/** The resolved config a user with keys for all three and base URLs pointing at `url` would get. */
function configFor(provider: Remote, url: string): ResolvedConfig {
  return loadConfig({
    env: {
      HOME: "/nonexistent",
      SYNAPSE_PROVIDER: provider,
      ANTHROPIC_API_KEY: KEY,
      OPENAI_API_KEY: KEY,
      DEEPSEEK_API_KEY: KEY,
      ANTHROPIC_BASE_URL: url,
      OPENAI_BASE_URL: `${url}/v1`,
      DEEPSEEK_BASE_URL: url,
    },
  });
}

function providerFor(name: Remote, server: ProviderServer, options: CreateProviderOptions = FAST): Provider {
  return createProvider(name, configFor(name, server.url), options);
}

/** Like {@link providerFor}, with `[name] first_byte_timeout` and `idle_timeout` set (in seconds). */
function patientFor(name: Remote, server: ProviderServer, timeouts: { firstByte: number; idle: number }): Provider {
  const config = configFor(name, server.url);
  config.providers[name] = { ...config.providers[name]!, firstByteTimeout: timeouts.firstByte, idleTimeout: timeouts.idle };
  return createProvider(name, config, FAST);
}

interface Outcome {
  texts: string[];
  reasoning: string[];
  /** The kind of each event, in the order they came. */
  order: StreamEvent["type"][];
  done: Extract<StreamEvent, { type: "done" }> | undefined;
  error: ProviderError | undefined;
}

async function run(provider: Provider, signal: AbortSignal): Promise<Outcome> {
  const outcome: Outcome = { texts: [], reasoning: [], order: [], done: undefined, error: undefined };
  try {
    for await (const event of provider.stream({ messages: MESSAGES, model: provider.defaultModel, signal })) {
      outcome.order.push(event.type);
      if (event.type === "text") outcome.texts.push(event.text);
      else if (event.type === "reasoning") outcome.reasoning.push(event.text);
      else if (event.type === "done") outcome.done = event;
    }
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    outcome.error = error;
  }
  return outcome;
}

async function runWith(provider: Provider): Promise<Outcome> {
  return run(provider, new AbortController().signal);
}

function sse(body: string, chunkSize?: number): Reply {
  return chunkSize === undefined ? { kind: "sse", body } : { kind: "sse", body, chunkSize };
}

/** Each remote provider, with its recorded streams and what they should produce. */
const SPECS = {
  anthropic: {
    hello: "anthropic/hello.sse",
    helloText: "Hello, wörld — ☃ 👋\nSecond line!",
    helloUsage: { inputTokens: 25, outputTokens: 15 },
    helloRaw: "end_turn",
    maxTokens: "anthropic/max-tokens.sse",
    maxTokensRaw: "max_tokens",
    truncated: "anthropic/truncated.sse",
    errorMidstream: "anthropic/error-midstream.sse",
    path: "/v1/messages",
    errorBody: (type: string, message: string) => ({ type: "error", error: { type, message } }),
    endless: {
      head:
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"m","usage":{"input_tokens":1,"output_tokens":1}}}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"first"}}\n\n',
      repeat: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" more"}}\n\n',
    },
  },
  openai: {
    hello: "openai/hello.sse",
    helloText: "Hello, wörld — ☃ 👋\nSecond line!",
    helloUsage: { inputTokens: 19, outputTokens: 10 },
    helloRaw: "stop",
    maxTokens: "openai/length.sse",
    maxTokensRaw: "length",
    truncated: "openai/truncated.sse",
    errorMidstream: "openai/error-midstream.sse",
    path: "/v1/chat/completions",
    errorBody: (type: string, message: string) => ({ error: { message, type, param: null, code: type } }),
    endless: {
      head: 'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"first"},"finish_reason":null}]}\n\n',
      repeat: 'data: {"choices":[{"index":0,"delta":{"content":" more"},"finish_reason":null}]}\n\n',
    },
  },
  deepseek: {
    hello: "deepseek/reasoner.sse",
    helloText: "你好! How can I help?",
    helloUsage: { inputTokens: 13, outputTokens: 42 },
    helloRaw: "stop",
    maxTokens: "openai/length.sse",
    maxTokensRaw: "length",
    truncated: "openai/truncated.sse",
    errorMidstream: "openai/error-midstream.sse",
    path: "/chat/completions",
    errorBody: (type: string, message: string) => ({ error: { message, type, param: null, code: type } }),
    endless: {
      head: ': keep-alive\n\ndata: {"choices":[{"index":0,"delta":{"role":"assistant","content":"first"},"finish_reason":null}]}\n\n',
      repeat: 'data: {"choices":[{"index":0,"delta":{"content":" more"},"finish_reason":null}]}\n\n',
    },
  },
} as const;

const REMOTES: Remote[] = ["anthropic", "openai", "deepseek"];
const LABELS: Record<Remote, string> = { anthropic: "Anthropic", openai: "OpenAI", deepseek: "DeepSeek" };

/** Every error message produced in this file, to check that none holds the key. */
const messagesSeen: string[] = [];
function remember(outcome: Outcome): Outcome {
  if (outcome.error) messagesSeen.push(outcome.error.message, String(outcome.error.stack));
  return outcome;
}

describe.each(REMOTES)("%s", (name) => {
  const spec = SPECS[name];

  test("streams deltas, then the stop reason and usage", async () => {
    const server = serve([sse(await fixture(spec.hello))]);
    const outcome = await runWith(providerFor(name, server));
    expect(outcome.error).toBeUndefined();
    expect(outcome.texts.join("")).toBe(spec.helloText);
    expect(outcome.texts.length).toBeGreaterThan(1);
    expect(outcome.done).toEqual({ type: "done", stopReason: "end_turn", rawStopReason: spec.helloRaw, usage: spec.helloUsage });
  });

  test("is unaffected by how the bytes are chunked", async () => {
    const server = serve([sse(await fixture(spec.hello), 7)]);
    const outcome = await runWith(providerFor(name, server));
    expect(outcome.texts.join("")).toBe(spec.helloText);
    expect(outcome.done?.usage).toEqual(spec.helloUsage);
  });

  test("normalises a stop at the token limit", async () => {
    const server = serve([sse(await fixture(spec.maxTokens))]);
    // The recorded reply was cut at 4 tokens: the limit this request sends.
    const config = configFor(name, server.url);
    config.providers[name] = { ...config.providers[name]!, maxTokens: 4 };
    const outcome = await runWith(createProvider(name, config, FAST));
    expect(outcome.texts.join("")).toBe("Once upon a");
    expect(outcome.done).toMatchObject({ stopReason: "max_tokens", rawStopReason: spec.maxTokensRaw });
  });

  test("a stream without its end marker is stream_ended_early, keeping the partial text", async () => {
    const server = serve([sse(await fixture(spec.truncated))]);
    const outcome = remember(await runWith(providerFor(name, server)));
    expect(outcome.error?.kind).toBe("stream_ended_early");
    expect(outcome.error?.partialText).toBe("Cut off");
    expect(outcome.texts).toEqual(["Cut off"]);
    expect(outcome.done).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  test("an error event after text is stream_error and is not retried", async () => {
    const server = serve([sse(await fixture(spec.errorMidstream)), sse(await fixture(spec.hello))]);
    const outcome = remember(await runWith(providerFor(name, server)));
    expect(outcome.error?.kind).toBe("stream_error");
    expect(outcome.error?.message).toContain("mid-reply");
    expect(outcome.error?.partialText).toBe("Partial answer");
    expect(server.requests).toHaveLength(1);
  });

  test("a 200 HTML page or JSON body instead of a stream is stream_error", async () => {
    const server = serve([
      { kind: "error", status: 200, text: "<html>Please log in</html>", headers: { "content-type": "text/html" } },
      { kind: "error", status: 200, json: { id: "x", choices: [] } },
    ]);
    for (const type of ["text/html", "application/json"]) {
      const outcome = remember(await runWith(providerFor(name, server, NO_RETRY)));
      expect(outcome.error?.kind).toBe("stream_error");
      expect(outcome.error?.message).toContain(`answered with ${type} instead of an event stream`);
    }
  });

  test("a loosely labelled event stream is still read", async () => {
    const server = serve([{ kind: "sse", body: await fixture(spec.hello), headers: { "content-type": "text/plain" } }]);
    const outcome = await runWith(providerFor(name, server));
    expect(outcome.texts.join("")).toBe(spec.helloText);
  });

  test("retries a 429 with retry-after: 0, then streams", async () => {
    const server = serve([
      { kind: "error", status: 429, json: spec.errorBody("rate_limit_error", "slow down"), headers: { "retry-after": "0" } },
      sse(await fixture(spec.hello)),
    ]);
    const warn = spyOn(log, "warn").mockImplementation(Object.assign(() => {}, { raw: () => {} }));
    try {
      const outcome = await runWith(providerFor(name, server));
      expect(outcome.error).toBeUndefined();
      expect(outcome.texts.join("")).toBe(spec.helloText);
      expect(server.requests).toHaveLength(2);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain("retrying");
      expect(String(warn.mock.calls[0]?.[0])).not.toContain(KEY);
    } finally {
      warn.mockRestore();
    }
  });

  test("gives up after the retry budget", async () => {
    const server = serve([{ kind: "error", status: 500, json: spec.errorBody("api_error", "boom"), headers: { "retry-after": "0" } }]);
    const warn = spyOn(log, "warn").mockImplementation(Object.assign(() => {}, { raw: () => {} }));
    try {
      const outcome = remember(await runWith(providerFor(name, server)));
      expect(outcome.error?.kind).toBe("server");
      expect(server.requests).toHaveLength(3);
    } finally {
      warn.mockRestore();
    }
  });

  test("does not wait for a retry-after beyond the cap", async () => {
    const server = serve([{ kind: "error", status: 429, json: spec.errorBody("rate_limit_error", "slow down"), headers: { "retry-after": "3600" } }]);
    const started = performance.now();
    const outcome = remember(await runWith(providerFor(name, server)));
    // Far below the hour asked for and the 30 s cap, however busy the machine: it did not wait.
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(outcome.error?.kind).toBe("rate_limit");
    expect(outcome.error?.retryAfterMs).toBe(3_600_000);
    expect(outcome.error?.message).toContain("retry after 3600 s");
    expect(server.requests).toHaveLength(1);
  });

  test("a connection refused is a network error", async () => {
    const port = await closedPort();
    const provider = createProvider(name, configFor(name, `http://127.0.0.1:${port}`), FAST);
    const outcome = remember(await runWith(provider));
    expect(outcome.error?.kind).toBe("network");
    expect(outcome.error?.message).toContain(`http://127.0.0.1:${port}`);
    expect(outcome.error?.message).toContain(`${name.toUpperCase()}_BASE_URL`);
  });

  test("cancelling after the first delta closes the connection and keeps what arrived", async () => {
    const server = serve([{ kind: "endless", ...spec.endless, intervalMs: 20 }]);
    const controller = new AbortController();
    const texts: string[] = [];
    let caught: unknown;
    try {
      const stream = providerFor(name, server).stream({ messages: MESSAGES, model: "m", signal: controller.signal });
      for await (const event of stream) {
        if (event.type === "text") texts.push(event.text);
        controller.abort();
      }
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProviderError);
    expect((caught as ProviderError).kind).toBe("cancelled");
    expect((caught as ProviderError).partialText).toBe("first");
    expect(texts).toEqual(["first"]);
    // A bound that only a client that never hangs up reaches, however busy the machine.
    await withTimeout(server.clientHungUp, 30_000, "the server never saw the client go");
    const sentAtHangUp = server.endlessSent();
    await Bun.sleep(100);
    expect(server.endlessSent()).toBe(sentAtHangUp);
  });

  test("events already read are not delivered once the caller has cancelled", async () => {
    // The text and three more pieces in one chunk, as a busy client reads them: none after the cancel.
    const server = serve([sse(spec.endless.head + spec.endless.repeat.repeat(3))]);
    const controller = new AbortController();
    const texts: string[] = [];
    let caught: unknown;
    try {
      for await (const event of providerFor(name, server).stream({ messages: MESSAGES, model: "m", signal: controller.signal })) {
        if (event.type === "text") texts.push(event.text);
        controller.abort();
      }
    } catch (error) {
      caught = error;
    }
    expect(texts).toEqual(["first"]);
    expect(caught).toMatchObject({ kind: "cancelled", partialText: "first" });
  });

  test("a server that accepts and never answers times out after first_byte_timeout, naming it", async () => {
    const server = serve([{ kind: "silent" }]);
    const outcome = remember(await runWith(patientFor(name, server, { firstByte: 0.5, idle: 60 })));
    expect(outcome.error?.kind).toBe("timeout");
    expect(outcome.error?.message).toBe(
      `no answer from ${LABELS[name]} in 0.5 s; if the model needs longer to start, raise first_byte_timeout ` +
        `under [${name}] in /nonexistent/.config/synapse/config.toml (0 waits forever)`,
    );
    expect(outcome.error?.partialText).toBe("");
    await server.clientHungUp;
    // Not retried: a retry would make the user wait as long again.
    expect(server.requests).toHaveLength(1);
  });

  test("cancelling while waiting for the first byte is a cancel, not a timeout, and hangs up", async () => {
    const server = serve([{ kind: "silent" }]);
    const controller = new AbortController();
    const outcome = run(patientFor(name, server, { firstByte: 60, idle: 60 }), controller.signal);
    while (server.requests.length === 0) await Bun.sleep(10);
    controller.abort();
    expect((await outcome).error?.kind).toBe("cancelled");
    await server.clientHungUp;
  });

  test("a server that sends the headers and then nothing times out after first_byte_timeout", async () => {
    const server = await startHeadersOnlyServer();
    servers.push(server);
    const outcome = remember(await runWith(patientFor(name, server, { firstByte: 0.5, idle: 60 })));
    expect(outcome.error?.kind).toBe("timeout");
    expect(outcome.error?.message).toStartWith(`no answer from ${LABELS[name]} in 0.5 s; if the model needs longer to start`);
    await server.clientHungUp;
    expect(server.requests).toHaveLength(1);
  });

  test("a stream that stalls after some text times out after idle_timeout, keeping the text", async () => {
    const server = serve([{ kind: "stall", head: spec.endless.head }]);
    const outcome = remember(await runWith(patientFor(name, server, { firstByte: 60, idle: 0.5 })));
    expect(outcome.error?.kind).toBe("timeout");
    expect(outcome.error?.message).toStartWith(
      `no answer from ${LABELS[name]} in 0.5 s after the reply began; if the model pauses that long, raise idle_timeout under [${name}]`,
    );
    expect(outcome.texts).toEqual(["first"]);
    expect(outcome.error?.partialText).toBe("first");
    await server.clientHungUp;
  });

  test("breaking out of the loop also closes the connection", async () => {
    const server = serve([{ kind: "endless", ...spec.endless, intervalMs: 20 }]);
    const stream = providerFor(name, server).stream({ messages: MESSAGES, model: "m", signal: new AbortController().signal });
    for await (const event of stream) {
      expect(event).toEqual({ type: "text", text: "first" });
      break;
    }
    // A bound that only a client that never hangs up reaches, however busy the machine.
    await withTimeout(server.clientHungUp, 30_000, "the server never saw the client go");
  });
});

test("bytes that keep coming, keep-alive comments included, hold the idle timeout off", async () => {
  // After the text, only keep-alive comments, every 100 ms. The idle timeout (10 s) is far
  // longer than any pause a busy machine makes, so no gap between keep-alives can reach it; the
  // test ends once the server has sent enough of them to span 12 s, longer than the timeout, so
  // a stream whose keep-alives did not reset the timer would have timed out by then. The span is
  // counted by the server (an interval never fires early), not guessed from the test's clock.
  const intervalMs = 100;
  const idleSeconds = 10;
  const server = serve([{ kind: "endless", head: SPECS.deepseek.endless.head, repeat: ": keep-alive\n\n", intervalMs }]);
  const controller = new AbortController();
  const events = patientFor("deepseek", server, { firstByte: 60, idle: idleSeconds })
    .stream({ messages: MESSAGES, model: "m", signal: controller.signal })
    [Symbol.asyncIterator]();
  expect((await events.next()).value).toEqual({ type: "text", text: "first" });
  let settled = false;
  const rest = events.next().then(
    () => undefined,
    (error: unknown) => error,
  );
  void rest.finally(() => (settled = true));
  const sentAtStart = server.endlessSent();
  while (!settled && (server.endlessSent() - sentAtStart) * intervalMs < (idleSeconds + 2) * 1000) await Bun.sleep(50);
  controller.abort();
  expect(await rest).toMatchObject({ kind: "cancelled", partialText: "first" });
});

function withTimeout(promise: Promise<void>, ms: number, message: string): Promise<void> {
  return Promise.race([promise, Bun.sleep(ms).then(() => Promise.reject(new Error(message)))]);
}

describe("requests", () => {
  test("anthropic: /v1/messages, key header, version, top-level system", async () => {
    const server = serve([sse(await fixture("anthropic/hello.sse"))]);
    await runWith(providerFor("anthropic", server));
    const [request] = server.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v1/messages");
    expect(request?.headers["x-api-key"]).toBe(KEY);
    expect(request?.headers["anthropic-version"]).toBe("2023-06-01");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.body).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 4096,
      system: "Be brief.",
      messages: [
        { role: "user", content: "Say hello" },
        { role: "assistant", content: "Hello?" },
        { role: "user", content: "Again, please" },
      ],
      stream: true,
    });
  });

  test("openai: /v1/chat/completions, bearer key, usage requested; the limit as max_tokens for a server that is not OpenAI's", async () => {
    const server = serve([sse(await fixture("openai/hello.sse"))]);
    await runWith(providerFor("openai", server));
    const [request] = server.requests;
    expect(request?.path).toBe("/v1/chat/completions");
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.body).toEqual({
      model: "gpt-4o-mini",
      messages: MESSAGES,
      max_tokens: 4096,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  test("openai: the limit as max_completion_tokens where the config says so (OpenAI's own API does)", async () => {
    const server = serve([sse(await fixture("openai/hello.sse"))]);
    const config = configFor("openai", server.url);
    config.providers.openai = { ...config.providers.openai!, maxTokensField: "max_completion_tokens" };
    await runWith(createProvider("openai", config, FAST));
    expect(server.requests[0]?.body).toMatchObject({ max_completion_tokens: 4096 });
    expect(server.requests[0]?.body).not.toHaveProperty("max_tokens");
  });

  test("openai: `length` under the limit we sent is the server's own stop (its context), not our max_tokens", async () => {
    const server = serve([sse(await fixture("openai/length.sse"))]);
    const outcome = await runWith(providerFor("openai", server));
    expect(outcome.done).toMatchObject({ stopReason: "other", rawStopReason: "length" });
  });

  test("deepseek: /chat/completions on its own base, max_tokens", async () => {
    const server = serve([sse(await fixture("deepseek/reasoner.sse"))]);
    await runWith(providerFor("deepseek", server));
    const [request] = server.requests;
    expect(request?.path).toBe("/chat/completions");
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.body).toMatchObject({ model: "deepseek-chat", max_tokens: 4096, stream: true });
  });

  test("the request's model and maxTokens win over the defaults", async () => {
    const server = serve([sse(await fixture("anthropic/hello.sse"))]);
    const provider = providerFor("anthropic", server);
    for await (const _ of provider.stream({ messages: MESSAGES, model: "claude-x", maxTokens: 99, signal: new AbortController().signal })) {
      // drain
    }
    expect(server.requests[0]?.body).toMatchObject({ model: "claude-x", max_tokens: 99 });
  });

});

describe("reasoning", () => {
  test("deepseek's reasoning_content comes as reasoning, before the answer, and is never part of it", async () => {
    const server = serve([sse(await fixture("deepseek/reasoner.sse"))]);
    const outcome = await runWith(providerFor("deepseek", server));
    expect(outcome.reasoning).toEqual(["SECRET-THOUGHTS: the user says hi."]);
    expect(outcome.texts.join("")).toBe("你好! How can I help?");
    expect(outcome.order).toEqual(["reasoning", "text", "text", "done"]);
    expect(outcome.done).toMatchObject({ stopReason: "end_turn", usage: { inputTokens: 13, outputTokens: 42 } });
  });

  test.each([1, 2, 5])("deepseek's reasoning and answer survive %d-byte chunks (multi-byte characters cut)", async (size) => {
    const server = serve([sse(await fixture("deepseek/reasoner.sse"), size)]);
    const outcome = await runWith(providerFor("deepseek", server));
    expect(outcome.reasoning.join("")).toBe("SECRET-THOUGHTS: the user says hi.");
    expect(outcome.texts.join("")).toBe("你好! How can I help?");
  });

  test("any OpenAI-compatible server sending reasoning_content is read the same way", async () => {
    const server = serve([sse(await fixture("deepseek/reasoner.sse"))]);
    const outcome = await runWith(providerFor("openai", server));
    expect(outcome.reasoning).toEqual(["SECRET-THOUGHTS: the user says hi."]);
    expect(outcome.texts.join("")).toBe("你好! How can I help?");
  });

  test("anthropic: a thinking block is reasoning, its signature is nothing, the text block the answer", async () => {
    const server = serve([sse(await fixture("anthropic/thinking.sse"))]);
    const outcome = await runWith(providerFor("anthropic", server));
    expect(outcome.reasoning).toEqual(["The user greets me; I should greet back."]);
    expect(outcome.texts).toEqual(["Hi there."]);
    expect(outcome.order).toEqual(["reasoning", "text", "done"]);
    expect(outcome.done?.usage).toEqual({ inputTokens: 40, outputTokens: 31 });
  });

  test("anthropic: a redacted_thinking block's encrypted data reaches neither the reasoning nor the answer", async () => {
    const body = await fixture("anthropic/redacted-thinking.sse");
    const server = serve([sse(body, 11)]);
    const outcome = await runWith(providerFor("anthropic", server));
    expect(outcome.error).toBeUndefined();
    expect(outcome.reasoning.join("")).toBe("Two primes below ten:\n1. 2 is prime\n2. 3 is prime");
    expect(outcome.texts.join("")).toBe("2 and 3.");
    const everything = [...outcome.reasoning, ...outcome.texts].join("");
    // Neither the block's encrypted data nor the thinking block's signature is text to show.
    expect(body).toContain("EmwKAhgBEgy3va3pzix");
    expect(everything).not.toContain("EmwKAhgBEgy3va3pzix");
    expect(everything).not.toContain("ErUBCkYIARgCIkAC");
    expect(outcome.done).toMatchObject({ stopReason: "end_turn", usage: { inputTokens: 52, outputTokens: 88 } });
  });

  test("an error worth retrying after reasoning arrived is not retried: the thinking was already shown", async () => {
    const head =
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"c","usage":{"input_tokens":1,"output_tokens":1}}}\n\n' +
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}\n\n' +
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hmm"}}\n\n' +
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    const server = serve([sse(head), sse(await fixture("anthropic/hello.sse"))]);
    const outcome = remember(await runWith(providerFor("anthropic", server)));
    expect(outcome.reasoning).toEqual(["Hmm"]);
    expect(outcome.error?.kind).toBe("overloaded");
    // Reasoning is no part of the text kept.
    expect(outcome.error?.partialText).toBe("");
    expect(server.requests).toHaveLength(1);
  });

  test("a reply that only reasoned is an empty reply, its reasoning delivered as it came", async () => {
    const chunk = (delta: unknown, finish: string | null) => `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const body = chunk({ role: "assistant", content: null, reasoning_content: "Thinking" }, null) + chunk({ reasoning_content: " more" }, null) + chunk({}, "stop") + "data: [DONE]\n\n";
    const server = serve([sse(body)]);
    const outcome = remember(await runWith(providerFor("deepseek", server)));
    expect(outcome.reasoning).toEqual(["Thinking", " more"]);
    expect(outcome.texts).toEqual([]);
    expect(outcome.done).toBeUndefined();
    expect(outcome.error).toMatchObject({ kind: "context_length", partialText: "" });
  });
});

describe("HTTP errors", () => {
  type Row = [Remote, number, string, string, Record<string, string>?];
  const rows: Row[] = [
    ["anthropic", 400, "invalid_request_error", "bad_request"],
    ["anthropic", 401, "authentication_error", "auth"],
    ["anthropic", 403, "permission_error", "auth"],
    ["anthropic", 404, "not_found_error", "not_found"],
    ["anthropic", 413, "request_too_large", "bad_request"],
    ["anthropic", 429, "rate_limit_error", "rate_limit", { "retry-after": "7" }],
    ["anthropic", 500, "api_error", "server"],
    ["anthropic", 529, "overloaded_error", "overloaded"],
    ["openai", 400, "invalid_request_error", "bad_request"],
    ["openai", 401, "invalid_api_key", "auth"],
    ["openai", 404, "model_not_found", "not_found"],
    ["openai", 429, "rate_limit_exceeded", "rate_limit"],
    ["openai", 429, "insufficient_quota", "quota"],
    ["openai", 500, "server_error", "server"],
    ["openai", 503, "service_unavailable", "overloaded"],
    ["deepseek", 400, "invalid_request_error", "bad_request"],
    ["deepseek", 401, "authentication_error", "auth"],
    ["deepseek", 402, "insufficient_balance", "quota"],
    ["deepseek", 422, "invalid_parameters", "bad_request"],
    ["deepseek", 429, "rate_limit_reached", "rate_limit"],
    ["deepseek", 500, "server_error", "server"],
    ["deepseek", 503, "server_overloaded", "overloaded"],
  ];

  test.each(rows)("%s %d %s → %s", async (name, status, type, kind, headers = {}) => {
    // The server echoes the key, as OpenAI's "Incorrect API key provided: …" does.
    const server = serve([{ kind: "error", status, json: SPECS[name].errorBody(type, `Problem with ${KEY}`), headers }]);
    const outcome = remember(await runWith(providerFor(name, server, NO_RETRY)));
    const error = outcome.error;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error?.kind).toBe(kind as ProviderError["kind"]);
    expect(error?.status).toBe(status);
    expect(error?.provider).toBe(name);
    expect(error?.message).toContain(String(status));
    expect(error?.message).toContain(type);
    expect(error?.message).not.toContain(KEY);
    if (kind === "auth") expect(error?.message).toContain(`${name.toUpperCase()}_API_KEY`);
    if (kind === "not_found") expect(error?.message).toContain(`model "${configFor(name, server.url).model}"`);
    if (headers["retry-after"]) expect(error?.retryAfterMs).toBe(Number(headers["retry-after"]) * 1000);
  });

  test("quota errors are not retried", async () => {
    const server = serve([{ kind: "error", status: 429, json: SPECS.openai.errorBody("insufficient_quota", "You exceeded your current quota") }]);
    const outcome = remember(await runWith(providerFor("openai", server, FAST)));
    expect(outcome.error?.kind).toBe("quota");
    expect(server.requests).toHaveLength(1);
  });

  test("auth errors are not retried", async () => {
    const server = serve([{ kind: "error", status: 401, json: SPECS.anthropic.errorBody("authentication_error", "invalid x-api-key") }]);
    const outcome = remember(await runWith(providerFor("anthropic", server, FAST)));
    expect(outcome.error?.kind).toBe("auth");
    expect(server.requests).toHaveLength(1);
  });

  // What proxies send: nginx's page, and a big one with scripts and styles, as text/html.
  const NGINX_502 =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n" +
    "<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n";
  const BIG_PAGE =
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>\n  example.test | 502: Bad gateway &amp; more\n</title>\n' +
    `<style>${"body{margin:0}".repeat(400)}</style>\n<script>${"window.x=1;".repeat(400)}</script>\n</head>\n` +
    `<body><div id="cf-error-details"><h1>Bad gateway</h1><p>${"The web server reported a bad gateway error. ".repeat(50)}</p></div></body>\n</html>\n`;

  test.each([
    ["nginx's page", NGINX_502, "(502 Bad Gateway)"],
    ["a big page with scripts", BIG_PAGE, "(502: example.test | 502: Bad gateway & more)"],
    ["a page without a title", "<!doctype html><html><body><h1>Oops</h1><script>alert(1)</script></body></html>", "(502)"],
  ])("an HTML error page (%s) shows the status and the page title at most, on one short line", async (_, page, said) => {
    const server = serve([{ kind: "error", status: 502, text: page, headers: { "content-type": "text/html" } }]);
    const outcome = remember(await runWith(providerFor("openai", server, NO_RETRY)));
    expect(outcome.error?.kind).toBe("server");
    const message = outcome.error?.message ?? "";
    expect(message).toBe(`OpenAI had a server error ${said}; try again in a moment`);
    expect(message).not.toContain("<");
    expect(message).not.toContain("\n");
  });

  // A proxy's 502 page that sends its first bytes and then stalls: the status line is the answer.
  const STALLED_502: Reply = { kind: "stall", status: 502, head: "<html><head><title>", headers: { "content-type": "text/html" } };

  test("an error page that never finishes is reported by its status once the idle timeout passes, and hung up on", async () => {
    const server = serve([STALLED_502]);
    // The first-byte wait (30 s) is not what ends it: the status line ended that wait.
    const config = configFor("openai", server.url);
    config.providers.openai = { ...config.providers.openai!, firstByteTimeout: 30, idleTimeout: 0.5 };
    const outcome = remember(await runWith(createProvider("openai", config, NO_RETRY)));
    expect(outcome.error?.kind).toBe("server");
    expect(outcome.error?.status).toBe(502);
    expect(outcome.error?.message).toBe("OpenAI answered 502 Bad Gateway (a server error); its error page never finished; try again in a moment");
    await server.clientHungUp;
  });

  test("an unfinished error body is bounded even without an idle timeout, and keeps the status's advice", async () => {
    const server = serve([{ kind: "stall", status: 401, head: '{"error": {"message": "Incorrect API', headers: { "content-type": "application/json" } }]);
    const config = configFor("anthropic", server.url);
    config.providers.anthropic = { ...config.providers.anthropic!, firstByteTimeout: 0, idleTimeout: 0 };
    const outcome = remember(await runWith(createProvider("anthropic", config, NO_RETRY)));
    expect(outcome.error?.kind).toBe("auth");
    expect(outcome.error?.message).toBe(
      "Anthropic answered 401 Unauthorized (the API key was rejected); its error message never finished; " +
        "check ANTHROPIC_API_KEY or api_key under [anthropic] in /nonexistent/.config/synapse/config.toml",
    );
    await server.clientHungUp;
  });

  test("a stalled error page is retried like any other 502", async () => {
    const server = serve([STALLED_502, sse(await fixture("openai/hello.sse"))]);
    const config = configFor("openai", server.url);
    config.providers.openai = { ...config.providers.openai!, firstByteTimeout: 30, idleTimeout: 0.5 };
    const warn = spyOn(log, "warn").mockImplementation(Object.assign(() => {}, { raw: () => {} }));
    try {
      const outcome = await runWith(createProvider("openai", config, FAST));
      expect(outcome.error).toBeUndefined();
      expect(outcome.texts.join("")).toBe(SPECS.openai.helloText);
      expect(server.requests).toHaveLength(2);
    } finally {
      warn.mockRestore();
    }
  });

  test("a 200 HTML page that never finishes is no stream either, said at once rather than as a timeout", async () => {
    // Its title never ends either: what the message says cannot depend on how much arrived in time.
    const server = serve([{ kind: "stall", head: "<html><head><title>Sign in", headers: { "content-type": "text/html" } }]);
    const config = configFor("openai", server.url);
    config.providers.openai = { ...config.providers.openai!, firstByteTimeout: 30, idleTimeout: 0.5 };
    const outcome = remember(await runWith(createProvider("openai", config, NO_RETRY)));
    expect(outcome.error?.kind).toBe("stream_error");
    expect(outcome.error?.message).toBe(
      "OpenAI answered with text/html instead of an event stream, which never finished; check OPENAI_BASE_URL / base_url",
    );
    await server.clientHungUp;
  });

  test("a page title is clipped, and plain text too", async () => {
    const longTitle = `<html><head><title>${"Service unavailable ".repeat(30)}</title></head></html>`;
    const server = serve([
      { kind: "error", status: 502, text: longTitle, headers: { "content-type": "text/html" } },
      { kind: "error", status: 502, text: `upstream connect error or disconnect/reset before headers. ${"x".repeat(5000)}` },
    ]);
    for (let i = 0; i < 2; i++) {
      const message = remember(await runWith(providerFor("openai", server, NO_RETRY))).error?.message ?? "";
      expect(message).toStartWith("OpenAI had a server error (502: ");
      expect(message.length).toBeLessThan(200);
    }
  });

  test("a 200 HTML page instead of a stream names its title only", async () => {
    const server = serve([{ kind: "error", status: 200, text: NGINX_502.replace(/502 Bad Gateway/g, "Sign in to the Wi-Fi"), headers: { "content-type": "text/html" } }]);
    const outcome = remember(await runWith(providerFor("openai", server, NO_RETRY)));
    expect(outcome.error?.message).toBe(
      "OpenAI answered with text/html instead of an event stream (Sign in to the Wi-Fi); check OPENAI_BASE_URL / base_url",
    );
  });
});

describe("how a reply ends", () => {
  const TOO_LONG = "continue it with a model that has a larger context window (-m MODEL), or start a new session";

  test("llama-cpp-python's [DONE] without a finish_reason (another request arrived) may be cut off: an error keeping the text", async () => {
    const server = serve([sse(await fixture("openai/llama-cpp-interrupted.sse"))]);
    const outcome = remember(await runWith(providerFor("openai", server)));
    expect(outcome.texts.join("")).toBe("The first three primes are 2, 3");
    expect(outcome.done).toBeUndefined();
    expect(outcome.error?.kind).toBe("stream_ended_early");
    expect(outcome.error?.partialText).toBe("The first three primes are 2, 3");
    expect(outcome.error?.message).toBe(
      "the OpenAI reply ended without a finish_reason, so it may be cut off (a server can drop a reply when another request arrives); " +
        "what arrived is kept, marked interrupted; continue the session to ask for the rest",
    );
    expect(server.requests).toHaveLength(1);
  });

  test("Anthropic's message_stop without a message_delta stop_reason may be cut off too", async () => {
    const server = serve([sse(await fixture("anthropic/no-stop-reason.sse"))]);
    const outcome = remember(await runWith(providerFor("anthropic", server)));
    expect(outcome.done).toBeUndefined();
    expect(outcome.error?.kind).toBe("stream_ended_early");
    expect(outcome.error?.message).toStartWith("the Anthropic reply ended without a stop_reason, so it may be cut off");
    expect(outcome.error?.partialText).toBe("The first three primes are 2, 3");
  });

  /** [case, provider, recorded stream (`""`: no bytes at all), how the message says it ended] */
  const empties: [string, Remote, string, string][] = [
    ["llama-cpp-python over its context: 200 and no bytes at all", "openai", "", "the stream closed without its end marker"],
    ["llama-cpp-python over its context: 200 and the role chunk only", "openai", "openai/llama-cpp-overflow.sse", "the stream closed without its end marker"],
    ["LiteLLM over its backend's context: an empty reply that says it stopped", "openai", "openai/litellm-empty.sse", "finish_reason: stop"],
    ["an empty Anthropic message", "anthropic", "anthropic/empty.sse", "stop_reason: end_turn"],
  ];
  test.each(empties)("an empty reply is never an answer: %s", async (_, name, file, said) => {
    const server = serve([sse(file === "" ? "" : await fixture(file))]);
    const outcome = remember(await runWith(providerFor(name, server)));
    expect(outcome.done).toBeUndefined();
    expect(outcome.error?.kind).toBe("context_length");
    const model = configFor(name, server.url).model;
    expect(outcome.error?.message).toBe(
      `${LABELS[name]} sent an empty reply (${said}): the conversation may be too long for model "${model}"; ${TOO_LONG}`,
    );
    expect(outcome.error?.message).not.toContain("try again");
    // Not retried: the same conversation overflows the same way.
    expect(server.requests).toHaveLength(1);
  });

  const openaiText = (pieces: string[]) => {
    const chunk = (delta: unknown, finish: string | null) => `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    return chunk({ role: "assistant", content: "" }, null) + pieces.map((piece) => chunk({ content: piece }, null)).join("") + chunk({}, "stop") + "data: [DONE]\n\n";
  };
  const anthropicText = (pieces: string[]) =>
    'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"c","usage":{"input_tokens":1,"output_tokens":1}}}\n\n' +
    pieces.map((text) => `event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } })}\n\n`).join("") +
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n';

  test.each([
    ["openai", openaiText(["  \n"]), "finish_reason: stop"],
    ["openai", openaiText([" ", "\n\n", "\t\u200b"]), "finish_reason: stop"],
    ["anthropic", anthropicText(["\n", "  "]), "stop_reason: end_turn"],
  ] as const)("%s: a reply of whitespace only is an empty reply, none of it delivered", async (name, body, said) => {
    const server = serve([sse(body)]);
    const outcome = remember(await runWith(providerFor(name, server)));
    expect(outcome.texts).toEqual([]);
    expect(outcome.done).toBeUndefined();
    expect(outcome.error?.kind).toBe("context_length");
    expect(outcome.error?.partialText).toBe("");
    const model = configFor(name, server.url).model;
    expect(outcome.error?.message).toBe(
      `${LABELS[name]} sent an empty reply (${said}): the conversation may be too long for model "${model}"; ${TOO_LONG}`,
    );
    expect(server.requests).toHaveLength(1);
  });

  test("whitespace before the text is delivered with it, and whitespace after it as it comes", async () => {
    const server = serve([sse(openaiText(["\n", "  ", "Hi", " ", "\n"]))]);
    const outcome = await runWith(providerFor("openai", server));
    expect(outcome.error).toBeUndefined();
    expect(outcome.texts).toEqual(["\n  Hi", " ", "\n"]);
    expect(outcome.done?.stopReason).toBe("end_turn");
  });

  test("whitespace held back is not part of the text kept when the stream then fails", async () => {
    const error = `data: ${JSON.stringify({ error: { message: "The server had an error", type: "server_error", param: null, code: null } })}\n\n`;
    const server = serve([sse(openaiText(["  \n"]).split("data: {\"choices\":[{\"index\":0,\"delta\":{}")[0]! + error)]);
    const outcome = remember(await runWith(providerFor("openai", server, NO_RETRY)));
    expect(outcome.texts).toEqual([]);
    expect(outcome.error?.message).toContain("The server had an error");
    expect(outcome.error?.partialText).toBe("");
  });

  test("an empty reply stopped at the token limit also points at max_tokens", async () => {
    const chunk = (delta: unknown, finish: string | null) => `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const body = chunk({ role: "assistant", content: "", reasoning_content: "Let me think" }, null) + chunk({}, "length") + "data: [DONE]\n\n";
    const server = serve([sse(body)]);
    const outcome = remember(await runWith(providerFor("deepseek", server)));
    // The whole budget went on thinking, which was shown as it came.
    expect(outcome.reasoning).toEqual(["Let me think"]);
    expect(outcome.error?.kind).toBe("context_length");
    expect(outcome.error?.message).toBe(
      'DeepSeek sent an empty reply (finish_reason: length): the conversation may be too long for model "deepseek-chat", ' +
        `or max_tokens under [deepseek] in /nonexistent/.config/synapse/config.toml too small for it (raise it); ${TOO_LONG}`,
    );
  });

  test("a content filter's empty reply says it was withheld", async () => {
    const body = `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "content_filter" }] })}\n\ndata: [DONE]\n\n`;
    const server = serve([sse(body)]);
    const outcome = remember(await runWith(providerFor("openai", server)));
    expect(outcome.error?.kind).toBe("stream_error");
    expect(outcome.error?.message).toStartWith("OpenAI withheld its reply (finish_reason: content_filter); nothing was stored as an answer;");
  });

  const overflows: [string, Remote, Reply, string][] = [
    [
      "OpenAI's 400 context_length_exceeded",
      "openai",
      {
        kind: "error",
        status: 400,
        json: {
          error: {
            message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130412 tokens. Please reduce the length of the messages.",
            type: "invalid_request_error",
            param: "messages",
            code: "context_length_exceeded",
          },
        },
      },
      "(400: invalid_request_error: This model's maximum context length is 128000 tokens.",
    ],
    [
      "llama-cpp-python's 400 context_length_exceeded",
      "deepseek",
      {
        kind: "error",
        status: 400,
        json: {
          error: {
            message: "This model's maximum context length is 2048 tokens. However, you requested 2301 tokens (2301 in the messages, None in the completion). Please reduce the length of the messages or completion.",
            type: "invalid_request_error",
            param: "messages",
            code: "context_length_exceeded",
          },
        },
      },
      "(400: invalid_request_error: This model's maximum context length is 2048 tokens.",
    ],
    [
      "Anthropic's 400 prompt is too long",
      "anthropic",
      { kind: "error", status: 400, json: { type: "error", error: { type: "invalid_request_error", message: "prompt is too long: 208310 tokens > 200000 maximum" } } },
      "(400: invalid_request_error: prompt is too long: 208310 tokens > 200000 maximum)",
    ],
    [
      "LiteLLM's error chunk mid-stream",
      "openai",
      sse(`data: ${JSON.stringify({ error: { message: "litellm.ContextWindowExceededError: litellm.BadRequestError: Context Window Exceeded", type: null, param: null, code: "400" } })}\n\n`),
      "(400: litellm.ContextWindowExceededError: litellm.BadRequestError: Context Window Exceeded)",
    ],
    [
      "Anthropic's error event mid-stream",
      "anthropic",
      sse(`event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "prompt is too long: 200105 tokens > 200000 maximum" } })}\n\n`),
      "(invalid_request_error: prompt is too long: 200105 tokens > 200000 maximum)",
    ],
  ];
  test.each(overflows)("%s says the conversation is too long, and what to do", async (_, name, reply, said) => {
    const server = serve([reply]);
    const outcome = remember(await runWith(providerFor(name, server)));
    expect(outcome.error?.kind).toBe("context_length");
    const model = configFor(name, server.url).model;
    expect(outcome.error?.message).toStartWith(`${LABELS[name]} says the conversation is too long for model "${model}" ${said}`);
    expect(outcome.error?.message).toEndWith(TOO_LONG);
    expect(server.requests).toHaveLength(1);
  });

  test("a 400 about something else is still a rejected request", async () => {
    const server = serve([{ kind: "error", status: 400, json: SPECS.openai.errorBody("invalid_request_error", "temperature must be at most 2") }]);
    const outcome = remember(await runWith(providerFor("openai", server)));
    expect(outcome.error?.kind).toBe("bad_request");
  });
});

describe("retries", () => {
  const quiet = () => spyOn(log, "warn").mockImplementation(Object.assign(() => {}, { raw: () => {} }));

  test("honours retry-after: 1", async () => {
    const server = serve([
      { kind: "error", status: 529, json: SPECS.anthropic.errorBody("overloaded_error", "Overloaded"), headers: { "retry-after": "1" } },
      sse(await fixture("anthropic/hello.sse")),
    ]);
    const warn = quiet();
    try {
      const started = performance.now();
      const outcome = await runWith(providerFor("anthropic", server));
      expect(performance.now() - started).toBeGreaterThanOrEqual(950);
      expect(outcome.done?.stopReason).toBe("end_turn");
      expect(server.requests).toHaveLength(2);
    } finally {
      warn.mockRestore();
    }
  });

  test("an overloaded error event before any text is retried", async () => {
    const server = serve([sse(await fixture("anthropic/overloaded-before-text.sse")), sse(await fixture("anthropic/hello.sse"))]);
    const warn = quiet();
    try {
      const outcome = await runWith(providerFor("anthropic", server));
      expect(outcome.error).toBeUndefined();
      expect(outcome.texts.join("")).toBe(SPECS.anthropic.helloText);
      expect(server.requests).toHaveLength(2);
    } finally {
      warn.mockRestore();
    }
  });

  test("an abort during the wait cancels at once", async () => {
    const server = serve([{ kind: "error", status: 429, json: SPECS.openai.errorBody("rate_limit_exceeded", "slow"), headers: { "retry-after": "600" } }]);
    const warn = quiet();
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = performance.now();
      const patient = { retry: { ...FAST.retry!, maxWaitMs: 3_600_000 } };
      const outcome = await run(providerFor("openai", server, patient), controller.signal);
      expect(outcome.error?.kind).toBe("cancelled");
      // Far short of the 10 minutes it was told to wait, however busy the machine.
      expect(performance.now() - started).toBeLessThan(60_000);
      expect(server.requests).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
  });
});

describe("createProvider", () => {
  test.each(REMOTES)("%s without a key fails before any request, naming what to set", (name) => {
    const config = loadConfig({ env: { HOME: "/home/u", XDG_CONFIG_HOME: "/home/u/.config", SYNAPSE_PROVIDER: name } });
    let caught: unknown;
    try {
      createProvider(name, config);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProviderError);
    const error = caught as ProviderError;
    expect(error.kind).toBe("auth");
    expect(error.message).toContain(`${name.toUpperCase()}_API_KEY`);
    expect(error.message).toContain(`[${name}]`);
    expect(error.message).toContain("/home/u/.config/synapse/config.toml");
    expect(error.message).toContain("--provider echo");
  });

  test("an unknown provider is a ConfigError listing the known ones", () => {
    const config = loadConfig({ env: { HOME: "/nonexistent" } });
    expect(() => createProvider("nope", config)).toThrow(ConfigError);
    expect(() => createProvider("nope", config)).toThrow("anthropic, openai, deepseek, ollama, lmstudio, openrouter, groq, gemini, mistral, echo");
  });

  test("the default model is the resolved model for the configured provider, the table's for others", () => {
    const config = loadConfig({
      env: { HOME: "/nonexistent", SYNAPSE_PROVIDER: "openai", SYNAPSE_MODEL: "gpt-4.1", OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY },
    });
    expect(createProvider("openai", config).defaultModel).toBe("gpt-4.1");
    expect(createProvider("anthropic", config).defaultModel).toBe("claude-sonnet-4-5");
  });
});

describe("echo", () => {
  const config = loadConfig({ env: { HOME: "/nonexistent" } });

  test("streams the last user message back word by word, with no key", async () => {
    const outcome = await runWith(createProvider("echo", config));
    expect(outcome.texts).toEqual(["Again, ", "please"]);
    expect(outcome.done).toEqual({
      type: "done",
      stopReason: "end_turn",
      rawStopReason: "end_turn",
      usage: { inputTokens: 7, outputTokens: 2 },
    });
  });

  test("keeps whitespace and newlines exactly", async () => {
    const text = "  one\ntwo  three\n\nfour ";
    const provider = createProvider("echo", config);
    const texts: string[] = [];
    for await (const event of provider.stream({ messages: [{ role: "user", content: text }], model: "echo", signal: new AbortController().signal })) {
      if (event.type === "text") texts.push(event.text);
    }
    expect(texts.join("")).toBe(text);
    expect(texts).toHaveLength(4);
  });

  test("can be cancelled, keeping what it sent", async () => {
    const provider = createProvider("echo", config, { echo: { delayMs: 1 } });
    const controller = new AbortController();
    const texts: string[] = [];
    let caught: unknown;
    try {
      for await (const event of provider.stream({ messages: [{ role: "user", content: "a b c d" }], model: "echo", signal: controller.signal })) {
        if (event.type === "text") texts.push(event.text);
        if (texts.length === 2) controller.abort();
      }
    } catch (error) {
      caught = error;
    }
    expect(texts).toEqual(["a ", "b "]);
    expect(caught).toMatchObject({ kind: "cancelled", partialText: "a b " });
  });
});

describe("secrets", () => {
  // Runs last in this file: every error produced above was remembered.
  test("no error message or stack produced above contains the API key", () => {
    expect(messagesSeen.length).toBeGreaterThan(20);
    for (const message of messagesSeen) expect(message).not.toContain(KEY);
  });
});
