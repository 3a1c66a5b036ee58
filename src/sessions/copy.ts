import type { Session, StoredMessage } from "../session.ts";
import { messageOf } from "../unknown-values.ts";
import { createStorage } from "../storage/create-storage.ts";
import type { SessionStore } from "../storage/session-store.ts";
import { withFileData } from "./attachment-data.ts";

export interface CopyResult {
  /** Sessions copied whole, with their messages. */
  copied: number;
  /** Sessions the target had an earlier state of (fewer messages): brought up to date. */
  updated: number;
  messages: number;
  /** Sessions the target had already, the same. */
  unchanged: number;
  /** Sessions the target holds a later state of (the same messages, and more): left as they are. */
  newer: number;
  /** Sessions the target holds differently (other messages): left as they are. */
  conflicts: string[];
  /** Sessions that could not be copied, and why. */
  failed: { id: string; reason: string }[];
}

/**
 * Copies every session, with its messages, from one store to another, each all or nothing.
 * A session the target has the same, or a later state of, is left alone; one it has an earlier
 * state of (the same messages, fewer) is brought up to date; one it holds differently is
 * reported, never overwritten. So the copy can be run again at any time, and an interrupted one just resumed.
 * A session that fails (content the target refuses, say) is reported, the target's state of it
 * kept as it was, and the rest go on.
 */
export async function copySessions(
  from: SessionStore,
  to: SessionStore,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<CopyResult> {
  const ids = await from.sessionIds();
  const result: CopyResult = { copied: 0, updated: 0, messages: 0, unchanged: 0, newer: 0, conflicts: [], failed: [] };
  for (const [i, id] of ids.entries()) {
    try {
      const session = await from.getSession(id);
      if (session === null) continue; // deleted since the list was read
      const messages = await from.getMessages(id);
      const existing = await to.getSession(id);
      if (existing === null) {
        // The files go with their questions (read only for what is copied): the target stores each once.
        await to.importSession(session, await withFileData(from, messages));
        // A fork keeps the record of where it came from.
        const origin = await from.sessionOrigin(id);
        if (origin !== null) await to.setSessionOrigin(id, origin);
        result.copied += 1;
        result.messages += messages.length;
      } else {
        const held = await to.getMessages(id);
        if (held.length === messages.length && isPrefix(held, messages)) {
          result.unchanged += 1;
        } else if (held.length < messages.length && isPrefix(held, messages)) {
          const added = await withFileData(from, messages.slice(held.length));
          await extendInSteps(to, existing, session, [...messages.slice(0, held.length), ...added], held.length);
          result.updated += 1;
          result.messages += messages.length - held.length;
        } else if (held.length > messages.length && isPrefix(messages, held)) {
          result.newer += 1;
        } else {
          result.conflicts.push(id);
        }
      }
    } catch (error) {
      result.failed.push({ id, reason: messageOf(error) });
    }
    onProgress(i + 1, ids.length);
  }
  return result;
}

/**
 * {@link copySessions} between the databases two URLs name. The source must be a Synapse database
 * already: a mistyped path is an error, not an empty copy. The target is created when needed.
 */
export async function copyDatabase(fromUrl: string, toUrl: string, onProgress?: (done: number, total: number) => void): Promise<CopyResult> {
  const from = await createStorage(fromUrl, { existing: true });
  try {
    const to = await createStorage(toUrl);
    try {
      return await copySessions(from, to, onProgress);
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

/** How much one step of bringing a session up to date may carry: a lock held this long is not felt. */
export const extendStep = { messages: 500, bytes: 2 * 1024 * 1024 } as const;

/**
 * Brings the target's earlier state of a session up to `messages`, in steps of at most
 * {@link extendStep}, each one transaction (all or nothing), so no step holds the target's write
 * lock long. The target always holds a prefix of the source: a copy refused or stopped midway
 * keeps every message the target had, and the next copy goes on from where it stopped. Each step
 * sets the session's fields as the source has them, but its time: until the last step, that of
 * the last message it holds.
 */
async function extendInSteps(to: SessionStore, existing: Session, session: Session, messages: readonly StoredMessage[], held: number): Promise<void> {
  let from = held;
  while (from < messages.length) {
    let end = from;
    let bytes = 0;
    do {
      const message = messages[end++]!;
      bytes += message.content.length * 3 + (message.attachments ?? []).reduce((sum, a) => sum + a.size, 0);
    } while (end < messages.length && end - from < extendStep.messages && bytes < extendStep.bytes);
    const last = messages[end - 1]!.timestamp;
    const state = end === messages.length ? session : { ...session, updatedAt: new Date(Math.max(existing.updatedAt.getTime(), last.getTime())) };
    await to.extendSession(state, messages.slice(from, end), { held: from });
    from = end;
  }
}

function isPrefix(shorter: readonly StoredMessage[], longer: readonly StoredMessage[]): boolean {
  return shorter.every((message, i) => message.id === longer[i]?.id);
}
