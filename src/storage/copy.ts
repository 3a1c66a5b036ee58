import type { SessionStore } from "./session-store.ts";

export interface CopyResult {
  /** Sessions copied, with their messages. */
  copied: number;
  messages: number;
  /** Sessions the target had already (by id): left as they were. */
  skipped: number;
}

/**
 * Copies every session, with its messages, from one store to another, each session in one
 * transaction. Sessions the target has already are skipped, so running it again copies only
 * what is new, and an interrupted copy can simply be run again.
 */
export async function copySessions(
  from: SessionStore,
  to: SessionStore,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<CopyResult> {
  const ids = await from.sessionIds();
  const result: CopyResult = { copied: 0, messages: 0, skipped: 0 };
  for (const [i, id] of ids.entries()) {
    const session = await from.getSession(id);
    if (session === null) continue; // deleted since the list was read
    if ((await to.getSession(id)) !== null) {
      result.skipped += 1;
    } else {
      const messages = await from.getMessages(id);
      await to.importSession(session, messages);
      result.copied += 1;
      result.messages += messages.length;
    }
    onProgress(i + 1, ids.length);
  }
  return result;
}
