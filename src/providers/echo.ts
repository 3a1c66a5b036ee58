/**
 * The offline provider: no key, no network. It streams the last user message back word by
 * word, so anyone can try Synapse (and tests can drive it) without an account.
 */
import { cancelledError } from "./errors.ts";
import type { ChatMessage, Provider, StreamEvent, StreamRequest } from "./types.ts";

export interface EchoOptions {
  /** Pause between words, to make the streaming visible. Default 0. */
  delayMs?: number;
}

/** Words with the whitespace that follows them, so the pieces join back into the original. */
function words(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [];
}

function countWords(messages: readonly ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + words(message.content).length, 0);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The echo provider. Usage is reported in words, a stand-in for tokens. */
export function createEchoProvider(options: EchoOptions = {}): Provider {
  const delayMs = options.delayMs ?? 0;
  return {
    name: "echo",
    defaultModel: "echo",
    // It takes images, and ignores them: what it echoes is the text.
    acceptsImages: true,
    // The echo provider never asks for one: no tool server is started for it.
    acceptsTools: false,
    stream: (request) => echo(request, delayMs),
  };
}

async function* echo(request: StreamRequest, delayMs: number): AsyncGenerator<StreamEvent> {
  const { signal } = request;
  const last = request.messages.findLast((message) => message.role === "user");
  const pieces = words(last?.content ?? "");
  let partial = "";
  for (const piece of pieces) {
    if (delayMs > 0) await pause(delayMs);
    else await Promise.resolve();
    if (signal.aborted) {
      const error = cancelledError("echo", "Echo");
      error.partialText = partial;
      throw error;
    }
    partial += piece;
    yield { type: "text", text: piece };
  }
  yield {
    type: "done",
    stopReason: "end_turn",
    rawStopReason: "end_turn",
    usage: { inputTokens: countWords(request.messages), outputTokens: pieces.length },
  };
}
