/**
 * A reasoning model's thinking (DeepSeek's `reasoning_content`, Anthropic's thinking blocks), as
 * it comes, for a person at a terminal: on stderr, dimmed, so the wait for the reply shows its
 * work and stdout carries the reply alone. Scripts (stderr not a terminal) and quiet runs get
 * none of it. Like the reply, its control characters are shown, never obeyed.
 */
import { writeErr } from "../log.ts";
import { colorEnabled, styleFor } from "../style.ts";
import { stderrInfo } from "../tty.ts";
import { visibleStream } from "./terminal-text.ts";

export interface ReasoningOutput {
  /** A piece of reasoning: shown, unless it is not wanted or the reasoning has ended. */
  push(text: string): void;
  /**
   * The reasoning is over (the reply begins, or the exchange ended): its last line is ended, so
   * the reply, or an error, starts on a line of its own. Pieces after it are not shown: they
   * would break into the reply on the screen. Safe to call more than once.
   */
  end(): void;
}

/** Where shown reasoning goes, and how it is dimmed: stderr and its colours unless a test says otherwise. */
export interface ReasoningSink {
  write(text: string): void;
  dim(text: string): string;
}

/**
 * Reasoning shown when `shown` (stderr a terminal, and not quiet), else dropped.
 *
 * @example
 * const reasoning = reasoningOutput(stderrInfo.isTTY && !log.quiet);
 * // onReasoning: reasoning.push(text); onText: reasoning.end() before the first piece of the reply
 */
export function reasoningOutput(shown: boolean, sink?: ReasoningSink): ReasoningOutput {
  if (!shown) return { push() {}, end() {} };
  const to = sink ?? { write: writeErr, dim: styleFor(colorEnabled(stderrInfo)).dim };
  const visible = visibleStream();
  let ended = false;
  let wrote = false;
  let endsLine = false;
  const write = (text: string) => {
    if (text === "") return;
    // Each piece dimmed on its own: a reply, or an error, after any piece is never left dim.
    to.write(to.dim(text));
    wrote = true;
    endsLine = text.endsWith("\n");
  };
  return {
    push(text) {
      if (!ended) write(visible.push(text));
    },
    end() {
      if (ended) return;
      ended = true;
      write(visible.end());
      if (wrote && !endsLine) to.write("\n");
    },
  };
}
