/**
 * How a reply ended, judged the same way for every remote provider. A stream can close cleanly
 * and still not hold a whole answer, as real servers were seen to do:
 * - llama-cpp-python drops a reply when another request arrives, closing it with `[DONE]` but no
 *   `finish_reason`; Anthropic's wire format can likewise end without `message_delta.stop_reason`.
 *   Without a reason the reply may be cut off: it is an error (`stream_ended_early`), so the
 *   text is kept marked interrupted, the user is told, and the exit code says it failed.
 * - Over the model's context window, llama-cpp-python answers 200 with an empty stream, and a
 *   proxy such as LiteLLM turns that into an empty reply that says it stopped normally. An empty
 *   reply is never an answer: it is an error (`context_length`) that says the conversation may
 *   be too long and what to do, since trying again cannot help.
 */
import { hasVisibleText } from "../plain-text.ts";
import { clip } from "./error-body.ts";
import { ProviderError, redact } from "./errors.ts";
import { TOO_LONG_ADVICE } from "./http-errors.ts";
import type { RemoteSettings } from "./remote-settings.ts";
import type { StreamEvent } from "./types.ts";

/**
 * Passes `events` through, and throws instead of ending when the reply is empty or did not say
 * why it stopped. A reply with no visible text (only whitespace) is an empty one: its text is
 * held back until something visible comes, so an empty reply never reaches the caller, who
 * would print and store it. Thrown errors carry the text that went through as `partialText`.
 */
export async function* checkEnding(
  settings: RemoteSettings,
  model: string,
  events: AsyncIterable<StreamEvent>,
): AsyncGenerator<StreamEvent> {
  // Delivered to the caller, and received but held back (whitespace before any visible text).
  let text = "";
  let held = "";
  // A reply that asks to run tools is no empty one, even with no text.
  let calls = 0;
  let failure: ProviderError | undefined;
  try {
    for await (const event of events) {
      if (event.type === "tool_call") {
        calls += 1;
        yield event;
        continue;
      }
      // Reasoning is no part of the reply: it goes through as it comes, and a reply that only
      // reasoned is still an empty one.
      if (event.type === "reasoning" || event.type === "warning") {
        yield event;
        continue;
      }
      if (event.type === "text") {
        if (text === "" && !hasVisibleText(held + event.text)) {
          held += event.text;
          continue;
        }
        const shown = held + event.text;
        held = "";
        text += shown;
        yield { type: "text", text: shown };
        continue;
      }
      failure = text === "" && calls === 0 ? emptyReply(settings, model, event) : event.rawStopReason === null ? noStopReason(settings) : undefined;
      if (failure === undefined) yield event;
      break;
    }
  } catch (error) {
    // A stream that closed without its end marker and without any text is the empty reply too.
    if (!(error instanceof ProviderError)) throw error;
    if (!(error.kind === "stream_ended_early" && text === "" && calls === 0)) {
      // Held-back whitespace was never delivered: it is no part of what arrived.
      error.partialText = text;
      throw error;
    }
    failure = emptyReply(settings, model, undefined);
  }
  if (failure !== undefined) {
    failure.partialText = text;
    throw failure;
  }
}

/** The wire format's own name for why a reply stopped. */
function reasonField(settings: RemoteSettings): string {
  return settings.name === "anthropic" ? "stop_reason" : "finish_reason";
}

/** `end` is the stream's last event, `undefined` when it closed without one. */
function emptyReply(settings: RemoteSettings, model: string, end: Extract<StreamEvent, { type: "done" }> | undefined): ProviderError {
  const label = settings.label;
  const said =
    end === undefined ? "the stream closed without its end marker" : `${reasonField(settings)}: ${clip(end.rawStopReason ?? "none", 40)}`;
  if (end?.stopReason === "content_filter") {
    return new ProviderError(
      "stream_error",
      settings.name,
      redact(`${label} withheld its reply (${said}); nothing was stored as an answer; rephrase the question, or try another model (-m MODEL)`, settings.secrets),
    );
  }
  // A reasoning model can spend the whole token budget thinking: then max_tokens is the cure.
  const budget =
    end?.stopReason === "max_tokens"
      ? `, or max_tokens under ${settings.table} in ${settings.configPath} too small for it (raise it)`
      : "";
  return new ProviderError(
    "context_length",
    settings.name,
    redact(`${label} sent an empty reply (${said}): the conversation may be too long for model "${model}"${budget}; ${TOO_LONG_ADVICE}`, settings.secrets),
  );
}

function noStopReason(settings: RemoteSettings): ProviderError {
  const label = settings.label;
  return new ProviderError(
    "stream_ended_early",
    settings.name,
    `the ${label} reply ended without a ${reasonField(settings)}, so it may be cut off (a server can drop a reply when ` +
      `another request arrives); what arrived is kept, marked interrupted; continue the session to ask for the rest`,
  );
}
