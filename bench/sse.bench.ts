/**
 * SSE parsing throughput: ~20 MB of Anthropic-style `content_block_delta` events, fed to the
 * parser in 16 KiB chunks as a socket would deliver them. Measures framing only (decode, split
 * lines, assemble events), not JSON parsing.
 */
import { SseParser } from "../src/providers/sse.ts";
import { median, report, timeRuns } from "./_report.ts";

const TARGET_BYTES = 20 * 1024 * 1024;
const CHUNK = 16 * 1024;

function buildStream(): Uint8Array {
  const words = ["Hello", " wörld", " — streaming", " tokens", " ☃", " arrive", " one", " by", " one", "."];
  const parts = [
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","usage":{"input_tokens":10,"output_tokens":1}}}\n\n',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  ];
  let size = 0;
  for (let i = 0; size < TARGET_BYTES; i++) {
    const part =
      i % 500 === 0
        ? 'event: ping\ndata: {"type": "ping"}\n\n'
        : `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(words[i % words.length])}}}\n\n`;
    parts.push(part);
    size += part.length;
  }
  parts.push('event: message_stop\ndata: {"type":"message_stop"}\n\n');
  return new TextEncoder().encode(parts.join(""));
}

export default async function (): Promise<void> {
  const bytes = buildStream();
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += CHUNK) chunks.push(bytes.subarray(offset, offset + CHUNK));
  let events = 0;
  const times = await timeRuns(7, () => {
    const parser = new SseParser();
    let count = 0;
    for (const chunk of chunks) count += parser.feed(chunk).length;
    count += parser.end().length;
    events = count;
  });
  const ms = median(times);
  report({
    name: "sse_parse_anthropic",
    median_ms: ms,
    mb_per_s: Math.round((bytes.length / 1e6 / (ms / 1000)) * 10) / 10,
    bytes: bytes.length,
    events,
    chunk_bytes: CHUNK,
  });
}
