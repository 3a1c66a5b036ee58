/**
 * The lease an exchange holds on its session while it runs (see `Lease` in the store port):
 * taken before any cleanup runs or anything is stored, renewed while the reply streams, and
 * released when the exchange ends, however it ends. A process that dies holds it for one lease
 * period at most.
 */
import { newId } from "../session.ts";
import type { Lease, SessionStore } from "../storage/session-store.ts";

/** Long enough to ride out a database busy for a while; short enough that a crash frees the session soon. */
export const leaseTtlMs = 60_000;
/** Four renewals per period: one or two that fail (a busy database) do not let the lease lapse. */
export const leaseRenewalMs = 15_000;

/**
 * @example
 * await using held = new ExchangeLease(store);
 * await held.take(sessionId); // not_found when the session has gone
 */
export class ExchangeLease implements AsyncDisposable {
  readonly lease: Lease;
  readonly #store: SessionStore;
  readonly #renewalMs: number;
  #sessionId: string | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #renewing: Promise<void> = Promise.resolve();

  constructor(store: SessionStore, timing: { ttlMs: number; renewalMs: number } = { ttlMs: leaseTtlMs, renewalMs: leaseRenewalMs }) {
    this.#store = store;
    this.lease = { holder: newId(), ttlMs: timing.ttlMs };
    this.#renewalMs = timing.renewalMs;
  }

  /** Takes the lease on a session that exists; `not_found` when it does not (any more). */
  async take(sessionId: string): Promise<void> {
    await this.#store.leaseSession(sessionId, this.lease);
    this.taken(sessionId);
  }

  /** The store took the lease along with something else (a new session with its question): renew it from now on. */
  taken(sessionId: string): void {
    this.#sessionId = sessionId;
    this.#timer = setInterval(() => {
      this.#renewing = this.#renewing
        .then(() => this.#store.leaseSession(sessionId, this.lease))
        // One that fails (the database busy) is tried again at the next tick, well before the lease lapses.
        .catch(() => {});
    }, this.#renewalMs);
    // The reply's stream keeps the process alive, not the renewals.
    this.#timer.unref();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const sessionId = this.#sessionId;
    if (sessionId === null) return;
    this.#sessionId = null;
    clearInterval(this.#timer);
    await this.#renewing;
    try {
      await this.#store.releaseLease(sessionId, this.lease.holder);
    } catch {
      // It lapses by itself within leaseTtlMs; what the exchange stored matters more than this.
    }
  }
}
