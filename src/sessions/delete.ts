/**
 * Deleting sessions a person chose: by name (ids, id starts, titles) and, with an age, every
 * session unused for that long. All or nothing for those named; the idle ones are judged again
 * as they go, so one used while the person was asked is kept.
 */
import { StorageError } from "../storage/errors.ts";
import type { SessionStore } from "../storage/session-store.ts";
import { deleteIdle, idleSessions } from "./cleanup.ts";
import { resolveSession, shortIdsOf } from "./refs.ts";

export interface DeleteRequest {
  /** Sessions to delete by name: ids, unique starts of ids, or titles. Each must name one. */
  refs: readonly string[];
  /** Also every session unused for this many milliseconds (and not in use). */
  olderThanMs?: number | undefined;
  /**
   * Asked once the sessions are chosen and before any is deleted, with the short id of each,
   * those named first: false deletes nothing.
   */
  confirm: (shortIds: string[]) => Promise<boolean>;
}

export type DeleteOutcome =
  /** Nothing was named, and no session is that old. */
  | { status: "none" }
  /** The confirmation said no. */
  | { status: "declined" }
  /** `kept`: sessions found unused that were used before they could be deleted. */
  | { status: "deleted"; deleted: number; kept: number };

/**
 * Deletes the sessions a request names, and those unused for its age. Every reference must name
 * a session, and none of those named may be in use (`in_use`), before anyone is asked.
 *
 * @example
 * const outcome = await deleteSessions(store, { refs: ["3f2c9a4e"], confirm: async () => true });
 */
export async function deleteSessions(store: SessionStore, request: DeleteRequest): Promise<DeleteOutcome> {
  const named = new Set<string>();
  for (const ref of request.refs) named.add((await resolveSession(store, ref)).id);
  // Refused before anyone is asked; the store refuses again if one is taken meanwhile.
  const inUse = await store.sessionsInUse([...named]);
  if (inUse.length > 0) throw StorageError.inUse(inUse);
  const aged = request.olderThanMs === undefined ? null : await idleSessions(store, request.olderThanMs);
  const idle = aged === null ? [] : aged.sessions.map((s) => s.id).filter((id) => !named.has(id));
  const chosen = [...named, ...idle];
  if (chosen.length === 0) return { status: "none" };
  const short = await shortIdsOf(store, chosen);
  if (!(await request.confirm(chosen.map((id) => short.get(id) ?? id)))) return { status: "declined" };
  const deleted = await store.deleteSessions([...named]);
  // One found idle but used while the question was open is kept.
  const idleDeleted = aged === null ? 0 : await deleteIdle(store, idle, aged.cutoff);
  return { status: "deleted", deleted: deleted + idleDeleted, kept: idle.length - idleDeleted };
}
