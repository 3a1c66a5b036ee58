/**
 * Anthropic's Messages API, streamed: `POST {base}/v1/messages`. The system prompt travels in
 * the top-level `system` field, never as a message.
 */
import { isRecord } from "../unknown-values.ts";
import { clip, errorBodyOf, isContextOverflow } from "./error-body.ts";
import { ProviderError, redact } from "./errors.ts";
import { contextTooLong } from "./http-errors.ts";
import type { RemoteSettings } from "./remote-settings.ts";
import { checkEnding } from "./reply-end.ts";
import { withRetries } from "./retries.ts";
import { parseEventJson, streamEvents } from "./stream-request.ts";
import type { ChatImage, ChatMessage, Provider, StopReason, StreamEvent, StreamRequest } from "./types.ts";
import { base64Of } from "./base64.ts";
import { toolArguments } from "./tool-arguments.ts";

export const ANTHROPIC_VERSION = "2023-06-01";

const STOP_REASONS: Record<string, StopReason> = {
  end_turn: "end_turn",
  max_tokens: "max_tokens",
  stop_sequence: "stop_sequence",
  tool_use: "tool_use",
  refusal: "content_filter",
  model_context_window_exceeded: "max_tokens",
};

/** A provider speaking the Anthropic Messages API with `settings`. */
export function createAnthropicProvider(settings: RemoteSettings): Provider {
  return {
    name: settings.name,
    defaultModel: settings.defaultModel,
    acceptsImages: settings.images ?? true,
    acceptsTools: true,
    stream: (request) => checkEnding(settings, request.model, withRetries(settings, request.signal, () => attempt(settings, request))),
  };
}

/** The request body: system messages joined into `system`, the rest as the conversation. */
export function anthropicBody(request: StreamRequest, maxTokens: number): Record<string, unknown> {
  const system = request.messages
    .filter((message) => message.role === "system")
    .map((message) => message.content)
    .join("\n\n");
  const tools = request.tools ?? [];
  return {
    model: request.model,
    max_tokens: request.maxTokens ?? maxTokens,
    ...(system === "" ? {} : { system }),
    messages: anthropicMessages(request.messages),
    ...(tools.length === 0 ? {} : { tools: tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema })) }),
    stream: true,
  };
}

type AnthropicBlock = Record<string, unknown> & { type: string };
type AnthropicMessage = { role: "user" | "assistant"; content: string | AnthropicBlock[] };

/**
 * The conversation as the Messages API takes it: a reply that ran tools is a `tool_use` block per
 * call after its text, and the tools' results are `tool_result` blocks in the user's next turn,
 * followed there by the next question when one came before the model spoke again.
 */
function anthropicMessages(messages: readonly ChatMessage[]): AnthropicMessage[] {
  const out: AnthropicMessage[] = [];
  for (const message of messages) {
    if (message.role === "system") continue;
    const last = out.at(-1);
    const resultsTurn = last !== undefined && last.role === "user" && Array.isArray(last.content) && last.content.every((block) => block.type === "tool_result") ? last : undefined;
    if (message.role === "tool") {
      const block: AnthropicBlock = { type: "tool_result", tool_use_id: message.toolCallId ?? "", content: message.content, ...(message.toolError ? { is_error: true } : {}) };
      if (resultsTurn !== undefined && Array.isArray(resultsTurn.content)) resultsTurn.content.push(block);
      else out.push({ role: "user", content: [block] });
    } else if (message.role === "assistant" && message.toolCalls !== undefined && message.toolCalls.length > 0) {
      const text: AnthropicBlock[] = message.content === "" ? [] : [{ type: "text", text: message.content }];
      out.push({ role: "assistant", content: [...text, ...message.toolCalls.map((call) => ({ type: "tool_use", id: call.id, name: call.name, input: call.arguments }))] });
    } else if (message.role === "user" && resultsTurn !== undefined && Array.isArray(resultsTurn.content)) {
      resultsTurn.content.push(...anthropicContent(message.content, message.images ?? []));
    } else {
      const images = message.images ?? [];
      out.push({ role: message.role, content: images.length === 0 ? message.content : anthropicContent(message.content, images) });
    }
  }
  return out;
}

/**
 * A message with images as content blocks: each image as a base64 `image` block, then the text
 * (Anthropic's documentation puts images before the text that asks about them). An empty text
 * block is refused by the API, so none is sent.
 */
function anthropicContent(text: string, images: readonly ChatImage[]): AnthropicBlock[] {
  return [
    ...images.map((image) => ({ type: "image", source: { type: "base64", media_type: image.mediaType, data: base64Of(image.data) } })),
    ...(text === "" ? [] : [{ type: "text", text }]),
  ];
}

function tokens(usage: unknown, key: string): number | undefined {
  if (!isRecord(usage)) return undefined;
  const value = usage[key];
  return typeof value === "number" ? value : undefined;
}

/**
 * The text a content block starts with (usually none: it comes in deltas). Only a `text` block
 * is the answer and a `thinking` block the reasoning; `redacted_thinking` holds only encrypted
 * `data`, and tool-use blocks are no text.
 */
function blockText(block: Record<string, unknown>): StreamEvent | undefined {
  if (block.type === "text" && typeof block.text === "string" && block.text !== "") return { type: "text", text: block.text };
  if (block.type === "thinking" && typeof block.thinking === "string" && block.thinking !== "") return { type: "reasoning", text: block.thinking };
  return undefined;
}

/**
 * A delta's text: `text_delta` is the answer, `thinking_delta` the reasoning. A thinking block's
 * `signature_delta` only lets the block be sent back, which Synapse never does (no tools);
 * `input_json_delta` is a tool's input.
 */
function deltaText(delta: Record<string, unknown>): StreamEvent | undefined {
  if (delta.type === "text_delta" && typeof delta.text === "string" && delta.text !== "") return { type: "text", text: delta.text };
  if (delta.type === "thinking_delta" && typeof delta.thinking === "string" && delta.thinking !== "") return { type: "reasoning", text: delta.thinking };
  return undefined;
}

async function* attempt(settings: RemoteSettings, request: StreamRequest): AsyncGenerator<StreamEvent> {
  const { signal } = request;
  const call = {
    url: `${settings.baseUrl}/v1/messages`,
    headers: { ...(settings.apiKey === undefined ? {} : { "x-api-key": settings.apiKey }), "anthropic-version": ANTHROPIC_VERSION, ...settings.headers },
    body: anthropicBody(request, settings.maxTokens),
    model: request.model,
  };
  let inputTokens: number | undefined;
  let outputTokens: number | undefined;
  let rawStopReason: string | null = null;
  // Tool calls being received, by content block index: their arguments arrive as JSON in pieces.
  const calls = new Map<number, { id: string; name: string; json: string }>();
  for await (const event of streamEvents(settings, call, signal)) {
    const data = parseEventJson(settings, event);
    if (!isRecord(data)) continue;
    const type = typeof data.type === "string" ? data.type : event.event;
    switch (type) {
      case "message_start": {
        const usage = isRecord(data.message) ? data.message.usage : undefined;
        inputTokens = tokens(usage, "input_tokens") ?? inputTokens;
        outputTokens = tokens(usage, "output_tokens") ?? outputTokens;
        break;
      }
      case "content_block_start": {
        const block = data.content_block;
        if (isRecord(block) && block.type === "tool_use" && typeof block.id === "string" && typeof block.name === "string" && typeof data.index === "number") {
          // The input starts empty and comes in input_json_delta pieces (a whole one is taken too).
          const given = isRecord(block.input) && Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : "";
          calls.set(data.index, { id: block.id, name: block.name, json: given });
          break;
        }
        const start = isRecord(block) ? blockText(block) : undefined;
        if (start !== undefined) yield start;
        break;
      }
      case "content_block_delta": {
        const delta = data.delta;
        const receiving = typeof data.index === "number" ? calls.get(data.index) : undefined;
        if (receiving !== undefined && isRecord(delta) && delta.type === "input_json_delta" && typeof delta.partial_json === "string") {
          receiving.json += delta.partial_json;
          break;
        }
        const piece = isRecord(delta) ? deltaText(delta) : undefined;
        if (piece !== undefined) yield piece;
        break;
      }
      case "content_block_stop": {
        const done = typeof data.index === "number" ? calls.get(data.index) : undefined;
        if (done === undefined) break;
        calls.delete(data.index as number);
        yield { type: "tool_call", call: { id: done.id, name: done.name, arguments: toolArguments(settings, done.name, done.json) } };
        break;
      }
      case "message_delta": {
        if (isRecord(data.delta) && typeof data.delta.stop_reason === "string") rawStopReason = data.delta.stop_reason;
        // message_delta usage is cumulative, so it wins over message_start's.
        inputTokens = tokens(data.usage, "input_tokens") ?? inputTokens;
        outputTokens = tokens(data.usage, "output_tokens") ?? outputTokens;
        break;
      }
      case "message_stop":
        yield {
          type: "done",
          stopReason: rawStopReason === null ? "other" : (STOP_REASONS[rawStopReason] ?? "other"),
          rawStopReason,
          usage:
            inputTokens === undefined || outputTokens === undefined ? null : { inputTokens, outputTokens },
        };
        return;
      case "error":
        throw streamError(settings, request.model, data.error);
      // ping and event types added later are ignored.
    }
  }
  throw new ProviderError(
    "stream_ended_early",
    "anthropic",
    `the ${settings.label} reply ended before it was complete (no message_stop); try again`,
  );
}

/** An `error` event in the middle of a stream. Overload and rate limits keep their kind, so they are retried before the first token. */
function streamError(settings: RemoteSettings, model: string, error: unknown): ProviderError {
  const type = isRecord(error) && typeof error.type === "string" ? error.type : "error";
  const message = isRecord(error) && typeof error.message === "string" ? error.message : "no details";
  if (isContextOverflow(errorBodyOf(error))) return contextTooLong(settings, model, `${type}: ${clip(message)}`);
  const kind = type === "overloaded_error" ? "overloaded" : type === "rate_limit_error" ? "rate_limit" : "stream_error";
  return new ProviderError(
    kind,
    "anthropic",
    redact(`${settings.label} reported an error mid-reply (${type}: ${clip(message)}); try again`, settings.secrets),
  );
}
