/**
 * How people name sessions: a full id, a unique id prefix of at least 4 characters (as git
 * does with commits), or an exact title. And the other way round: the shortest prefix that
 * names each session unambiguously, for lists to show.
 */
import { hasBidiControls, withoutInvisible } from "../plain-text.ts";
import { isUuid, type Session } from "../session.ts";
import type { SessionStore } from "../storage/session-store.ts";
import { UserFacingError } from "../user-error.ts";

export const minPrefixLength = 4;
export const shownPrefixLength = 8;
const maxCandidates = 10;

export type SessionRefErrorKind = "not_found" | "ambiguous" | "malformed";

/** A reference that names no session, several, or cannot name one at all. */
export class SessionRefError extends UserFacingError {
  override name = "SessionRefError";
  constructor(
    readonly kind: SessionRefErrorKind,
    message: string,
    readonly candidates: readonly Session[] = [],
  ) {
    super(message);
  }
}

/**
 * The one session `reference` names. A full id matches that id alone; otherwise an id prefix
 * and an exact title are both tried, and they must agree on one session. An unknown reference
 * never falls back to another session.
 */
export async function resolveSession(store: SessionStore, reference: string): Promise<Session> {
  const ref = reference.trim();
  if (ref === "") throw new SessionRefError("malformed", "a session id or title is needed");
  if (isUuid(ref)) {
    const session = await store.getSession(ref);
    if (session === null) throw new SessionRefError("not_found", `session ${ref.toLowerCase()} not found; \`synapse sessions list\` shows the sessions there are`);
    return session;
  }
  const prefix = ref.toLowerCase();
  const looksLikePrefix = /^[0-9a-f][0-9a-f-]*$/.test(prefix);
  const byPrefix = looksLikePrefix && prefix.length >= minPrefixLength ? await store.findSessionsByIdPrefix(prefix, maxCandidates) : [];
  const byTitle = await store.findSessionsByTitle(ref, maxCandidates);
  const candidates = [...new Map([...byPrefix, ...byTitle].map((s) => [s.id, s])).values()];
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) {
    // Starts long enough to tell every session apart, and longer than what was typed.
    const named = candidates.slice(0, 5);
    const prefixes = await shortIdsOf(store, named.map((s) => s.id), Math.max(shownPrefixLength, prefix.length + 1));
    const shown = named.map((s) => `${prefixes.get(s.id)} (${describe(s)})`).join(", ");
    throw new SessionRefError("ambiguous", `"${ref}" names ${candidates.length > 5 ? "more than 5" : candidates.length} sessions: ${shown}; give more of the id`, candidates);
  }
  if (looksLikePrefix && prefix.length < minPrefixLength) {
    throw new SessionRefError("malformed", `"${ref}" is too short: give at least ${minPrefixLength} characters of the id, or the exact title`);
  }
  throw new SessionRefError("not_found", `no session has an id starting with "${ref}" or the title "${ref}"; \`synapse sessions list\` shows them`);
}

/**
 * The session `reference` names ({@link resolveSession}), or with none the one used most
 * recently, as `synapse -c` would continue it.
 */
export async function resolveSessionOrLatest(store: SessionStore, reference: string | undefined): Promise<Session> {
  if (reference !== undefined) return resolveSession(store, reference);
  const latest = await store.latestSession();
  if (latest === null) throw new SessionRefError("not_found", 'there are no sessions yet; start one with: synapse "Hello"');
  return latest;
}

function describe(session: Session): string {
  return session.title ?? `${session.provider}/${session.model}, ${session.updatedAt.toISOString().slice(0, 16).replace("T", " ")}`;
}

/**
 * The shortest prefix of each id that no other id shares, at least `min` characters long.
 * `sortedIds` must be every id there is, sorted: a prefix is unique when it is longer than
 * what the id shares with its neighbours.
 */
export function shortIds(sortedIds: readonly string[], min = shownPrefixLength): Map<string, string> {
  const shared = (a: string | undefined, b: string) => {
    if (a === undefined) return 0;
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return i;
  };
  const out = new Map<string, string>();
  for (let i = 0; i < sortedIds.length; i++) {
    const id = sortedIds[i]!;
    const length = Math.max(min, shared(sortedIds[i - 1], id) + 1, shared(sortedIds[i + 1], id) + 1);
    out.set(id, id.slice(0, length));
  }
  return out;
}

/**
 * The shortest unique start of one session's id, as {@link shortIds} would give it, from the two
 * ids beside it: one indexed read, however many sessions there are.
 */
export async function shortIdOf(store: SessionStore, id: string, min = shownPrefixLength): Promise<string> {
  return (await shortIdsOf(store, [id], min)).get(id) ?? id;
}

/**
 * The shortest unique starts of a few sessions' ids (a page of a list, search hits, those about
 * to be deleted), as {@link shortIds} of every id would give them: two primary-key reads per id
 * (the ids just before and after it), however many sessions there are.
 *
 * An id no longer stored (a session just deleted) gets the start it had among those stored plus
 * `ids`: its neighbours then are the nearest stored ids or others of `ids`, all in the set
 * measured here. So short ids taken after a deletion are those from before it.
 */
export async function shortIdsOf(store: SessionStore, ids: readonly string[], min = shownPrefixLength): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)];
  const around = await Promise.all(wanted.map((id) => store.neighbourIds(id)));
  const measured = new Set(wanted);
  for (const { before, after } of around) {
    if (before !== null) measured.add(before);
    if (after !== null) measured.add(after);
  }
  const all = shortIds([...measured].sort(), min);
  return new Map(wanted.map((id) => [id, all.get(id)!]));
}

const looksLikeId = /^[0-9a-f][0-9a-f-]{3,35}$/i;

/**
 * A title as stored: trimmed, or null when empty. One that reads as the start of an id would
 * hide the sessions whose ids start that way, one with control characters would break every
 * list it is in, one with bidirectional controls would show other text than it holds, and one
 * of invisible characters only could not be told from no title: all are refused.
 */
export function normalizeTitle(title: string): string | null {
  const trimmed = title.trim();
  if (trimmed === "") return null;
  if (/\p{Cc}/u.test(trimmed)) throw new SessionRefError("malformed", "a title must be one line of text, without control characters");
  if (hasBidiControls(trimmed)) {
    throw new SessionRefError("malformed", "a title must not contain bidirectional controls (U+202A–U+202E, U+2066–U+2069), which make it display as other text");
  }
  const visible = withoutInvisible(trimmed).trim();
  if (visible === "") {
    throw new SessionRefError("malformed", 'the title has only invisible characters (zero-width spaces or joiners); give one with visible text, or "" for none');
  }
  if (looksLikeId.test(visible)) {
    throw new SessionRefError("malformed", `the title "${trimmed}" reads like the start of a session id; choose a title with other characters`);
  }
  return trimmed;
}
