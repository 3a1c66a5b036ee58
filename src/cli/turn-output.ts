/**
 * What a person sees of one exchange, whether it is the one-shot `synapse "…"` or a turn in chat
 * mode: the spinner until something arrives, a reasoning model's thinking on stderr, the reply
 * on stdout (rendered, shown safely or as stored: reply-output.ts), and what the automatic
 * cleanup deleted. Its callbacks go to Chat.send; {@link TurnOutput.finish} ends the reply's
 * last line however the exchange ended.
 */
import type { ToolAnswer, ToolPrompts } from "../chat/chat-tools.ts";
import type { ExchangeOutput } from "../chat/exchange.ts";
import type { RenderMode } from "../config/schema.ts";
import { log, writeErr } from "../log.ts";
import type { ToolCall } from "../session.ts";
import { colorEnabled, styleFor } from "../style.ts";
import type { ToolInfo } from "../tools/index.ts";
import type { Session } from "../session.ts";
import { stderrInfo, stdoutInfo, terminalSize } from "../tty.ts";
import { messageOf } from "../unknown-values.ts";
import { reasoningOutput } from "./reasoning-output.ts";
import { replyOutput } from "./reply-output.ts";
import { startSpinner } from "./spinner.ts";
import { afterOut, stdoutSettled, writeOut } from "./stdout.ts";
import { toolAnswerOf, toolCallLine, toolQuestion, toolResultLine } from "./tool-lines.ts";

/** The limits an automatic cleanup applied, and where they are set. */
export interface CleanupNotice {
  maxSessions: number;
  retentionDays: number;
  configPath: string;
}

/**
 * The one line an automatic cleanup prints: how many, by which limit, and how to change it.
 * `deleted 3 old sessions: 2 over max_sessions = 100, 1 unused for more than 90 days (retention_days); …`
 */
export function cleanupNotice(result: { sessionsDeleted: number; byMaxLimit: number; byRetention: number }, limits: CleanupNotice): string {
  const reasons = [
    ...(result.byMaxLimit > 0 ? [`${result.byMaxLimit} over max_sessions = ${limits.maxSessions}`] : []),
    ...(result.byRetention > 0 ? [`${result.byRetention} unused for more than ${limits.retentionDays} days (retention_days)`] : []),
  ];
  const sessions = `${result.sessionsDeleted} old session${result.sessionsDeleted === 1 ? "" : "s"}`;
  return (
    `deleted ${sessions}: ${reasons.join(", ")}; titled sessions are never deleted this way; ` +
    `change the limits under [session] in ${limits.configPath}, and see what would go next with: synapse sessions prune --dry-run`
  );
}

/** The width a line on stderr must fit: its terminal's, or none when it is no terminal. */
function stderrColumns(): number | null {
  return stderrInfo.isTTY ? (terminalSize(2)?.columns ?? 80) : null;
}

export class TurnOutput {
  /** The session and whether it is new, once the question is stored. */
  started: { session: Session; isNew: boolean } | null = null;
  /** Set while the reply is being stored: from then on nothing stops that. */
  storingReply = false;
  #output;
  #reasoning = reasoningOutput(stderrInfo.isTTY && !log.quiet);
  #stopSpinner = () => {};
  /** Moves on with every piece of the reply and every pause: a spinner started for an older one is not. */
  #epoch = 0;
  #lastWritten = "\n";

  readonly #cleanup: CleanupNotice;
  readonly #render: RenderMode;
  readonly #raw: boolean;

  constructor(render: RenderMode, raw: boolean, cleanup: CleanupNotice) {
    this.#output = replyOutput(render, raw);
    this.#cleanup = cleanup;
    this.#render = render;
    this.#raw = raw;
  }

  /**
   * How tool calls are asked about and shown. `ask` reads the answer (chat mode's keyboard, or a
   * line at a terminal); without it, a tool that needs asking is refused.
   */
  toolPrompts(ask?: (question: string) => Promise<string | null>): ToolPrompts {
    const style = styleFor(colorEnabled(stderrInfo));
    return {
      ask:
        ask === undefined
          ? undefined
          : async (call: ToolCall, tool: ToolInfo): Promise<ToolAnswer> => {
              this.#pauseReply();
              // The question goes below the reply, once all of it is on the screen.
              await stdoutSettled();
              for (;;) {
                const typed = await ask(toolQuestion(call, tool, stderrColumns()));
                // Ctrl+C, or no more input: the tool does not run.
                if (typed === null) return "no";
                const answer = toolAnswerOf(typed);
                if (answer !== null) return answer;
              }
            },
      onToolResult: (call, outcome) => {
        this.#pauseReply();
        const line = toolResultLine(call, outcome, stderrColumns());
        const epoch = this.#epoch;
        afterOut(() => {
          // A refusal or an error is always said; what a tool returned is a note.
          if (outcome.isError) writeErr(`${style.yellow(line)}\n`);
          else if (!log.quiet) writeErr(`${style.dim(line)}\n`);
          // Unless the next step's reply has begun meanwhile, the wait for it shows.
          if (!log.quiet && epoch === this.#epoch) this.#stopSpinner = startSpinner("waiting for the reply…");
        });
      },
      onWarning: (message) => this.callbacks.onWarning(message),
    };
  }

  /**
   * The reply so far is left whole on the screen (its block rendered, its line ended) so that a
   * line on stderr goes below it; what the model writes next starts a new rendering.
   */
  #pauseReply(): void {
    this.#epoch += 1;
    this.#stopSpinner();
    this.#reasoning.end();
    this.#write(this.#output.end());
    // Piped, stdout is the answer alone: the lines on stderr are elsewhere.
    if (stdoutInfo.isTTY && !this.#lastWritten.endsWith("\n")) this.#write("\n");
    this.#output = replyOutput(this.#render, this.#raw);
    this.#reasoning = reasoningOutput(stderrInfo.isTTY && !log.quiet);
  }

  /** The callbacks for Chat.send. */
  readonly callbacks: Required<Pick<ExchangeOutput, "onText" | "onSession" | "onStoringReply" | "onReplyStored" | "onCleanup" | "onCleanupFailed" | "onReasoning" | "onWarning" | "onToolCall">> = {
    onReplyStored: () => {
      this.storingReply = false;
    },
    onToolCall: (call) => {
      this.#pauseReply();
      const line = styleFor(colorEnabled(stderrInfo)).dim(toolCallLine(call, stderrColumns()));
      if (!log.quiet) afterOut(() => writeErr(`${line}\n`));
    },
    onWarning: (message) => {
      // Said on its own line, the spinner stopped and started again below it.
      this.#stopSpinner();
      log.warn(message);
      if (!log.quiet && this.started !== null) this.#stopSpinner = startSpinner("waiting for the reply…");
    },
    onCleanup: (cleanup) => {
      // Nothing is deleted silently: an automatic deletion says so, quiet or not, with how to change it.
      if (cleanup.sessionsDeleted === 0) return;
      log.notice(cleanupNotice(cleanup, this.#cleanup));
    },
    onCleanupFailed: (error) => {
      log.warn(`old sessions were not cleaned up: ${messageOf(error)}`);
    },
    onSession: (session, isNew) => {
      this.started = { session, isNew };
      if (!log.quiet) this.#stopSpinner = startSpinner("waiting for the reply…");
    },
    onStoringReply: () => {
      this.storingReply = true;
    },
    onReasoning: (text) => {
      this.#stopSpinner();
      this.#reasoning.push(text);
    },
    onText: (text) => {
      this.#epoch += 1;
      this.#stopSpinner();
      if (text === "") return;
      this.#reasoning.end();
      this.#write(this.#output.push(text));
    },
  };

  /** The exchange is over, whole, failed or stopped: what is held is written, the last line ended. */
  finish(): void {
    this.#stopSpinner();
    this.#reasoning.end();
    this.#write(this.#output.end());
    // The reply, whole or cut short, ends with a newline, so what follows starts on its own line.
    if (this.started !== null && !this.#lastWritten.endsWith("\n")) this.#write("\n");
    this.storingReply = false;
  }

  #write(text: string): void {
    if (text === "") return;
    writeOut(text);
    this.#lastWritten = text;
  }
}
