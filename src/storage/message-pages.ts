/**
 * A session's messages read in pages (SessionStore.messagePages), once for both engines: each
 * gives the span (how many messages, the key of the last) and a page read by keyset after a key.
 */
import type { StoredMessage } from "../session.ts";
import { StorageError } from "./errors.ts";
import type { MessagePages } from "./session-store.ts";

/** Big enough that a page's query costs little beside its rows, small enough to stay flat. */
export const defaultPageSize = 500;

export function checkPageSize(pageSize: number | undefined): number {
  const size = pageSize ?? defaultPageSize;
  if (!Number.isInteger(size) || size < 1) throw StorageError.invalidData(`page size must be a whole number of 1 or more, not ${size}`);
  return size;
}

/** One page as an engine reads it: the messages, and the key to read the next page after. */
export interface Page<Key> {
  messages: StoredMessage[];
  last: Key;
}

/**
 * The `count` messages after `start`, `pageSize` at a time. A page shorter than asked for means
 * the session went (deleted meanwhile): that fails, so no reader takes part of it for all of it.
 */
export function pagesOf<Key>(sessionId: string, count: number, start: Key, pageSize: number, readPage: (after: Key, max: number) => Promise<Page<Key>>): MessagePages {
  return {
    count,
    async *[Symbol.asyncIterator]() {
      let after = start;
      let left = count;
      while (left > 0) {
        const max = Math.min(pageSize, left);
        const page = await readPage(after, max);
        if (page.messages.length < max) throw StorageError.notFound(sessionId);
        left -= max;
        after = page.last;
        yield page.messages;
      }
    },
  };
}
