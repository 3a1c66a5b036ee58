import { describe, expect, test } from "bun:test";
import { Glob } from "bun";
import { readSse, SseParser, type SseEvent } from "../src/providers/sse.ts";
import { FIXTURES } from "./_provider-server.ts";

const encoder = new TextEncoder();

function parseChunks(chunks: Uint8Array[]): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.feed(chunk));
  events.push(...parser.end());
  return events;
}

function parseText(text: string): SseEvent[] {
  return parseChunks([encoder.encode(text)]);
}

/** Deterministic PRNG (mulberry32), so a failing chunking can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `bytes` at random places; small pieces are likely, so cuts land inside characters and CRLFs. */
function randomChunks(bytes: Uint8Array, next: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const size = next() < 0.5 ? 1 + Math.floor(next() * 4) : 1 + Math.floor(next() * 64);
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

const ev = (data: string, event = "message", id = ""): SseEvent => ({ event, data, id });

describe("SseParser follows the WHATWG rules", () => {
  const cases: [string, string, SseEvent[]][] = [
    ["one event", "data: hi\n\n", [ev("hi")]],
    ["event type", "event: ping\ndata: {}\n\n", [ev("{}", "ping")]],
    ["multi-line data joined with LF", "data: a\ndata: b\ndata:\n\n", [ev("a\nb\n")]],
    ["only one leading space stripped", "data:  two\ndata:none\n\n", [ev(" two\nnone")]],
    ["field without colon", "data\n\n", [ev("")]],
    ["comments ignored", ": keep-alive\n\n:\ndata: x\n: mid\n\n", [ev("x")]],
    ["no data, no event", "event: ping\n\n", []],
    ["event type resets after dispatch", "event: a\ndata: 1\n\ndata: 2\n\n", [ev("1", "a"), ev("2")]],
    ["empty event name means message", "event:\ndata: 1\n\n", [ev("1")]],
    ["CRLF", "event: e\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n", [ev("1", "e"), ev("2")]],
    ["CR", "event: e\rdata: 1\r\rdata: 2\r\r", [ev("1", "e"), ev("2")]],
    ["mixed endings", "data: 1\r\ndata: 2\rdata: 3\n\r\n", [ev("1\n2\n3")]],
    ["leading BOM dropped", "\uFEFFdata: 1\n\n", [ev("1")]],
    ["a later BOM is data", "data: \uFEFF1\n\n", [ev("\uFEFF1")]],
    ["colon in value kept", 'data: {"a":"b: c"}\n\n', [ev('{"a":"b: c"}')]],
    ["unknown fields and retry ignored", "retry: 10\nfoo: bar\ndata: 1\n\n", [ev("1")]],
    ["id remembered across events", "id: 7\ndata: 1\n\ndata: 2\n\n", [ev("1", "message", "7"), ev("2", "message", "7")]],
    ["id with NUL ignored", "id: 1\ndata: a\n\nid: x\0y\ndata: b\n\n", [ev("a", "message", "1"), ev("b", "message", "1")]],
    ["multi-byte text", "data: wörld ☃ 👋 你好\n\n", [ev("wörld ☃ 👋 你好")]],
    // End of stream: complete lines without the final blank line are dispatched …
    ["EOF after a complete line", "data: 1\n\ndata: 2\n", [ev("1"), ev("2")]],
    ["EOF after a CR", "data: 1\r", [ev("1")]],
    // … an unterminated last line is dropped, since it may be cut in half.
    ["EOF inside a line", 'data: 1\n\ndata: {"half', [ev("1")]],
    ["EOF inside a second data line", "data: 1\ndata: 2", [ev("1")]],
    ["empty stream", "", []],
  ];
  test.each(cases)("%s", (_name, input, expected) => {
    expect(parseText(input)).toEqual(expected);
  });

  test("a CRLF split between chunks is one line ending", () => {
    const chunks = ["data: 1\r", "\n", "\r", "\ndata: 2\r", "\r", "\n"].map((s) => encoder.encode(s));
    // CR|LF ends "data: 1", CR|LF is the blank line; CR ends "data: 2", CR|LF is the blank line.
    expect(parseChunks(chunks)).toEqual([ev("1"), ev("2")]);
  });

  test("a character split across chunks survives", () => {
    const bytes = encoder.encode("data: 👋 é\n\n");
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(parseChunks(chunks)).toEqual([ev("👋 é")]);
  });

  test("a BOM split across chunks is still dropped", () => {
    const bytes = encoder.encode("\uFEFFdata: 1\n\n");
    expect(parseChunks([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)])).toEqual([ev("1")]);
  });

  test("a malformed UTF-8 sequence becomes U+FFFD rather than an exception", () => {
    expect(parseChunks([Uint8Array.of(0x64, 0x61, 0x74, 0x61, 0x3a, 0xff, 0x0a, 0x0a)])).toEqual([ev("\uFFFD")]);
  });
});

describe("SseParser gives the same events for any chunking", () => {
  const fixtures = [...new Glob("**/*.sse").scanSync(FIXTURES)].sort();
  const variants: [string, (text: string) => string][] = [
    ["LF", (text) => text],
    ["CRLF", (text) => text.replace(/\n/g, "\r\n")],
    ["CR", (text) => text.replace(/\n/g, "\r")],
    ["BOM+CRLF", (text) => "\uFEFF" + text.replace(/\n/g, "\r\n")],
  ];

  test("fixtures exist", () => expect(fixtures.length).toBeGreaterThan(5));

  for (const name of fixtures) {
    test(name, async () => {
      const original = await Bun.file(`${FIXTURES}/${name}`).text();
      const reference = parseText(original);
      expect(reference.length).toBeGreaterThan(0);
      let seed = 1;
      for (const [, transform] of variants) {
        const bytes = encoder.encode(transform(original));
        expect(parseText(transform(original))).toEqual(reference);
        expect(parseChunks(Array.from(bytes, (byte) => Uint8Array.of(byte)))).toEqual(reference);
        for (let i = 0; i < 150; i++, seed++) {
          const chunks = randomChunks(bytes, random(seed));
          const events = parseChunks(chunks);
          if (!Bun.deepEquals(events, reference)) {
            throw new Error(`${name}: chunking with seed ${seed} gave different events`);
          }
        }
      }
    });
  }
});

describe("readSse", () => {
  function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
    return new ReadableStream({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(encoder.encode(next));
      },
    });
  }

  test("yields events from a byte stream", async () => {
    const events: SseEvent[] = [];
    for await (const event of readSse(streamOf(["data: 1\n", "\ndata", ": 2\n\n"]))) events.push(event);
    expect(events).toEqual([ev("1"), ev("2")]);
  });

  test("leaving the loop cancels the stream", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(encoder.encode("data: x\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of readSse(body)) {
      expect(event.data).toBe("x");
      break;
    }
    expect(cancelled).toBe(true);
  });

  test("an abort throws instead of ending quietly", async () => {
    const controller = new AbortController();
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(stream) {
        stream.enqueue(encoder.encode("data: first\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    const seen: string[] = [];
    const run = (async () => {
      for await (const event of readSse(body, controller.signal)) {
        seen.push(event.data);
        setTimeout(() => controller.abort(), 5);
      }
    })();
    await expect(run).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toEqual(["first"]);
    expect(cancelled).toBe(true);
  });
});
