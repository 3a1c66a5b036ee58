/**
 * The keyboard, for chat mode: stdin in raw mode (each key as it is typed, Ctrl+C as a key, not
 * a signal) with bracketed paste on, so a paste arrives marked as one piece. Keys typed while a
 * reply streams wait for the next prompt, but Ctrl+C stops the reply. The terminal is given
 * back as it was however Synapse ends.
 */
import { writeSync } from "node:fs";
import { bracketedPasteMode, type LineInput } from "./line-editor.ts";

export class TerminalInput implements LineInput {
  readonly #queue: string[] = [];
  #waiting: ((chunk: string | null) => void) | null = null;
  #ended = false;
  #interrupt: (() => void) | null = null;
  readonly #decoder = new TextDecoder();
  readonly #onData = (data: Buffer | string) => this.#take(typeof data === "string" ? data : this.#decoder.decode(data, { stream: true }));
  readonly #onEnd = () => this.end();
  readonly #restore = () => this.#setRaw(false);
  // An empty chunk is no key: the line editor redraws at the window's new width.
  readonly #onResize = () => {
    if (this.#waiting !== null) this.#take("");
  };

  private constructor() {}

  /** Raw mode and bracketed paste on, until {@link close}. */
  static open(): TerminalInput {
    const input = new TerminalInput();
    process.stdin.on("data", input.#onData);
    process.stdin.on("end", input.#onEnd);
    // However the process ends, the terminal is not left in raw mode.
    process.on("exit", input.#restore);
    process.on("SIGWINCH", input.#onResize);
    input.#setRaw(true);
    return input;
  }

  read(): Promise<string | null> {
    const next = this.#queue.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve) => (this.#waiting = resolve));
  }

  /** Runs `work` (a reply streaming) with Ctrl+C calling `interrupt`; other keys wait for the next prompt. */
  async duringReply<T>(interrupt: () => void, work: () => Promise<T>): Promise<T> {
    this.#interrupt = interrupt;
    try {
      return await work();
    } finally {
      this.#interrupt = null;
    }
  }

  /**
   * Asks `question` (on stderr) while a reply is under way and waits for one key: what is typed
   * from then on answers it, not what was typed ahead. Null when `signal` is aborted (Ctrl+C
   * calls the interrupt, which aborts it) or stdin closes.
   */
  async answer(question: string, signal: AbortSignal): Promise<string | null> {
    this.#queue.length = 0;
    writeSync(2, question);
    if (signal.aborted) return null;
    const key = await new Promise<string | null>((resolve) => {
      const stop = () => {
        this.#waiting = null;
        resolve(null);
      };
      signal.addEventListener("abort", stop, { once: true });
      this.#waiting = (chunk) => {
        signal.removeEventListener("abort", stop);
        resolve(chunk);
      };
    });
    // The key typed is shown after the question, and the line ended, as a terminal would.
    writeSync(2, `${key === null ? "" : key.replace(/[^\x20-\x7e]/g, "").slice(0, 8)}\n`);
    return key;
  }

  /** The terminal as the user's editor needs it: cooked, no paste marks, stdin left to it. */
  suspend(): void {
    this.#setRaw(false);
    process.stdin.pause();
  }

  resume(): void {
    process.stdin.resume();
    this.#setRaw(true);
  }

  /** No more input: a pending read gets null (stdin closed, or Synapse is leaving on a signal). */
  end(): void {
    this.#ended = true;
    this.#waiting?.(null);
    this.#waiting = null;
  }

  close(): void {
    this.end();
    process.stdin.off("data", this.#onData);
    process.stdin.off("end", this.#onEnd);
    this.#setRaw(false);
    process.stdin.pause();
    process.off("exit", this.#restore);
    process.off("SIGWINCH", this.#onResize);
  }

  #take(chunk: string): void {
    if (this.#interrupt !== null && chunk.includes("\x03")) {
      this.#interrupt();
      return;
    }
    if (this.#waiting !== null) {
      const resolve = this.#waiting;
      this.#waiting = null;
      resolve(chunk);
    } else {
      this.#queue.push(chunk);
    }
  }

  #setRaw(on: boolean): void {
    try {
      process.stdin.setRawMode(on);
      // Written at once, not queued behind the reply: the mode must change before the next key.
      writeSync(1, on ? bracketedPasteMode.on : bracketedPasteMode.off);
    } catch {
      // stdin or stdout already gone: nothing left to restore.
    }
  }
}
