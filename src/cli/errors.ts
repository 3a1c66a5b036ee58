import { AttachmentError } from "../attachment-file.ts";
import { ExchangeInterrupted } from "../chat/errors.ts";
import { ConfigError } from "../config/errors.ts";
import { ProviderError } from "../providers/errors.ts";
import { AttachmentRefError } from "../sessions/attachment-ref.ts";
import { SessionRefError } from "../sessions/refs.ts";
import { StorageError } from "../storage/errors.ts";
import { UserFacingError } from "../user-error.ts";
// types.ts loads no SDK: the class is safe to import on every path.
import { ToolStartCancelled } from "../tools/types.ts";
import { messageOf } from "../unknown-values.ts";

/** The exit codes Synapse documents. */
export const exitCode = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** The command line was wrong: an unknown flag, a malformed id, a missing message. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(
    message: string,
    /** The command whose `--help` to point at, e.g. `synapse sessions show`. */
    readonly command = "synapse",
  ) {
    super(message);
  }
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return exitCode.usage;
  // A file given with -f that cannot be sent (missing, a folder, too big, of no type a model
  // reads, an image for a provider that takes none): the command line's to change, nothing stored.
  if (error instanceof AttachmentError) return exitCode.usage;
  // Naming a session too vaguely is a usage error; naming one that is not there is not.
  if (error instanceof SessionRefError || error instanceof AttachmentRefError) return error.kind === "not_found" ? exitCode.failure : exitCode.usage;
  // A bad flag value (`-p nope`, `-m ""`) is the command line's fault, like an unknown flag.
  if (error instanceof ConfigError && error.key?.startsWith("--")) return exitCode.usage;
  if (error instanceof ExchangeInterrupted) return exitCode.interrupted;
  if (error instanceof ProviderError && error.kind === "cancelled") return exitCode.interrupted;
  if (error instanceof StorageError && error.kind === "interrupted") return exitCode.interrupted;
  // Ctrl+C while the tool servers started: nothing was stored yet.
  if (error instanceof ToolStartCancelled) return exitCode.interrupted;
  return exitCode.failure;
}

/** The one line a user reads: what happened and what to do. */
export function messageFor(error: unknown): string {
  if (error instanceof UsageError) return `${error.message} (see \`${error.command} --help\`)`;
  if (error instanceof ExchangeInterrupted) return error.message;
  if (error instanceof ToolStartCancelled) return "interrupted while the MCP servers started; nothing was stored";
  if (error instanceof StorageError || error instanceof ConfigError || error instanceof ProviderError) return error.message;
  if (error instanceof UserFacingError) return error.message;
  return `unexpected error: ${messageOf(error)} (run again with --debug for details)`;
}
