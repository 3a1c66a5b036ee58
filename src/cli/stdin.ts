/**
 * The user's message: the words given as arguments, and whatever is piped in. Both together
 * become one message, the piped text first (`cat notes.md | synapse "Summarize"`).
 */
import { UserFacingError } from "../user-error.ts";

export interface Stdin {
  isTTY?: boolean;
  stream(): ReadableStream<Uint8Array>;
  /** All of stdin at once when that cannot block (a file, /dev/null), or null: read the stream. */
  atOnce?(): Uint8Array | null;
}

export interface ReadOptions {
  /**
   * Called once if nothing has arrived on stdin after `waitMs`: a stdin that never closes (`ssh`
   * without `-n`) would otherwise leave the user waiting in silence.
   */
  onWait?: (() => void) | undefined;
  waitMs?: number;
}

export async function readMessage(words: readonly string[], stdin: Stdin, options: ReadOptions = {}): Promise<string> {
  const argument = words.join(" ").trim();
  const piped = stdin.isTTY ? "" : decodeUtf8(stdin.atOnce?.() ?? (await readAll(stdin.stream(), options)), "stdin").trimEnd();
  if (piped.trim() === "") return argument;
  return argument === "" ? piped : `${piped}\n\n${argument}`;
}

/**
 * Descriptor 0 read at once when it is a regular file or /dev/null (a script's `</dev/null`, a
 * spawn's ignored stdin), which end without waiting; null for a pipe or anything else. Making
 * the stream costs about a millisecond of every run.
 */
export function stdinAtOnce(): Uint8Array | null {
  try {
    const { fstatSync, readFileSync, statSync } = require("node:fs") as typeof import("node:fs");
    const stat = fstatSync(0);
    if (stat.isFile()) return readFileSync(0);
    if (stat.isCharacterDevice() && stat.rdev === statSync("/dev/null").rdev) return new Uint8Array(0);
  } catch {
    // Closed, or not to be asked here: the stream says what it holds.
  }
  return null;
}

async function readAll(stream: ReadableStream<Uint8Array>, { onWait, waitMs = 1_000 }: ReadOptions): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let timer = onWait === undefined ? undefined : setTimeout(onWait, waitMs);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      clearTimeout(timer);
      timer = undefined;
      if (done) break;
      chunks.push(value);
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Input text is UTF-8, always: no guessing from a byte-order mark (Bun's text() reads FF FE as
 * UTF-16), and bytes that are not UTF-8 are refused rather than replaced, so what is stored is
 * what was sent. A UTF-8 byte-order mark is dropped.
 * @param where what the bytes came from, for the error: `stdin`, a file name
 */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    const hint = utf16 ? "it looks like UTF-16; convert it first, e.g. with iconv -f UTF-16 -t UTF-8" : "convert it to UTF-8 first (iconv), or send text, not binary data";
    throw new UserFacingError(`${where} is not UTF-8 text (${describeFirstInvalid(bytes)}); ${hint}`);
  }
}

/** Where the first byte that is not UTF-8 is: `byte 0xFF at offset 0`. */
function describeFirstInvalid(bytes: Uint8Array): string {
  // The longest start that is valid UTF-8 (found by halving); the next byte is the culprit.
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (isUtf8(bytes.subarray(0, mid), true)) low = mid;
    else high = mid - 1;
  }
  // A sequence begun there but broken by the next byte is the culprit, not that next byte.
  while (low > 0 && !isUtf8(bytes.subarray(0, low))) low -= 1;
  const byte = bytes[low] ?? 0;
  return `byte 0x${byte.toString(16).toUpperCase().padStart(2, "0")} at offset ${low}`;
}

function isUtf8(bytes: Uint8Array, incompleteEnd = false): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: incompleteEnd });
    return true;
  } catch {
    return false;
  }
}
