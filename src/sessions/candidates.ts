/**
 * The sessions a shell offers while a session is being named (`synapse -s 3f2<Tab>`): short ids
 * and titles that start with what was typed. Read through the port in a few indexed reads, so a
 * completion costs about the same with 10,000 sessions as with ten.
 */
import { hasControls } from "../plain-text.ts";
import type { SessionStore } from "../storage/session-store.ts";
import { shortIdsOf, shownPrefixLength } from "./refs.ts";

/** At most this many sessions are offered: more is a list nobody reads at a prompt. */
export const offeredSessions = 50;
/**
 * Titles are looked for among this many of the most recently used sessions (ids among all of
 * them): listing them reads an index in order, a few milliseconds for 1,000; the store has no
 * query on the start of a title.
 */
export const scannedSessions = 1000;

/** One word a session can be named by, and the session it names. */
export interface SessionCandidate {
  /** What completes the word: the session's short id (as lists show it), or its title. */
  value: string;
  kind: "id" | "title";
  /** The session's shortest unique id start, as lists show it. */
  shortId: string;
  session: { id: string; title: string | null; provider: string; model: string; preview: string | null };
}

/**
 * Short ids and titles that start with `typed` (ids in any case, titles exactly), most recently
 * used sessions first; every session whose id starts with `typed` is found, titles only among
 * the {@link scannedSessions} most recently used. With nothing typed, the
 * {@link offeredSessions} most recent. A short id is at least as long as what was typed, so it
 * always continues it.
 *
 * @example
 * await sessionCandidates(store, "Trip"); // [{ value: "Trip planning", kind: "title", … }]
 */
export async function sessionCandidates(store: SessionStore, typed: string): Promise<SessionCandidate[]> {
  const idStart = typed.toLowerCase();
  const couldBeId = /^[0-9a-f-]*$/.test(idStart);
  const recent = await store.listSessions({ limit: typed === "" ? offeredSessions : scannedSessions });
  const byId = couldBeId && typed !== "" ? await store.findSessionsByIdPrefix(idStart, offeredSessions) : [];

  const chosen: { session: SessionCandidate["session"]; id: boolean; title: boolean }[] = [];
  const seen = new Set<string>();
  const titles = new Set<string>();
  for (const session of [...recent, ...byId.map((s) => ({ ...s, preview: null }))]) {
    if (chosen.length >= offeredSessions) break;
    if (seen.has(session.id)) continue;
    seen.add(session.id);
    const id = couldBeId && session.id.startsWith(idStart);
    // A title is one word for the shell only when it is one line: an old database may hold one
    // with control characters, which no shell could insert as typed. Two sessions with one
    // title: offered once (naming them by it is ambiguous anyway).
    const title = session.title !== null && session.title.startsWith(typed) && !hasControls(session.title) && !titles.has(session.title);
    if (!id && !title) continue;
    if (title) titles.add(session.title!);
    chosen.push({ session: { id: session.id, title: session.title, provider: session.provider, model: session.model, preview: session.preview }, id, title });
  }
  const shortIds = await shortIdsOf(store, chosen.map((c) => c.session.id), shownPrefixLength);
  return chosen.flatMap(({ session, id, title }) => {
    const shortId = shortIds.get(session.id) ?? session.id;
    // Any start longer than a unique one is unique too: as long as what was typed, so it continues it.
    const value = session.id.slice(0, Math.max(shortId.length, typed.length));
    return [...(id ? [{ value, kind: "id" as const, shortId, session }] : []), ...(title ? [{ value: session.title!, kind: "title" as const, shortId, session }] : [])];
  });
}
