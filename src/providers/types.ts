import type { ProviderName } from "../provider-names.ts";
import type { Role, ToolCall } from "../session.ts";

/** The names live at the root, where configuration reads them too; users of providers find them here. */
export { isProviderName, PROVIDER_NAMES, type ProviderName } from "../provider-names.ts";

/** The roles are the stored messages' own: what is sent is what was stored. */
export type { Role, ToolCall } from "../session.ts";

/** One turn of a conversation, as stored and as sent. */
export interface ChatMessage {
  role: Role;
  content: string;
  /**
   * Images sent with a user message, before its text; absent (or empty) for a message that is
   * only text, which is sent as a plain string as it always was.
   */
  images?: ChatImage[];
  /** A reply's requests to run tools (role `assistant`), after its text. */
  toolCalls?: ToolCall[];
  /** A tool's result (role `tool`): the call it answers. */
  toolCallId?: string;
  /** A tool's result that is an error. */
  toolError?: boolean;
}

/** A tool the model may ask to run: its name, what it does, and its arguments' JSON Schema. */
export interface ToolSpec {
  /** Letters, digits, `_` and `-`, at most 64: what both wire formats accept. */
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** An image a model is sent: its bytes and their type (`image/png`, …). */
export interface ChatImage {
  mediaType: string;
  data: Uint8Array;
}

/** What one reply is asked for. */
export interface StreamRequest {
  /** The conversation so far, oldest first; `system` messages carry the system prompt. */
  messages: ChatMessage[];
  model: string;
  /** Upper bound on the reply's tokens; the provider's configured `max_tokens` when absent. */
  maxTokens?: number;
  /** Aborting it stops the reply and closes the connection. */
  signal: AbortSignal;
  /** Tools the model may ask to run; none offered when absent or empty. */
  tools?: ToolSpec[];
}

/**
 * How a reply ended, the same for every provider:
 * - `end_turn`: the model finished (Anthropic `end_turn`, OpenAI `stop`);
 * - `max_tokens`: cut by the token limit (Anthropic `max_tokens`, OpenAI `length`);
 * - `stop_sequence`: a stop sequence matched;
 * - `tool_use`: the model asked to run tools (see the `tool_call` events before `done`);
 * - `content_filter`: withheld by the provider (OpenAI `content_filter`, Anthropic `refusal`);
 * - `other`: anything else, or nothing reported; see `rawStopReason`.
 */
export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "content_filter" | "other";

/** Token counts, as the provider reported them. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * What a stream yields: text deltas as they arrive, then exactly one `done`. Errors are thrown
 * as `ProviderError`, never yielded. A remote provider yields `done` only for a reply with text
 * whose end the provider explained (a finish or stop reason); an empty reply, or one that ended
 * without a reason and so may be cut off, is thrown instead (see `reply-end.ts`).
 *
 * `reasoning` is a reasoning model thinking aloud before it answers (DeepSeek's
 * `reasoning_content`, Anthropic's thinking blocks): never part of the reply's text, nor of
 * `partialText`, and never sent back. Encrypted thinking (Anthropic's `redacted_thinking`, the
 * signature of a thinking block) has no text to show and is not yielded.
 */
export type StreamEvent =
  | { type: "text"; text: string }
  | { type: "reasoning"; text: string }
  /** A request to run a tool, once its arguments have arrived whole. */
  | { type: "tool_call"; call: ToolCall }
  /** Something the user should know that stops nothing (the oldest turns left out to fit the context): one line. */
  | { type: "warning"; message: string }
  | {
      type: "done";
      stopReason: StopReason;
      /** The provider's own value (`end_turn`, `stop`, `length`, …), `null` when none came. */
      rawStopReason: string | null;
      /** `null` when the provider did not report usage. */
      usage: Usage | null;
    };

/**
 * A streaming LLM provider.
 *
 * @example
 * const controller = new AbortController();
 * let answer = "";
 * for await (const event of provider.stream({ messages, model, signal: controller.signal })) {
 *   if (event.type === "text") { answer += event.text; process.stdout.write(event.text); }
 *   else if (event.type === "reasoning") process.stderr.write(event.text);
 *   else console.error(event.stopReason, event.usage);
 * }
 */
export interface Provider {
  /** As the user chooses it and sessions store it: `anthropic`, `groq`, a configured name. */
  readonly name: string;
  /** The model to use when the caller has no other: the resolved config's choice. */
  readonly defaultModel: string;
  /**
   * Whether its wire format takes images (`images` in its configuration). A question with one is
   * refused for a provider that does not, before anything is stored; images in a continued
   * session's history are replaced by a line saying they were not sent.
   */
  readonly acceptsImages: boolean;
  /** Whether it may be offered tools (`StreamRequest.tools`): MCP servers start only for one that may. */
  readonly acceptsTools: boolean;
  stream(request: StreamRequest): AsyncIterable<StreamEvent>;
  /**
   * Readies it before anything is stored (a local model file is loaded): a provider that cannot
   * answer fails here, and the question is not stored. Absent for a remote one.
   */
  prepare?(signal: AbortSignal): Promise<void>;
  /** Frees what it holds (a loaded model); absent when it holds nothing. */
  close?(): Promise<void>;
}
