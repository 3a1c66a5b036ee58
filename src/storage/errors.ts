/**
 * `corrupt`: SQLite found the file damaged, and the store stops using it. `disk_full`: no room
 * left on the disk holding the database; reads still work. `in_use`: a session named for
 * deletion has an exchange in progress in some process. `interrupted`: the user stopped a write
 * while it waited for a lock; nothing of it was stored.
 */
export type StorageErrorKind = "database" | "not_found" | "migration" | "invalid_data" | "corrupt" | "disk_full" | "in_use" | "interrupted";

/**
 * Every failure of a session store. `message` is one line a user can act on; `cause` keeps the
 * underlying error (a SQLite error, say) for `--debug`.
 */
export class StorageError extends Error {
  override name = "StorageError";
  readonly kind: StorageErrorKind;
  /** The session the failure concerns, where there is one. */
  readonly sessionId: string | undefined;
  /**
   * Set on `invalid_data` when the id of a session or message is taken: the data is fine, and a
   * copy of it with new ids (`sessions import --new-id`) would go in.
   */
  readonly idTaken: boolean;

  constructor(kind: StorageErrorKind, message: string, options: { sessionId?: string; cause?: unknown; idTaken?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.kind = kind;
    this.sessionId = options.sessionId;
    this.idTaken = options.idTaken === true;
  }

  static notFound(sessionId: string): StorageError {
    return new StorageError("not_found", `session ${sessionId} not found; \`synapse sessions list\` shows the sessions there are`, {
      sessionId,
    });
  }

  /** The session has an exchange in progress in some process: it is not to be deleted now. */
  static inUse(sessionIds: readonly string[]): StorageError {
    const [first, ...others] = sessionIds;
    const which = others.length === 0 ? `session ${first}` : `sessions ${first} and ${others.length} more`;
    return new StorageError("in_use", `${which} ${others.length === 0 ? "is" : "are"} in use by another synapse process; try again when it has finished`, {
      ...(first === undefined ? {} : { sessionId: first }),
    });
  }

  /** `what` (`session 0b5e…`, `message 7c1d…`) exists already: {@link idTaken} is set. */
  static idTaken(what: string, options: { sessionId?: string; cause?: unknown } = {}): StorageError {
    return new StorageError("invalid_data", `${what} exists already`, { ...options, idTaken: true });
  }

  /** The session changed between reading it and a write that relied on what was read: `held` messages. */
  static writtenMeanwhile(sessionId: string, held: number): StorageError {
    return StorageError.invalidData(`session ${sessionId} was written to meanwhile (it no longer holds ${held} messages); try again`, { sessionId });
  }

  static invalidData(message: string, options: { sessionId?: string; cause?: unknown } = {}): StorageError {
    return new StorageError("invalid_data", message, options);
  }
}

/** A search query the full-text index cannot read: the user's to fix, unlike other invalid data. */
export class SearchSyntaxError extends StorageError {
  override name = "SearchSyntaxError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("invalid_data", message, options);
  }
}
