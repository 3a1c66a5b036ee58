/**
 * How long a provider may stay silent before Synapse gives up on it. A server that accepts the
 * connection and then says nothing would otherwise hold the terminal until the operating system
 * or Bun's socket timeout gave up (about 6 minutes), with a misleading "could not reach".
 */

/** Which wait ran out: before the reply's first bytes, or between bytes once it had begun. */
export type StallPhase = "first_byte" | "idle";

/** Limits in milliseconds; `0` means no limit. */
export interface StallLimits {
  firstByteMs: number;
  idleMs: number;
}

/**
 * One request's watchdog. Its `signal` aborts when the caller's signal does, or when the server
 * stays silent too long (then `stalled` says which wait ran out). The first-byte limit runs from
 * the request until `activity()` is first called; after that, each call restarts the idle limit.
 * Response headers alone are not activity: a server that sends them and then nothing is stalled.
 *
 * @example
 * const timer = new StallTimer(signal, { firstByteMs: 180_000, idleMs: 120_000 });
 * try { … fetch(url, { signal: timer.signal }) … timer.activity() on each chunk … }
 * finally { timer.dispose(); }
 */
export class StallTimer {
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal;
  #limits: StallLimits;
  readonly #onCallerAbort = () => this.#abort(this.#caller.reason);
  #timer: ReturnType<typeof setTimeout> | undefined;
  #phase: StallPhase = "first_byte";
  #stalled: StallPhase | undefined;

  constructor(caller: AbortSignal, limits: StallLimits) {
    this.#caller = caller;
    this.#limits = limits;
    if (caller.aborted) {
      this.#controller.abort(caller.reason);
      return;
    }
    caller.addEventListener("abort", this.#onCallerAbort, { once: true });
    this.#arm();
  }

  /** Aborts on the caller's abort or on a stall. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The wait that ran out, or `undefined` while none has (a caller's abort is not a stall). */
  get stalled(): StallPhase | undefined {
    return this.#stalled;
  }

  /** Bytes arrived: the server is alive, and from now on the idle limit applies. */
  activity(): void {
    if (this.#controller.signal.aborted) return;
    this.#phase = "idle";
    this.#arm();
  }

  /**
   * The server has answered in a way that ends the wait for a stream (an error status, say):
   * no limit applies any more, but the caller's abort still does.
   */
  stopLimits(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#limits = { firstByteMs: 0, idleMs: 0 };
  }

  /** Stops the timer and forgets the caller's signal; call it when the request is over. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#caller.removeEventListener("abort", this.#onCallerAbort);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const ms = this.#phase === "first_byte" ? this.#limits.firstByteMs : this.#limits.idleMs;
    if (ms <= 0) return;
    const phase = this.#phase;
    this.#timer = setTimeout(() => {
      this.#stalled = phase;
      this.#abort(new DOMException(`no bytes for ${ms} ms (${phase})`, "TimeoutError"));
    }, ms);
  }

  #abort(reason: unknown): void {
    clearTimeout(this.#timer);
    this.#controller.abort(reason);
  }
}
