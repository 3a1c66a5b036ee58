/**
 * A local model run in this process by node-llama-cpp (llama.cpp), from a GGUF file: no key, no
 * network. The model is loaded once, by `prepare` (before anything is stored), and kept with one
 * context until `close`, so chat mode's turns reuse it, and reuse what the previous turn left in
 * the context. node-llama-cpp is loaded by import() only: no other command pays for it.
 */
import type { ChatHistoryItem, Llama, LlamaChat, LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { messageOf } from "../unknown-values.ts";
import { cancelledError, ProviderError } from "./errors.ts";
import { checkModelFile, importNodeLlamaCpp, type NodeLlamaCpp } from "./gguf-info.ts";
import type { LocalModelSettings } from "./llama-cpp-settings.ts";
import type { ChatMessage, Provider, StopReason, StreamEvent, StreamRequest } from "./types.ts";

/** What a loaded provider holds, from prepare to close (the runtime is the process's: see runtimeFor). */
interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  chat: LlamaChat;
}

/** llama.cpp's own log lines kept to explain a failure: never written to stderr. */
const KEPT_LOG_LINES = 50;

interface LogLine {
  level: string;
  text: string;
}

/** The lines llama.cpp logged since the last load began, whichever provider loads. */
const logged: LogLine[] = [];

/**
 * One llama.cpp runtime per process and options, made at the first load and never disposed:
 * llama.cpp's log callback is the process's, and node-llama-cpp 3.21.1 routes it to the first
 * runtime's logger only; a second runtime (even after the first was disposed) lets every line
 * through to stderr. Models and contexts are still freed by close().
 */
const runtimes = new Map<string, Promise<Llama>>();

function runtimeFor(lib: NodeLlamaCpp, settings: LocalModelSettings): Promise<Llama> {
  // Threads are the context's (createContext): only the GPU choice makes another runtime.
  const key = String(settings.gpu);
  let runtime = runtimes.get(key);
  if (runtime === undefined) {
    runtime = lib.getLlama({
      gpu: settings.gpu,
      // Never download or compile: the prebuilt binaries installed with the package, or nothing.
      build: "never",
      logLevel: lib.LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = oneLine(message);
        if (text === "") return;
        logged.push({ level: String(level), text });
        if (logged.length > KEPT_LOG_LINES) logged.shift();
      },
    });
    // A runtime that could not start is tried again next time.
    runtime.catch(() => runtimes.delete(key));
    runtimes.set(key, runtime);
  }
  return runtime;
}

/**
 * A provider for the GGUF file `settings.modelPath`. Its model is the file: `defaultModel` is the
 * file's name without `.gguf`, and a request's `model` is only recorded, never switched to.
 *
 * @example
 * const provider = createLlamaCppProvider({ name: "gemma", table: "[providers.gemma]", configPath,
 *   modelPath: "/models/gemma-3-270m-q4_k_m.gguf", contextSize: 4096, maxTokens: 512, threads: undefined, gpu: "auto" });
 * await provider.prepare?.(signal); // loads it, or throws a ProviderError of kind model_file
 * for await (const event of provider.stream({ messages, model: provider.defaultModel, signal })) …
 * await provider.close?.();
 */
export function createLlamaCppProvider(settings: LocalModelSettings): Provider {
  let loading: Promise<Loaded> | undefined;
  // One reply at a time: the context has one sequence.
  let turn: Promise<void> = Promise.resolve();

  const load = (signal: AbortSignal): Promise<Loaded> => {
    loading ??= loadModel(settings, signal).catch((error: unknown) => {
      // A later turn tries again (the file may have been fixed meanwhile).
      loading = undefined;
      throw error;
    });
    return loading;
  };

  return {
    name: settings.name,
    defaultModel: modelNameOf(settings.modelPath),
    acceptsImages: false,
    acceptsTools: false,
    prepare: async (signal) => {
      await load(signal);
    },
    stream: (request) => serialized(request),
    close: async () => {
      const pending = loading;
      loading = undefined;
      if (pending === undefined) return;
      const loaded = await pending.catch(() => undefined);
      if (loaded === undefined) return;
      await turn.catch(() => undefined);
      await loaded.context.dispose();
      await loaded.model.dispose();
    },
  };

  async function* serialized(request: StreamRequest): AsyncGenerator<StreamEvent> {
    const before = turn;
    let release!: () => void;
    turn = new Promise<void>((resolve) => (release = resolve));
    try {
      await before;
      const loaded = await load(request.signal);
      yield* reply(settings, loaded, request);
    } finally {
      release();
    }
  }
}

/** `gemma-3-270m-q4_k_m.gguf` → `gemma-3-270m-q4_k_m`. */
function modelNameOf(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  return file.replace(/\.gguf$/i, "") || file;
}

function modelFileError(settings: LocalModelSettings, message: string, cause?: unknown): ProviderError {
  return new ProviderError("model_file", settings.name, message, cause === undefined ? {} : { cause });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** The runtime, the model and one context; each failure one line naming the file and the setting. */
async function loadModel(settings: LocalModelSettings, signal: AbortSignal): Promise<Loaded> {
  const path = settings.modelPath;
  const where = `under ${settings.table} in ${settings.configPath}`;
  // Missing, unreadable, a folder, no GGUF: said before node-llama-cpp is even loaded.
  await checkModelFile(path, settings);
  if (signal.aborted) throw loadCancelled(settings);
  const lib = await importNodeLlamaCpp(settings.name);
  let llama: Llama;
  try {
    llama = await runtimeFor(lib, settings);
  } catch (error) {
    throw modelFileError(
      settings,
      `the llama.cpp runtime could not start (${oneLine(messageOf(error))}); set gpu = false ${where}, or reinstall with bun install`,
      error,
    );
  }
  let model: LlamaModel | undefined;
  logged.length = 0;
  try {
    model = await llama.loadModel({ modelPath: path, loadSignal: signal });
    const context = await model.createContext({
      contextSize: settings.contextSize,
      sequences: 1,
      // A context too big for memory is an error, not silently a smaller one.
      failedCreationRemedy: false,
      createSignal: signal,
      ...(settings.threads === undefined ? {} : { threads: settings.threads }),
    });
    const sequence = context.getSequence();
    const chat = new lib.LlamaChat({ contextSequence: sequence });
    return { model, context, sequence, chat };
  } catch (error) {
    await model?.dispose().catch(() => undefined);
    if (signal.aborted) throw loadCancelled(settings);
    throw loadError(settings, lib, error, logged);
  }
}

function loadCancelled(settings: LocalModelSettings): ProviderError {
  return new ProviderError("cancelled", settings.name, `loading ${settings.modelPath} was cancelled`);
}

/** Why llama.cpp would not load or hold the model, from what it threw and the lines it logged. */
function loadError(settings: LocalModelSettings, lib: NodeLlamaCpp, error: unknown, logs: readonly LogLine[]): ProviderError {
  const path = settings.modelPath;
  const where = `under ${settings.table} in ${settings.configPath}`;
  const errors = logs.filter((line) => line.level === "error").map((line) => line.text);
  const architecture = errors.map((line) => /unknown model architecture: '([^']*)'/.exec(line)).find((match) => match !== null);
  if (architecture !== undefined && architecture !== null) {
    return modelFileError(
      settings,
      `${path} holds a model of architecture "${architecture[1] ?? ""}", which this llama.cpp runtime (node-llama-cpp) cannot run; set model_path ${where} to a model of a supported architecture`,
      error,
    );
  }
  const thrown = oneLine(messageOf(error));
  const memory =
    error instanceof lib.InsufficientMemoryError ||
    /too large for the available|out of memory|failed to allocate|unable to allocate|cannot allocate|insufficient memory/i.test([thrown, ...errors].join("\n"));
  if (memory) {
    return modelFileError(
      settings,
      `not enough memory for ${path} with context_size = ${settings.contextSize} (${thrown}); lower context_size ${where}, or use a smaller model`,
      error,
    );
  }
  // The first error line says why (`failed to read key-value pairs`, `data is not within the
  // file bounds`); the later ones only that loading failed.
  const first = errors[0];
  const detail = first === undefined ? thrown : `llama.cpp: ${first}`;
  return modelFileError(
    settings,
    `${path} could not be loaded: it looks damaged or incomplete (${detail}); download it again, or set model_path ${where} to another file`,
    error,
  );
}

/** The conversation as node-llama-cpp takes it; images and tool calls are not sent (the provider takes neither). */
function historyOf(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const items: ChatHistoryItem[] = [];
  for (const message of messages) {
    if (message.role === "system") items.push({ type: "system", text: message.content });
    else if (message.role === "assistant") items.push({ type: "model", response: [message.content] });
    // A tool's result, should one come, is something the user side said.
    else items.push({ type: "user", text: message.content });
  }
  return items;
}

/** The history that fits, the reply's token limit, and what was left out. */
interface Fitted {
  history: ChatHistoryItem[];
  promptTokens: number;
  maxTokens: number;
  warning: string | undefined;
}

/**
 * The history with its oldest exchanges left out, as few as make it `fit`, else as many as may
 * go: never a system message, never the last user message nor what follows it, and a whole
 * exchange at a time (a question with the replies after it), so what is kept never opens with a
 * reply. `dropped` counts the messages left out.
 */
export function leaveOutOldest(all: readonly ChatHistoryItem[], fits: (history: ChatHistoryItem[]) => boolean): { history: ChatHistoryItem[]; dropped: number } {
  const lastUser = all.findLastIndex((item) => item.type === "user");
  // Indexes that may go, oldest first.
  const droppable = all.map((item, index) => ({ item, index })).filter(({ item, index }) => item.type !== "system" && (lastUser === -1 || index < lastUser));
  // cuts[k]: how many of them go when the oldest k exchanges do.
  const cuts = [0];
  for (let next = 0; next < droppable.length; ) {
    do next += 1;
    while (next < droppable.length && droppable[next]!.item.type !== "user");
    cuts.push(next);
  }
  const keptWithout = (exchanges: number): ChatHistoryItem[] => {
    const gone = new Set(droppable.slice(0, cuts[exchanges]).map(({ index }) => index));
    return all.filter((_, index) => !gone.has(index));
  };
  // Leaving more out never makes more tokens, so a binary search renders the history a few
  // times, not once per exchange.
  let low = 0;
  let high = cuts.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (fits(keptWithout(middle))) high = middle;
    else low = middle + 1;
  }
  return { history: keptWithout(low), dropped: cuts[low] ?? 0 };
}

/**
 * Drops the oldest exchanges (leaveOutOldest) until the rendered prompt and `maxTokens` fit the
 * context. When even the shortest prompt leaves less than
 * `maxTokens`, the reply gets what is left; when it leaves nothing, it is an error.
 */
function fitHistory(settings: LocalModelSettings, loaded: Loaded, messages: readonly ChatMessage[], maxTokens: number): Fitted {
  const size = loaded.context.contextSize;
  const count = (history: ChatHistoryItem[]): number =>
    // The model's turn is opened, as LlamaChat does before it generates.
    loaded.chat.chatWrapper
      .generateContextState({ chatHistory: [...history, { type: "model", response: [] }] })
      .contextText.tokenize(loaded.model.tokenizer).length;
  const all = historyOf(messages);
  const full = count(all);
  if (full + maxTokens <= size) return { history: all, promptTokens: full, maxTokens, warning: undefined };

  const { history: kept, dropped } = leaveOutOldest(all, (history) => count(history) + maxTokens <= size);
  const tokens = count(kept);
  if (tokens >= size) {
    throw new ProviderError(
      "context_length",
      settings.name,
      `the question is longer than the model's context (${tokens} tokens of ${size}, with the system prompt); raise context_size under ${settings.table} in ${settings.configPath}, or ask a shorter question`,
    );
  }
  const left = Math.min(maxTokens, size - tokens);
  const notes: string[] = [];
  if (dropped > 0) {
    notes.push(
      `the conversation is longer than the model's context (${full} tokens with ${maxTokens} kept for the reply, of ${size}); ` +
        `the oldest ${dropped} message${dropped === 1 ? " was" : "s were"} left out of this request`,
    );
  }
  if (left < maxTokens) notes.push(`the reply is limited to ${left} tokens`);
  const warning =
    notes.length === 0 ? undefined : `${notes.join("; ")}; raise context_size under ${settings.table} in ${settings.configPath} to send more`;
  return { history: kept, promptTokens: tokens, maxTokens: left, warning };
}

const STOP_REASONS: Record<string, StopReason> = {
  eogToken: "end_turn",
  stopGenerationTrigger: "end_turn",
  maxTokens: "max_tokens",
  customStopTrigger: "stop_sequence",
  functionCalls: "tool_use",
};

/** One reply: the text as it is generated, then `done`; Ctrl+C stops it and throws `cancelled`. */
async function* reply(settings: LocalModelSettings, loaded: Loaded, request: StreamRequest): AsyncGenerator<StreamEvent> {
  const { signal } = request;
  let delivered = "";
  const cancelled = (): ProviderError => {
    const error = cancelledError(settings.name, `the ${settings.name} model's`);
    error.partialText = delivered;
    return error;
  };
  if (signal.aborted) throw cancelled();
  const fitted = fitHistory(settings, loaded, request.messages, request.maxTokens ?? settings.maxTokens);
  if (fitted.warning !== undefined) yield { type: "warning", message: fitted.warning };

  // Stopped by the caller's signal, or by the caller leaving the loop early.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  const pending: string[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const meterBefore = loaded.sequence.tokenMeter.getState();
  const generation = loaded.chat
    .generateResponse(fitted.history, {
      maxTokens: fitted.maxTokens,
      signal: stop.signal,
      stopOnAbortSignal: true,
      onTextChunk: (text) => {
        pending.push(text);
        notify();
      },
      // The history already fits with room for the whole reply: node-llama-cpp's own shift (it
      // would drop turns silently) is left only as a fallback, kept from acting on the prompt.
      contextShift: { size: Math.max(1, fitted.maxTokens) },
    })
    .finally(() => {
      finished = true;
      notify();
    });
  // Read below; this keeps an early exit from leaving a rejection unhandled.
  generation.catch(() => undefined);
  try {
    for (;;) {
      if (pending.length > 0) {
        const text = pending.splice(0).join("");
        if (signal.aborted) break;
        delivered += text;
        yield { type: "text", text };
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    let result: Awaited<typeof generation>;
    try {
      result = await generation;
    } catch (error) {
      if (signal.aborted) throw cancelled();
      const failure = new ProviderError("stream_error", settings.name, `the local model failed mid-reply (${oneLine(messageOf(error))}); try again`, { cause: error });
      failure.partialText = delivered;
      throw failure;
    }
    if (signal.aborted || result.metadata.stopReason === "abort") throw cancelled();
    // Text that came with the last chunk, after the loop saw the generation end.
    const rest = pending.splice(0).join("");
    if (rest !== "") {
      delivered += rest;
      yield { type: "text", text: rest };
    }
    const meterAfter = loaded.sequence.tokenMeter.getState();
    const raw = result.metadata.stopReason;
    yield {
      type: "done",
      stopReason: STOP_REASONS[raw] ?? "other",
      rawStopReason: raw,
      // The meter counts only the tokens evaluated now: what the context held from the previous
      // turn is reused. The prompt's own length is what the model read.
      usage: { inputTokens: fitted.promptTokens, outputTokens: meterAfter.usedOutputTokens - meterBefore.usedOutputTokens },
    };
  } finally {
    signal.removeEventListener("abort", onAbort);
    if (!finished) {
      stop.abort();
      await generation.catch(() => undefined);
    }
  }
}
