/**
 * Which of a session's files a user means: the start of its SHA-256 (as `sessions show` prints
 * it), or its name. One that fits none, or several different files, is said so.
 */
import type { Attachment, StoredMessage } from "../session.ts";
import { UserFacingError } from "../user-error.ts";

/** Why a reference to a file names no single one: `not_found` (exit 1) or `ambiguous` (exit 2). */
export class AttachmentRefError extends UserFacingError {
  override name = "AttachmentRefError";
  constructor(
    readonly kind: "not_found" | "ambiguous",
    message: string,
  ) {
    super(message);
  }
}

/** The file `ref` names among `messages`' (the same content under several names is one file). */
export function findAttachment(sessionId: string, messages: readonly StoredMessage[], ref: string): Attachment {
  const files = messages.flatMap((message) => message.attachments ?? []);
  const wanted = ref.toLowerCase();
  const byHash = /^[0-9a-f]{4,64}$/.test(wanted) ? files.filter((file) => file.sha256.startsWith(wanted)) : [];
  const found = byHash.length > 0 ? byHash : files.filter((file) => file.name === ref);
  const distinct = [...new Map(found.map((file) => [file.sha256, file])).values()];
  if (distinct.length === 1) return distinct[0]!;
  const listHint = `synapse sessions show ${sessionId.slice(0, 8)} lists its files`;
  if (distinct.length === 0) {
    const what = files.length === 0 ? "carries no files" : `carries no file whose SHA-256 starts with ${JSON.stringify(ref)} or named so`;
    throw new AttachmentRefError("not_found", `session ${sessionId} ${what}; ${listHint}`);
  }
  throw new AttachmentRefError(
    "ambiguous",
    `${JSON.stringify(ref)} fits ${distinct.length} files of session ${sessionId} (${distinct.map((file) => file.sha256.slice(0, 12)).join(", ")}); give more of the SHA-256`,
  );
}
