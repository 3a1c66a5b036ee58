/**
 * The llama.cpp provider and gguf-info.ts against a real GGUF model: Gemma 3 270M Q4_K_M, a base
 * model, so these test the protocol (events, limits, usage, cancelling, fitting the context),
 * never what the model says. The file is SYNAPSE_TEST_GGUF, else
 * ~/.cache/synapse-test/gemma-3-270m-q4_k_m.gguf; without it the tests that need it are skipped.
 * The bad files that need no model (missing, a folder, a text file) are tested always.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import { ProviderError } from "../src/providers/errors.ts";
import { describeModelFile } from "../src/providers/gguf-info.ts";
import { createLlamaCppProvider, leaveOutOldest } from "../src/providers/llama-cpp.ts";
import type { LocalModelSettings } from "../src/providers/llama-cpp-settings.ts";
import type { ChatMessage, Provider, StreamEvent, StreamRequest } from "../src/providers/types.ts";
import type { ChatHistoryItem } from "node-llama-cpp";

// Loading the model takes seconds, a reply more on a busy machine: generous, never a timing assert.
// (Bun 1.4.5 applies the preload's setDefaultTimeout to the first test file of a run only.)
setDefaultTimeout(300_000);

const root = resolve(import.meta.dir, "..");
// The preload points HOME into a sandbox: the real home folder is the user's own.
const MODEL = process.env.SYNAPSE_TEST_GGUF ?? join(userInfo().homedir, ".cache/synapse-test/gemma-3-270m-q4_k_m.gguf");
const haveModel = (() => {
  try {
    return statSync(MODEL).isFile();
  } catch {
    return false;
  }
})();
if (!haveModel) {
  console.warn(`llama-cpp.test.ts: skipping the tests that need a model: no file at ${MODEL} (set SYNAPSE_TEST_GGUF to Gemma 3 270M Q4_K_M)`);
}
const withModel = haveModel ? test : test.skip;

const work = mkdtempSync(join(tmpdir(), "synapse-llama-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function settingsFor(modelPath: string, overrides: Partial<LocalModelSettings> = {}): LocalModelSettings {
  return {
    name: "gemma",
    table: "[providers.gemma]",
    configPath: "/home/me/.config/synapse/config.toml",
    modelPath,
    contextSize: 2048,
    maxTokens: 32,
    threads: 2,
    gpu: false,
    ...overrides,
  };
}

async function collect(provider: Provider, request: Partial<StreamRequest> & { messages: ChatMessage[] }): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of provider.stream({ model: provider.defaultModel, signal: new AbortController().signal, ...request })) events.push(event);
  return events;
}

function doneOf(events: StreamEvent[]): Extract<StreamEvent, { type: "done" }> {
  const last = events.at(-1);
  if (last?.type !== "done") throw new Error(`the stream did not end with done: ${JSON.stringify(last)}`);
  return last;
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error("expected a ProviderError");
}

const never = () => new AbortController().signal;

describe("loading node-llama-cpp", () => {
  test("importing the provider modules does not load node-llama-cpp; its first use does", async () => {
    // A fresh process: this one may have loaded it already. require.cache lists ES modules too.
    const script = join(work, "lazy.ts");
    writeFileSync(
      script,
      [
        `const loaded = () => Object.keys(require.cache).filter((key) => key.includes("/node-llama-cpp/")).length;`,
        `await import(${JSON.stringify(join(root, "src/providers/llama-cpp.ts"))});`,
        `await import(${JSON.stringify(join(root, "src/providers/gguf-info.ts"))});`,
        `const afterProviders = loaded();`,
        `await import(${JSON.stringify(join(root, "src/providers/index.ts"))});`,
        `const afterIndex = loaded();`,
        // Resolved from src/providers/, as the provider does (this script sits in a temporary folder).
        `await (await import(${JSON.stringify(join(root, "src/providers/gguf-info.ts"))})).importNodeLlamaCpp("test");`,
        `console.log(JSON.stringify({ afterProviders, afterIndex, afterUse: loaded() }));`,
      ].join("\n"),
    );
    const child = Bun.spawnSync(["bun", "--no-install", script], { cwd: root, stdout: "pipe", stderr: "pipe" });
    expect(child.stderr.toString()).toBe("");
    const counts = JSON.parse(child.stdout.toString()) as { afterProviders: number; afterIndex: number; afterUse: number };
    expect(counts.afterProviders).toBe(0);
    expect(counts.afterIndex).toBe(0);
    // The check can fail: once imported, its modules are listed.
    expect(counts.afterUse).toBeGreaterThan(0);
  });
});

describe("a model file that cannot be loaded", () => {
  const where = "set model_path under [providers.gemma] in /home/me/.config/synapse/config.toml";

  const textFile = join(work, "notes.gguf");
  writeFileSync(textFile, "hello, this is not a model\n");
  const folder = join(work, "models.gguf");
  mkdirSync(folder);

  test.each([
    ["a missing file", join(work, "absent.gguf"), `the model file ${join(work, "absent.gguf")} does not exist; ${where} to a .gguf file`],
    ["a folder", folder, `the model path ${folder} is a folder, not a GGUF file; ${where} to the .gguf file itself`],
    ["a text file", textFile, `${textFile} is not a GGUF model file (it does not start with "GGUF"); ${where} to a .gguf file (convert other formats with llama.cpp's convert_hf_to_gguf.py)`],
  ])("%s: one line from prepare, kind model_file", async (_, path, message) => {
    const provider = createLlamaCppProvider(settingsFor(path));
    const error = await failureOf(provider.prepare!(never()));
    expect(error.kind).toBe("model_file");
    expect(error.retryable).toBe(false);
    expect(error.provider).toBe("gemma");
    expect(error.message).toBe(message);
    await provider.close!();
  });

  test.each([
    ["a missing file", join(work, "absent.gguf"), "does not exist"],
    ["a text file", textFile, "is not a GGUF model file"],
  ])("describeModelFile: %s is the same one line", async (_, path, words) => {
    const error = await failureOf(describeModelFile(path, settingsFor(path)));
    expect(error.kind).toBe("model_file");
    expect(error.message).toContain(words);
    expect(error.message).toContain(where);
  });

  withModel("a damaged file (its first 1 MB): llama.cpp's reason, and the advice to download it again", async () => {
    const truncated = join(work, "truncated.gguf");
    // Not Bun.write(path, file.slice(…)): Bun 1.4.5 writes the whole file then.
    writeFileSync(truncated, new Uint8Array(await Bun.file(MODEL).slice(0, 1_000_000).arrayBuffer()));
    const provider = createLlamaCppProvider(settingsFor(truncated));
    const error = await failureOf(provider.prepare!(never()));
    expect(error.kind).toBe("model_file");
    expect(error.message).toBe(
      `${truncated} could not be loaded: it looks damaged or incomplete (llama.cpp: gguf_init_from_reader: failed to read key-value pairs); ` +
        `download it again, or ${where} to another file`,
    );
  });

  withModel("an architecture llama.cpp does not know: named", async () => {
    // The real file with every `gemma3` in its header (the first 8 MB hold it whole) renamed.
    const renamed = join(work, "zzzzz3.gguf");
    copyFileSync(MODEL, renamed);
    const head = Buffer.from(await Bun.file(MODEL).slice(0, 8_000_000).arrayBuffer());
    let found = 0;
    for (let at = head.indexOf("gemma3"); at !== -1; at = head.indexOf("gemma3", at + 6)) {
      head.write("zzzzz3", at, "ascii");
      found += 1;
    }
    expect(found).toBeGreaterThan(0);
    const file = openSync(renamed, "r+");
    writeSync(file, head, 0, head.length, 0);
    closeSync(file);
    const provider = createLlamaCppProvider(settingsFor(renamed));
    const error = await failureOf(provider.prepare!(never()));
    expect(error.kind).toBe("model_file");
    expect(error.message).toBe(
      `${renamed} holds a model of architecture "zzzzz3", which this llama.cpp runtime (node-llama-cpp) cannot run; ${where} to a model of a supported architecture`,
    );
    // Its header is still readable: synapse models describes it.
    expect((await describeModelFile(renamed)).architecture).toBe("zzzzz3");
  });

  withModel("a context too big for memory: said, with context_size to lower", async () => {
    const provider = createLlamaCppProvider(settingsFor(MODEL, { contextSize: 100_000_000 }));
    const error = await failureOf(provider.prepare!(never()));
    expect(error.kind).toBe("model_file");
    expect(error.message).toStartWith(`not enough memory for ${MODEL} with context_size = 100000000 (`);
    expect(error.message).toEndWith("); lower context_size under [providers.gemma] in /home/me/.config/synapse/config.toml, or use a smaller model");
  });
});

describe("prepare", () => {
  withModel("with a signal already aborted: cancelled, nothing loaded; a later prepare loads", async () => {
    const provider = createLlamaCppProvider(settingsFor(MODEL, { contextSize: 256 }));
    const controller = new AbortController();
    controller.abort();
    const failure = await failureOf(provider.prepare!(controller.signal));
    expect(failure.kind).toBe("cancelled");
    expect(failure.message).toBe(`loading ${MODEL} was cancelled`);
    await provider.prepare!(never());
    await provider.close!();
    // Closed twice, or never loaded: nothing to free.
    await provider.close!();
    await createLlamaCppProvider(settingsFor(MODEL)).close!();
  });
});

describe("describeModelFile", () => {
  withModel("reads the header of the real file without loading it", async () => {
    expect(await describeModelFile(MODEL)).toEqual({
      sizeBytes: statSync(MODEL).size,
      architecture: "gemma3",
      parameters: "270M",
      contextLength: 32768,
      quantization: "Q4_K_M",
      name: "Gemma 3 270m",
    });
  });
});

describe("replies from a loaded model", () => {
  let provider: Provider;
  beforeAll(async () => {
    if (!haveModel) return;
    provider = createLlamaCppProvider(settingsFor(MODEL));
    await provider.prepare!(never());
    // Once loaded, prepare again is at once (chat mode calls it every turn).
    await provider.prepare!(never());
  });
  afterAll(async () => {
    if (haveModel) await provider.close!();
  });

  const question: ChatMessage[] = [{ role: "user", content: "The capital of France is" }];

  withModel("what it is: the file's name as its model; no images, no tools", () => {
    expect(provider.name).toBe("gemma");
    expect(provider.defaultModel).toBe("gemma-3-270m-q4_k_m");
    expect(provider.acceptsImages).toBe(false);
    expect(provider.acceptsTools).toBe(false);
  });

  withModel("a reply streams as text events and ends with one done", async () => {
    const events = await collect(provider, { messages: question, maxTokens: 16 });
    const done = doneOf(events);
    const body = events.slice(0, -1);
    expect(body.length).toBeGreaterThan(0);
    expect(body.every((event) => event.type === "text")).toBe(true);
    expect(done.usage).not.toBeNull();
    expect(done.usage!.inputTokens).toBeGreaterThan(0);
    expect(done.usage!.outputTokens).toBeGreaterThan(0);
    expect(done.usage!.outputTokens).toBeLessThanOrEqual(16);
    expect(["end_turn", "max_tokens"]).toContain(done.stopReason);
    expect(done.rawStopReason).not.toBeNull();
  });

  withModel("max_tokens is honoured: stopped at the limit, said so", async () => {
    const events = await collect(provider, {
      messages: [{ role: "user", content: "Write a long story about a dragon, in ten chapters.\n\nChapter 1." }],
      maxTokens: 8,
    });
    const done = doneOf(events);
    expect(done.usage!.outputTokens).toBeLessThanOrEqual(8);
    expect(done.stopReason).toBe("max_tokens");
    expect(done.rawStopReason).toBe("maxTokens");
  });

  withModel("the configured max_tokens applies when the request gives none", async () => {
    const done = doneOf(await collect(provider, { messages: [{ role: "user", content: "Count from one to a thousand, in words:" }] }));
    expect(done.usage!.outputTokens).toBeLessThanOrEqual(32);
  });

  withModel("the history is sent: a question after an exchange reads more tokens than alone", async () => {
    const alone = doneOf(await collect(provider, { messages: [{ role: "user", content: "And of Italy?" }], maxTokens: 4 }));
    const after = doneOf(
      await collect(provider, {
        messages: [
          { role: "system", content: "You answer in one word." },
          ...question,
          { role: "assistant", content: "Paris, a city on the Seine." },
          { role: "user", content: "And of Italy?" },
        ],
        maxTokens: 4,
      }),
    );
    expect(after.usage!.inputTokens).toBeGreaterThan(alone.usage!.inputTokens);
  });

  withModel("Ctrl+C mid-reply: cancelled, with the text delivered so far; the next reply works", async () => {
    const controller = new AbortController();
    let delivered = "";
    const failure = await failureOf(
      (async () => {
        for await (const event of provider.stream({ messages: question, model: provider.defaultModel, maxTokens: 400, signal: controller.signal })) {
          if (event.type === "text") {
            delivered += event.text;
            controller.abort();
          }
        }
      })(),
    );
    expect(failure.kind).toBe("cancelled");
    expect(delivered).not.toBe("");
    expect(failure.partialText).toBe(delivered);
    expect(doneOf(await collect(provider, { messages: question, maxTokens: 4 })).usage!.outputTokens).toBeGreaterThan(0);
  });

  withModel("a signal aborted before the reply: cancelled, nothing delivered", async () => {
    const controller = new AbortController();
    controller.abort();
    const failure = await failureOf(collect(provider, { messages: question, signal: controller.signal }));
    expect(failure.kind).toBe("cancelled");
    expect(failure.message).toBe("the gemma model's reply cancelled");
    expect(failure.partialText).toBe("");
  });

  withModel("a loop left early stops the generation: the next reply works", async () => {
    for await (const event of provider.stream({ messages: question, model: provider.defaultModel, maxTokens: 400, signal: never() })) {
      if (event.type === "text") break;
    }
    expect(doneOf(await collect(provider, { messages: question, maxTokens: 4 })).type).toBe("done");
  });
});

describe("leaveOutOldest: what is left out of a history too long (no model needed)", () => {
  const system = (text: string): ChatHistoryItem => ({ type: "system", text });
  const user = (text: string): ChatHistoryItem => ({ type: "user", text });
  const model = (text: string): ChatHistoryItem => ({ type: "model", response: [text] });
  const names = (history: ChatHistoryItem[]) => history.map((item) => (item.type === "model" ? item.response.join("") : item.text));
  const conversation = [system("S"), user("U1"), model("A1"), user("U2"), model("A2"), model("A2b"), user("U3")];

  // `fits` here: at most this many items.
  test.each([
    ["everything fits", conversation, 7, ["S", "U1", "A1", "U2", "A2", "A2b", "U3"], 0],
    ["one exchange out, question and reply together", conversation, 6, ["S", "U2", "A2", "A2b", "U3"], 2],
    ["an exchange with two replies goes whole", conversation, 4, ["S", "U3"], 5],
    ["nothing fits: the system prompt and the last question stay", conversation, 1, ["S", "U3"], 5],
    ["a history opening with a reply: that reply goes first, alone", [model("A0"), user("U1"), model("A1"), user("U2")], 3, ["U1", "A1", "U2"], 1],
    ["a system message in the middle stays", [user("U1"), system("S"), model("A1"), user("U2")], 2, ["S", "U2"], 2],
    ["a reply after the last question stays", [user("U1"), model("A1"), user("U2"), model("A2")], 2, ["U2", "A2"], 2],
  ])("%s", (_, history, most, kept, dropped) => {
    const result = leaveOutOldest(history, (candidate) => candidate.length <= most);
    expect(names(result.history)).toEqual(kept);
    expect(result.dropped).toBe(dropped);
  });
});

describe("a conversation longer than the context", () => {
  let provider: Provider;
  beforeAll(async () => {
    if (!haveModel) return;
    provider = createLlamaCppProvider(settingsFor(MODEL, { contextSize: 256, maxTokens: 32 }));
    await provider.prepare!(never());
  });
  afterAll(async () => {
    if (haveModel) await provider.close!();
  });

  const long: ChatMessage[] = [
    { role: "system", content: "You are a helpful assistant who answers briefly." },
    ...Array.from({ length: 12 }, (_, index): ChatMessage[] => [
      { role: "user", content: `Question ${index + 1}: tell me something about the number ${index + 1} and why it matters to people.` },
      { role: "assistant", content: `The number ${index + 1} is a whole number; people have counted with it for thousands of years.` },
    ]).flat(),
    { role: "user", content: "Which number did we talk about last?" },
  ];

  withModel("the oldest messages are left out, a warning first, and the rest fits with room for the reply", async () => {
    const events = await collect(provider, { messages: long });
    const first = events[0];
    expect(first?.type).toBe("warning");
    const message = first?.type === "warning" ? first.message : "";
    expect(message).not.toContain("\n");
    expect(message).toMatch(
      /^the conversation is longer than the model's context \(\d+ tokens with 32 kept for the reply, of 256\); the oldest \d+ messages were left out of this request; raise context_size under \[providers\.gemma\] in \/home\/me\/\.config\/synapse\/config\.toml to send more$/,
    );
    const [, total, dropped] = /\((\d+) tokens.*the oldest (\d+) messages/.exec(message) ?? [];
    expect(Number(total)).toBeGreaterThan(256 - 32);
    // Whole exchanges: an even number of messages, never all of them.
    expect(Number(dropped) % 2).toBe(0);
    expect(Number(dropped)).toBeLessThan(24);
    expect(events.filter((event) => event.type === "warning")).toHaveLength(1);
    const done = doneOf(events);
    expect(done.usage!.inputTokens + 32).toBeLessThanOrEqual(256);
  });

  withModel("a conversation that fits: no warning", async () => {
    const events = await collect(provider, { messages: long.slice(-3), maxTokens: 4 });
    expect(events.some((event) => event.type === "warning")).toBe(false);
  });

  withModel("a question longer than the context itself: context_length, one line", async () => {
    const failure = await failureOf(collect(provider, { messages: [{ role: "user", content: "word ".repeat(400) }] }));
    expect(failure.kind).toBe("context_length");
    expect(failure.message).toMatch(
      /^the question is longer than the model's context \(\d+ tokens of 256, with the system prompt\); raise context_size under \[providers\.gemma\] in .*config\.toml, or ask a shorter question$/,
    );
  });
});
