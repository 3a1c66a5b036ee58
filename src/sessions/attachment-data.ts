/**
 * The bytes of the files a session's questions carried, for what must carry them on: an export,
 * a copy to another store, the history sent to a provider. Reading a session gives only their
 * names, types and hashes (a listing or `show` never reads a file's bytes).
 */
import type { Attachment, StoredMessage } from "../session.ts";
import { StorageError } from "../storage/errors.ts";
import type { SessionStore } from "../storage/session-store.ts";

/**
 * `messages` with every attachment's bytes, each distinct file read once. A file the store no
 * longer holds is `invalid_data`: a message refers to it, so it should be there.
 */
export async function withFileData(store: SessionStore, messages: readonly StoredMessage[]): Promise<StoredMessage[]> {
  const read = new Map<string, Uint8Array>();
  const out: StoredMessage[] = [];
  for (const message of messages) {
    if (message.attachments === undefined || message.attachments.length === 0) {
      out.push(message);
      continue;
    }
    const attachments: Attachment[] = [];
    for (const attachment of message.attachments) {
      let data = attachment.data ?? read.get(attachment.sha256);
      if (data === undefined) {
        const stored = await store.readAttachment(attachment.sha256);
        if (stored === null) {
          throw StorageError.invalidData(
            `the file ${JSON.stringify(attachment.name)} (${attachment.sha256.slice(0, 12)}) of message ${message.id} is missing from the database`,
            { sessionId: message.sessionId },
          );
        }
        data = stored;
        read.set(attachment.sha256, data);
      }
      attachments.push({ ...attachment, data });
    }
    out.push({ ...message, attachments });
  }
  return out;
}

/** Each distinct file of `messages` once, by SHA-256: what an export embeds. Every one must carry its bytes. */
export function filesOf(messages: readonly StoredMessage[]): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const message of messages) {
    for (const attachment of message.attachments ?? []) {
      if (attachment.data === undefined) throw new Error(`the file ${attachment.sha256} of message ${message.id} was not read (withFileData)`);
      files.set(attachment.sha256, attachment.data);
    }
  }
  return files;
}
