/**
 * Cleanup: which sessions the `[session]` limits remove, for the chat's automatic cleanup and
 * `sessions prune`.
 */
import type { CleanupOptions, CleanupPlan, CleanupResult, SessionConfig, SessionStore } from "../storage/session-store.ts";

/** Deletes what the limits say must go (see {@link SessionStore.cleanup}). */
export function cleanUp(store: SessionStore, limits: SessionConfig, options: CleanupOptions = {}): Promise<CleanupResult> {
  return store.cleanup(limits, options);
}

/** What {@link cleanUp} would delete now, deleting nothing. */
export function planCleanup(store: SessionStore, limits: SessionConfig, options: CleanupOptions = {}): Promise<CleanupPlan> {
  return store.planCleanup(limits, options);
}
