/**
 * The tool loop in runExchange, with a scripted provider and tools, on a real SQLite store: what
 * is stored however a tool answers.
 */
import { describe, expect, test } from "bun:test";
import { runExchange, type ExchangeTools } from "../src/chat/exchange.ts";
import type { ChatMessage, Provider, StreamEvent } from "../src/providers/types.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";

/** A provider that answers its n-th request with the n-th script, and keeps what it was sent. */
function scripted(steps: StreamEvent[][], sent: ChatMessage[][] = []): Provider {
  let n = 0;
  return {
    name: "anthropic",
    defaultModel: "m",
    acceptsImages: true,
    acceptsTools: true,
    async *stream(request) {
      sent.push(structuredClone(request.messages));
      for (const event of steps[Math.min(n++, steps.length - 1)]!) yield event;
    },
  };
}

const done = (stopReason: "end_turn" | "tool_use"): StreamEvent => ({ type: "done", stopReason, rawStopReason: stopReason, usage: { inputTokens: 1, outputTokens: 1 } });
const call = { id: "c1", name: "read", arguments: { path: "a.bin" } };

describe("runExchange with tools", () => {
  test("a result holding NUL (a binary file read as text) is stored, NUL shown as U+FFFD, and sent back", async () => {
    const store = SqliteStore.inMemory();
    const sent: ChatMessage[][] = [];
    const provider = scripted([[{ type: "tool_call", call }, done("tool_use")], [{ type: "text", text: "Binary." }, done("end_turn")]], sent);
    const tools: ExchangeTools = { specs: [{ name: "read", description: "", inputSchema: { type: "object" } }], maxSteps: 5, run: async () => ({ text: "PNG\0\u0001data", isError: false }) };
    const result = await runExchange({ store, session: null, provider, model: "m", message: "Read it", settings: { maxSessions: 0, retentionDays: 0, autoCleanup: false }, signal: new AbortController().signal, onText: () => {}, tools });
    const messages = await store.getMessages(result.session.id);
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    expect(messages[2]!.content).toBe("PNG\uFFFD\u0001data");
    expect(sent[1]!.at(-1)).toEqual({ role: "tool", content: "PNG\uFFFD\u0001data", toolCallId: "c1" });
    expect(result.toolSteps).toBe(1);
    await store.close();
  });
});
