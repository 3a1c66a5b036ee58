/** A session's last reply: what `sessions show --last` prints and `-x` takes the code from. */
import type { StoredMessage } from "../session.ts";
import type { SessionStore } from "../storage/session-store.ts";

/**
 * The session's last assistant message, or null when it has none yet (its only question is
 * still unanswered, or its provider failed). Read page by page, keeping only the latest reply
 * seen, so a long session is never in memory whole.
 *
 * @example
 * const reply = await lastReply(store, session.id);
 * if (reply !== null) process.stdout.write(reply.content);
 */
export async function lastReply(store: SessionStore, sessionId: string): Promise<StoredMessage | null> {
  let last: StoredMessage | null = null;
  for await (const page of await store.messagePages(sessionId)) {
    for (const message of page) if (message.role === "assistant") last = message;
  }
  return last;
}
