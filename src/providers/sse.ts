/**
 * One server-sent-events reader for every provider, following the WHATWG HTML "server-sent
 * events" parsing rules: CRLF, LF and CR line endings; a leading BOM dropped; `:` comments;
 * one optional space after the colon stripped; `data` lines of an event joined with `\n`;
 * `event` naming the type (default `message`); a blank line dispatching.
 *
 * Chunk boundaries may fall anywhere: inside a multi-byte UTF-8 character (the decoder runs
 * in stream mode), inside a line, or between the CR and LF of a CRLF.
 *
 * End of stream (where the spec is silent on what a client should *do*, and simply discards
 * the pending event): Synapse dispatches a pending event whose lines were all complete — only
 * the final blank line is missing, a sloppy but harmless server habit — and drops an
 * unterminated last line, which may be a line cut in half by a broken connection. A truncated
 * reply is then reported by the provider as "ended early" rather than as a garbled event.
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen on the stream, `""` when none. */
  id: string;
}

const LF = 10;

/**
 * An incremental SSE parser: feed it bytes as they arrive, collect the events each chunk
 * completes, and call `end()` once at end of stream.
 *
 * @example
 * const parser = new SseParser();
 * for (const chunk of chunks) for (const event of parser.feed(chunk)) handle(event);
 * for (const event of parser.end()) handle(event);
 */
export class SseParser {
  readonly #decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  /** Text after the last complete line. */
  #rest = "";
  #started = false;
  /** The previous chunk ended with CR: an LF that opens the next one belongs to it. */
  #skipLf = false;
  #eventType = "";
  #data = "";
  #hasData = false;
  #lastId = "";
  #events: SseEvent[] = [];

  /** Parses a chunk of bytes; returns the events it completed, in order. */
  feed(chunk: Uint8Array): SseEvent[] {
    this.#pushText(this.#decoder.decode(chunk, { stream: true }));
    return this.#take();
  }

  /**
   * Ends the stream: flushes the decoder and dispatches a pending event whose lines were all
   * terminated. An unterminated last line is dropped (see the module comment).
   */
  end(): SseEvent[] {
    this.#pushText(this.#decoder.decode());
    this.#rest = "";
    this.#dispatch();
    return this.#take();
  }

  #take(): SseEvent[] {
    const events = this.#events;
    if (events.length > 0) this.#events = [];
    return events;
  }

  #pushText(text: string): void {
    if (text.length === 0) return;
    if (!this.#started) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.#skipLf) {
      this.#skipLf = false;
      if (text.charCodeAt(0) === LF) text = text.slice(1);
    }
    // The kept rest holds no line ending, so the search starts after it: a long line arriving
    // in many chunks is not rescanned from its start each time.
    const from = this.#rest.length;
    const s = from > 0 ? this.#rest + text : text;
    const length = s.length;
    let pos = 0;
    // Remember where the next CR and LF are, so a stream without CRs costs one scan, not one
    // scan per line.
    let cr = s.indexOf("\r", from);
    let lf = s.indexOf("\n", from);
    while (pos < length) {
      if (cr !== -1 && cr < pos) cr = s.indexOf("\r", pos);
      if (lf !== -1 && lf < pos) lf = s.indexOf("\n", pos);
      let end: number;
      let next: number;
      if (lf !== -1 && (cr === -1 || lf < cr)) {
        end = lf;
        next = lf + 1;
      } else if (cr !== -1) {
        end = cr;
        if (cr + 1 < length) {
          next = s.charCodeAt(cr + 1) === LF ? cr + 2 : cr + 1;
        } else {
          // A CR at the very end of the text ends the line now; an LF may still follow.
          next = cr + 1;
          this.#skipLf = true;
        }
      } else {
        break;
      }
      this.#line(s, pos, end);
      pos = next;
    }
    this.#rest = pos === 0 ? s : pos >= length ? "" : s.slice(pos);
  }

  #line(s: string, start: number, end: number): void {
    if (start === end) {
      this.#dispatch();
      return;
    }
    const colon = s.indexOf(":", start);
    if (colon === start) return; // a comment, e.g. a keep-alive
    let field: string;
    let value: string;
    if (colon === -1 || colon >= end) {
      field = s.slice(start, end);
      value = "";
    } else {
      field = s.slice(start, colon);
      const valueStart = s.charCodeAt(colon + 1) === 32 && colon + 1 < end ? colon + 2 : colon + 1;
      value = s.slice(valueStart, end);
    }
    switch (field) {
      case "data":
        this.#data = this.#hasData ? this.#data + "\n" + value : value;
        this.#hasData = true;
        break;
      case "event":
        this.#eventType = value;
        break;
      case "id":
        if (!value.includes("\0")) this.#lastId = value;
        break;
      // `retry` and unknown fields are ignored: Synapse never reconnects an LLM stream.
    }
  }

  #dispatch(): void {
    if (this.#hasData) {
      this.#events.push({ event: this.#eventType || "message", data: this.#data, id: this.#lastId });
    }
    this.#data = "";
    this.#hasData = false;
    this.#eventType = "";
  }
}

/**
 * Reads a byte stream as server-sent events. Leaving the loop early (break or throw) or
 * aborting `signal` cancels the stream, which closes the HTTP connection; an abort makes the
 * loop throw the signal's reason instead of ending as if the stream were complete. `onBytes`
 * runs for every chunk read, comments and keep-alives included: it tells a watchdog that the
 * server is still there.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
  onBytes?: () => void,
): AsyncGenerator<SseEvent> {
  const parser = new SseParser();
  const reader = body.getReader();
  // Don't rely on the body noticing the abort by itself: cancel the read in flight.
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      if (value.length > 0) onBytes?.();
      // One chunk can hold several events: none is delivered once the caller has aborted.
      for (const event of parser.feed(value)) {
        signal?.throwIfAborted();
        yield event;
      }
    }
    finished = true;
    yield* parser.end();
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
