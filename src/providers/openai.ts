/**
 * The OpenAI Chat Completions API, streamed: `POST {base}/chat/completions`. DeepSeek speaks
 * the same protocol, so both providers are this module with different settings.
 */
import { isRecord } from "../unknown-values.ts";
import { clip, errorBodyOf, isContextOverflow } from "./error-body.ts";
import { ProviderError, redact } from "./errors.ts";
import { contextTooLong } from "./http-errors.ts";
import type { MaxTokensField, RemoteSettings } from "./remote-settings.ts";
import { checkEnding } from "./reply-end.ts";
import { withRetries } from "./retries.ts";
import { parseEventJson, streamEvents } from "./stream-request.ts";
import type { ChatImage, ChatMessage, Provider, StopReason, StreamEvent, StreamRequest } from "./types.ts";
import { base64Of } from "./base64.ts";
import { toolArguments } from "./tool-arguments.ts";

const STOP_REASONS: Record<string, StopReason> = {
  stop: "end_turn",
  length: "max_tokens",
  content_filter: "content_filter",
  tool_calls: "tool_use",
  function_call: "tool_use",
};

/** A provider speaking the OpenAI Chat Completions API: OpenAI, DeepSeek, and every compatible server. */
export function createOpenAICompatibleProvider(settings: RemoteSettings): Provider {
  return {
    name: settings.name,
    defaultModel: settings.defaultModel,
    acceptsImages: settings.images ?? true,
    acceptsTools: true,
    stream: (request) => checkEnding(settings, request.model, withRetries(settings, request.signal, () => attempt(settings, request))),
  };
}

/**
 * The request body; `include_usage` asks for a final chunk with token counts. The limit goes in
 * the field the server reads (`maxTokensField`: see RemoteSettings).
 */
export function openAIBody(request: StreamRequest, maxTokens: number, maxTokensField: MaxTokensField): Record<string, unknown> {
  const tools = request.tools ?? [];
  return {
    model: request.model,
    messages: request.messages.map(openAIMessage),
    [maxTokensField]: request.maxTokens ?? maxTokens,
    ...(tools.length === 0 ? {} : { tools: tools.map((tool) => ({ type: "function", function: { name: tool.name, description: tool.description, parameters: tool.inputSchema } })) }),
    stream: true,
    stream_options: { include_usage: true },
  };
}

/** A reply that ran tools carries `tool_calls` (arguments as JSON text); a tool's result is a `tool` message naming its call. */
function openAIMessage(message: ChatMessage): Record<string, unknown> {
  if (message.role === "tool") return { role: "tool", tool_call_id: message.toolCallId ?? "", content: message.content };
  if (message.role === "assistant" && message.toolCalls !== undefined && message.toolCalls.length > 0) {
    return {
      role: "assistant",
      content: message.content === "" ? null : message.content,
      tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.arguments) } })),
    };
  }
  const images = message.images ?? [];
  return { role: message.role, content: images.length === 0 ? message.content : openAIContent(message.content, images) };
}

/** A message with images as content parts: each image as a `data:` URL, then the text. */
function openAIContent(text: string, images: readonly ChatImage[]): Record<string, unknown>[] {
  return [
    ...images.map((image) => ({ type: "image_url", image_url: { url: `data:${image.mediaType};base64,${base64Of(image.data)}` } })),
    ...(text === "" ? [] : [{ type: "text", text }]),
  ];
}

async function* attempt(settings: RemoteSettings, request: StreamRequest): AsyncGenerator<StreamEvent> {
  const { signal } = request;
  const { name } = settings;
  const call = {
    url: `${settings.baseUrl}/chat/completions`,
    headers: { ...(settings.apiKey === undefined ? {} : { authorization: `Bearer ${settings.apiKey}` }), ...settings.headers },
    body: openAIBody(request, settings.maxTokens, settings.maxTokensField),
    model: request.model,
  };
  let rawStopReason: string | null = null;
  let usage: { inputTokens: number; outputTokens: number } | null = null;
  // Tool calls arrive in pieces by index (the id and name first, then the arguments' JSON):
  // each is whole once the choice finishes.
  const calls: { id: string; name: string; json: string }[] = [];
  for await (const event of streamEvents(settings, call, signal)) {
    if (event.data === "[DONE]") {
      for (const [index, done] of calls.splice(0).entries()) {
        if (done === undefined) continue;
        if (done.name === "") throw new ProviderError("stream_error", name, `${settings.label} asked to run a tool without naming it; try again`);
        // Some compatible servers send no id: one is made, for the result to answer.
        const id = done.id === "" ? `call_${index}_${crypto.randomUUID().slice(0, 8)}` : done.id;
        yield { type: "tool_call", call: { id, name: done.name, arguments: toolArguments(settings, done.name, done.json) } };
      }
      yield {
        type: "done",
        stopReason: stopReasonOf(rawStopReason, usage, request.maxTokens ?? settings.maxTokens),
        rawStopReason,
        usage,
      };
      return;
    }
    const data = parseEventJson(settings, event);
    if (!isRecord(data)) continue;
    if (data.error !== undefined && data.error !== null) throw streamError(settings, request.model, data.error);
    const choice = Array.isArray(data.choices) ? data.choices[0] : undefined;
    if (isRecord(choice)) {
      const delta = choice.delta;
      // DeepSeek's reasoner thinks aloud in `reasoning_content` before its `content`: shown
      // apart, never the answer. (OpenAI's own API streams no reasoning text here.)
      if (isRecord(delta) && typeof delta.reasoning_content === "string" && delta.reasoning_content !== "") {
        yield { type: "reasoning", text: delta.reasoning_content };
      }
      if (isRecord(delta) && typeof delta.content === "string" && delta.content !== "") {
        yield { type: "text", text: delta.content };
      }
      if (isRecord(delta) && Array.isArray(delta.tool_calls)) {
        for (const piece of delta.tool_calls) {
          if (!isRecord(piece)) continue;
          const index = typeof piece.index === "number" ? piece.index : calls.length;
          const fn = isRecord(piece.function) ? piece.function : {};
          const receiving = (calls[index] ??= { id: "", name: "", json: "" });
          if (typeof piece.id === "string" && piece.id !== "") receiving.id = piece.id;
          if (typeof fn.name === "string") receiving.name += fn.name;
          if (typeof fn.arguments === "string") receiving.json += fn.arguments;
        }
      }
      if (typeof choice.finish_reason === "string") rawStopReason = choice.finish_reason;
    }
    if (isRecord(data.usage)) {
      const { prompt_tokens: input, completion_tokens: output } = data.usage;
      if (typeof input === "number" && typeof output === "number") usage = { inputTokens: input, outputTokens: output };
    }
  }
  throw new ProviderError(
    "stream_ended_early",
    name,
    `the ${settings.label} reply ended before it was complete (no [DONE]); try again`,
  );
}

/** Compatible servers report a failure after the headers as a chunk holding `error`. */
function streamError(settings: RemoteSettings, model: string, error: unknown): ProviderError {
  const detail = isRecord(error)
    ? [error.type, error.code, error.message].filter((part) => typeof part === "string" && part !== "").join(": ")
    : String(error);
  if (isContextOverflow(errorBodyOf(error))) return contextTooLong(settings, model, clip(detail));
  return new ProviderError(
    "stream_error",
    settings.name,
    redact(`${settings.label} reported an error mid-reply (${clip(detail) || "no details"}); try again`, settings.secrets),
  );
}

/**
 * `length` is our limit only when the reply reached it: a local server also says `length` when
 * its own context window (llama.cpp's n_ctx) ran out, and telling the user to raise max_tokens
 * then would be wrong. Without usage, the server's word is taken.
 */
export function stopReasonOf(raw: string | null, usage: { outputTokens: number } | null, limit: number): StopReason {
  if (raw === null) return "other";
  const reason = STOP_REASONS[raw] ?? "other";
  if (reason === "max_tokens" && usage !== null && usage.outputTokens < limit) return "other";
  return reason;
}
