/**
 * stdout for answers and JSON. It can fail in two ways, and neither stops the command's work (a
 * reply is still received and stored whole):
 * - its reader goes away (`synapse … | head -1`): writing stops quietly, and that is success;
 * - anything else (a full disk, an I/O error): writing stops, and {@link stdoutFailure} says
 *   why, so the command can report it once and exit 1 instead of crashing mid-reply.
 */
import { UserFacingError } from "../user-error.ts";

/*
 * Written with Bun.write, one write after another, never through `process.stdout`: making that
 * Node stream (and `process.stderr`) costs more start-up than the rest of `--version` (about 10 ms
 * of a compiled binary's 16). Whether it is a terminal: src/tty.ts.
 */
let readerGone = false;
let failure: string | null = null;
let lastWrite: Promise<void> = Promise.resolve();

export function writeOut(text: string | Uint8Array): void {
  if (readerGone || failure !== null) return;
  lastWrite = lastWrite.then(async () => {
    if (readerGone || failure !== null) return;
    try {
      await Bun.write(Bun.stdout, text);
    } catch (error) {
      noteFailure(error);
    }
  });
}

/**
 * Runs `then` once everything written to stdout so far has reached it, and before anything
 * written after: a line on stderr (a tool call, its result) goes where it belongs on a terminal
 * both share, never above a part of the reply still on its way, nor erased with it.
 */
export function afterOut(then: () => void): void {
  lastWrite = lastWrite.then(then);
}

/** Resolves once everything written so far has reached stdout, or failed to. */
export function stdoutSettled(): Promise<void> {
  return lastWrite;
}

/** Why stdout could not be written (`the disk is full (ENOSPC)`), or null if it could. */
export function stdoutFailure(): string | null {
  return failure;
}

function noteFailure(error: unknown): void {
  if (readerGone || failure !== null) return;
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === "EPIPE" || code === "ERR_STREAM_DESTROYED") {
    readerGone = true;
    return;
  }
  const reason = typeof code === "string" ? reasons[code] : undefined;
  const detail = reason ?? (error instanceof Error ? error.message : String(error));
  failure = typeof code === "string" && !detail.includes(code) ? `${detail} (${code})` : detail;
}

const reasons: Record<string, string> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is used up",
  EIO: "an input/output error",
  EBADF: "stdout is closed",
  EFBIG: "the file is too large",
  EROFS: "the file system is read-only",
};

/**
 * A command that did its work but whose output could not be written (a full disk) has failed:
 * `synapse sessions export … > file` must not look like it saved the file.
 */
export async function outputWritten(): Promise<number> {
  await stdoutSettled();
  const failure = stdoutFailure();
  // Whatever the command stored (an import) is stored: only what it printed is lost.
  if (failure !== null) throw new UserFacingError(`could not write to stdout: ${failure}; the command's work is done, only its output was lost: free some space or send the output elsewhere, and run it again to see it`);
  return 0;
}
