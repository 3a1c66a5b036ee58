/**
 * `sessions show --last` and `-x`: a session's last reply alone, or only the code in it, for a
 * pipe (`synapse sessions show --last | pbcopy`, `synapse sessions show -x > script.sh`).
 */
import { log } from "../log.ts";
import { codeBlocks, type CodeBlock } from "../markdown-fences.ts";
import type { Session, StoredMessage } from "../session.ts";
import { lastReply } from "../sessions/last-reply.ts";
import { messageJson } from "../sessions/export.ts";
import { shortIdOf } from "../sessions/refs.ts";
import type { SessionStore } from "../storage/session-store.ts";
import { stdoutInfo } from "../tty.ts";
import { UserFacingError } from "../user-error.ts";
import { printJson } from "./format.ts";
import { writeOut } from "./stdout.ts";
import { visible } from "./terminal-text.ts";

/**
 * Prints the session's last reply (`extract`: its code blocks). A session without a reply, or a
 * reply without code to extract, is an error (exit 1) that says what to run instead.
 */
export async function showLastReply(store: SessionStore, session: Session, options: { extract: boolean; json: boolean }): Promise<void> {
  const reply = await lastReply(store, session.id);
  const short = await shortIdOf(store, session.id);
  if (reply === null) throw new UserFacingError(`session ${short} has no reply yet; see what it holds with: synapse sessions show ${short}`);
  // Said, not refused: what arrived of a reply cut short is still what the user may want.
  if (reply.interrupted) log.info(`the last reply of session ${short} was interrupted, so it may be incomplete`);
  if (!options.extract) return printReply(reply, session, options);
  const blocks = codeBlocks(reply.content);
  if (blocks.length === 0) throw new UserFacingError(`the last reply of session ${short} has no code block; print it whole with: synapse sessions show ${short} --last`);
  printCodeBlocks(blocks, options);
}

/**
 * A reply alone: piped, byte for byte as stored, with no newline added. On a terminal, its
 * control characters shown rather than obeyed, and a newline after it when it has none, so the
 * prompt starts on a line of its own.
 */
function printReply(reply: StoredMessage, session: Session, options: { json: boolean }): void {
  if (options.json) return printJson(messageJson(reply, session));
  if (!stdoutInfo.isTTY) return writeOut(reply.content);
  const shown = visible(reply.content);
  writeOut(shown === "" || shown.endsWith("\n") ? shown : `${shown}\n`);
}

/**
 * Code blocks alone: each one's lines as written, ending with a newline (an empty block is an
 * empty line), one block after another; with `json`, `[{ "language": "sh" | null, "code": "…" }]`.
 */
function printCodeBlocks(blocks: readonly CodeBlock[], options: { json: boolean }): void {
  if (options.json) return printJson(blocks.map((block) => ({ language: block.language, code: block.code })));
  const shown = stdoutInfo.isTTY ? visible : (text: string) => text;
  writeOut(blocks.map((block) => (block.code === "" ? "\n" : shown(block.code))).join(""));
}
