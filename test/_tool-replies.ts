/**
 * Provider streams that ask to run tools, in each wire format, as the real APIs send them: the
 * arguments' JSON cut in pieces, after some text or none.
 */
import { sse } from "./_cli.ts";
import type { Reply } from "./_provider-server.ts";

export interface CallSpec {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  /** Sent instead of the arguments' JSON: what a model that wrote broken JSON sends. */
  raw?: string;
}

/** Cuts `text` into three pieces (the last may be empty), as a stream would. */
function thirds(text: string): string[] {
  const third = Math.ceil(text.length / 3);
  return [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)];
}

/** An Anthropic Messages stream: `text` (if any), then a tool_use block per call; stop_reason tool_use. */
export function anthropicToolUse(calls: readonly CallSpec[], text = ""): Reply {
  const events: [string, unknown][] = [
    ["message_start", { type: "message_start", message: { id: "msg_t", type: "message", role: "assistant", content: [], model: "claude-test", usage: { input_tokens: 20, output_tokens: 1 } } }],
  ];
  let index = 0;
  if (text !== "") {
    events.push(
      ["content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } }],
      ["content_block_delta", { type: "content_block_delta", index, delta: { type: "text_delta", text } }],
      ["content_block_stop", { type: "content_block_stop", index }],
    );
    index += 1;
  }
  for (const call of calls) {
    events.push(["content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: call.id, name: call.name, input: {} } }]);
    for (const piece of thirds(call.raw ?? JSON.stringify(call.arguments))) {
      events.push(["content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: piece } }]);
    }
    events.push(["content_block_stop", { type: "content_block_stop", index }]);
    index += 1;
  }
  events.push(
    ["message_delta", { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 30 } }],
    ["message_stop", { type: "message_stop" }],
  );
  return { kind: "sse", body: sse(events) };
}

/** An OpenAI Chat Completions stream: `text` (if any), then tool_calls deltas by index; finish_reason tool_calls. */
export function openaiToolCalls(calls: readonly CallSpec[], text = ""): Reply {
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    id: "c1",
    object: "chat.completion.chunk",
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const events: [null, unknown][] = [[null, chunk({ role: "assistant", content: text === "" ? null : text }, null)]];
  calls.forEach((call, index) => {
    const [first, ...rest] = thirds(call.raw ?? JSON.stringify(call.arguments));
    events.push([null, chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: first } }] }, null)]);
    for (const piece of rest) events.push([null, chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null)]);
  });
  events.push(
    [null, chunk({}, "tool_calls")],
    [null, { id: "c1", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 20, completion_tokens: 30 } }],
    [null, "[DONE]"],
  );
  return { kind: "sse", body: sse(events) };
}
