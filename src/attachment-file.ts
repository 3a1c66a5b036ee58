/**
 * A file the user sends with a question (`-f PATH`, `/file PATH`): read from disk into an
 * {@link Attachment}, its type told by its content, never by its name. Text is UTF-8 without NUL
 * bytes; an image is a PNG, JPEG, WebP or GIF by its magic bytes; anything else is refused, as
 * is a file over the size limit (its size read with stat first, so a huge file is never read).
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import { describeBytes } from "./byte-size.ts";
import { sha256Of } from "./sha256.ts";
import type { Attachment, AttachmentType } from "./session.ts";
import { UserFacingError } from "./user-error.ts";

/** `[files] max_size_mb` when the file does not say: each file, in MB of 1,048,576 bytes. */
export const DEFAULT_MAX_FILE_MB = 20;

/** What the refusals of a file are: one line each, nothing stored. */
export type AttachmentErrorKind = "missing" | "unreadable" | "folder" | "too_large" | "unsupported" | "images_refused";

/** A file that cannot be sent: it is missing, a folder, too big, of a type no model reads, or an image for a provider that takes none. */
export class AttachmentError extends UserFacingError {
  override name = "AttachmentError";
  constructor(
    readonly kind: AttachmentErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** The image types a model may be sent, as the error names them. */
export const SUPPORTED_IMAGES = "PNG, JPEG, WebP, GIF";

/** The image type `bytes` begin with (their magic bytes), or null for anything else. */
export function imageTypeOf(bytes: Uint8Array): Exclude<AttachmentType, "text/plain"> | null {
  const starts = (offset: number, ...values: number[]) => values.every((value, i) => bytes[offset + i] === value);
  if (starts(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0, 0xff, 0xd8, 0xff)) return "image/jpeg";
  // "GIF87a" or "GIF89a".
  if (starts(0, 0x47, 0x49, 0x46, 0x38) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return "image/gif";
  // A RIFF container ("RIFF", a size, "WEBP").
  if (starts(0, 0x52, 0x49, 0x46, 0x46) && starts(8, 0x57, 0x45, 0x42, 0x50)) return "image/webp";
  return null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** `bytes` as text when they are UTF-8 with no NUL byte (a UTF-8 byte-order mark dropped); null otherwise. */
export function textOf(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** What a file's bytes are sent as: an image type, text, or null for neither. */
export function attachmentTypeOf(bytes: Uint8Array): AttachmentType | null {
  return imageTypeOf(bytes) ?? (textOf(bytes) === null ? null : "text/plain");
}

/** `bytes` as an attachment named `name`: its type, size and SHA-256; null when it is neither text nor a supported image. */
export function attachmentOf(name: string, bytes: Uint8Array): Attachment | null {
  const mediaType = attachmentTypeOf(bytes);
  if (mediaType === null) return null;
  return { name, mediaType, size: bytes.length, sha256: sha256Of(bytes), data: bytes };
}

/** `[files] max_size_mb` as bytes. */
export function maxFileBytes(maxSizeMb: number): number {
  return Math.floor(maxSizeMb * 1024 * 1024);
}

/** A path as an error quotes it: on one line, not too long. */
function quoted(path: string): string {
  const shown = path.length > 120 ? `…${path.slice(-119)}` : path;
  return JSON.stringify(shown);
}

/**
 * Reads the file at `path` into an attachment with its bytes, named by its last path component.
 *
 * @throws {AttachmentError} for a missing or unreadable file, a folder, a file over
 *   `maxBytes`, or one that is neither UTF-8 text nor a supported image.
 * @example
 * const file = await readAttachmentFile("notes.md", maxFileBytes(20));
 * file.mediaType; // "text/plain"
 */
export async function readAttachmentFile(path: string, maxBytes: number): Promise<Attachment> {
  const shown = quoted(path);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw fileError(error, shown);
  }
  if (info.isDirectory()) throw new AttachmentError("folder", `${shown} is a folder, not a file; give the files in it one by one`);
  if (!info.isFile()) throw new AttachmentError("unsupported", `${shown} is not a regular file (a device, a pipe or a socket); give a file`);
  if (info.size > maxBytes) {
    throw new AttachmentError(
      "too_large",
      `${shown} is ${describeBytes(info.size)}, over the limit of ${describeBytes(maxBytes)} a file may be; send a smaller file, or raise max_size_mb under [files] in the configuration`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = await Bun.file(path).bytes();
  } catch (error) {
    throw fileError(error, shown);
  }
  // Read again by its length: a file that grew after stat is still held to the limit.
  if (bytes.length > maxBytes) {
    throw new AttachmentError("too_large", `${shown} is over the limit of ${describeBytes(maxBytes)} a file may be; send a smaller file, or raise max_size_mb under [files] in the configuration`);
  }
  const attachment = attachmentOf(basename(path), bytes);
  if (attachment === null) {
    throw new AttachmentError("unsupported", `${shown} is neither UTF-8 text nor a supported image (${SUPPORTED_IMAGES}); convert it to one of those first`);
  }
  return attachment;
}

function fileError(error: unknown, shown: string): AttachmentError {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  if (code === "ENOENT" || code === "ENOTDIR") return new AttachmentError("missing", `${shown} does not exist; check the path`);
  if (code === "EACCES" || code === "EPERM") return new AttachmentError("unreadable", `${shown} cannot be read (permission denied); check its permissions`);
  if (code === "EISDIR") return new AttachmentError("folder", `${shown} is a folder, not a file; give the files in it one by one`);
  const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return new AttachmentError("unreadable", `${shown} cannot be read (${reason}); check the path and its permissions`);
}

/** The images among `attachments`. */
export function imagesOf(attachments: readonly Attachment[]): Attachment[] {
  return attachments.filter((attachment) => attachment.mediaType !== "text/plain");
}

/** The refusal of images by a provider whose wire format takes none: said before anything is stored. */
export function imagesRefused(provider: string, images: readonly Attachment[]): AttachmentError {
  const names = images.map((image) => JSON.stringify(image.name)).join(", ");
  return new AttachmentError(
    "images_refused",
    `${provider} takes no images (${names}); nothing was sent or stored; send it to a provider that takes images (-p anthropic, -p openai), or set images = true in its table if it does`,
  );
}

/**
 * The longest run of backticks in `text`, plus one, and at least three: a fence the text cannot
 * close.
 */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

/** A text file as the model reads it: its name on a line, then its text in a fenced block. */
export function fencedFile(name: string, text: string): string {
  const fence = fenceFor(text);
  return `${name}\n${fence}\n${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${fence}`;
}
