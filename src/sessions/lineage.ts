/**
 * Where a session came from and what came of it: the session it was forked from (which may have
 * been deleted since) and the sessions forked from it, as `sessions show` tells them.
 */
import type { ForkOrigin, ForkSummary, SessionStore } from "../storage/session-store.ts";
import { shortIdsOf } from "./refs.ts";

export interface SessionLineage {
  /** Where it was forked from, with that session's short id and title; null when it is no fork. */
  origin: (ForkOrigin & { shortId: string; title: string | null; deleted: boolean }) | null;
  /** The sessions forked from it, oldest first, with their short ids. */
  forks: (ForkSummary & { shortId: string })[];
}

/** A session's {@link SessionLineage}; a source deleted since the fork is said so, not an error. */
export async function lineageOf(store: SessionStore, id: string): Promise<SessionLineage> {
  const [origin, forks] = await Promise.all([store.sessionOrigin(id), store.listForks(id)]);
  const source = origin === null ? null : await store.getSession(origin.sessionId);
  const shortIds = await shortIdsOf(store, [...(origin === null ? [] : [origin.sessionId]), ...forks.map((f) => f.id)]);
  return {
    origin:
      origin === null
        ? null
        : { ...origin, shortId: shortIds.get(origin.sessionId) ?? origin.sessionId, title: source?.title ?? null, deleted: source === null },
    forks: forks.map((f) => ({ ...f, shortId: shortIds.get(f.id) ?? f.id })),
  };
}
