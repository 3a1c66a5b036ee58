/**
 * What a person sees of one exchange, whether it is the one-shot `synapse "…"` or a turn in chat
 * mode: the spinner until something arrives, a reasoning model's thinking on stderr, the reply
 * on stdout (rendered, shown safely or as stored: reply-output.ts), and what the automatic
 * cleanup deleted. Its callbacks go to Chat.send; {@link TurnOutput.finish} ends the reply's
 * last line however the exchange ended.
 */
import type { ExchangeOutput } from "../chat/exchange.ts";
import type { RenderMode } from "../config/schema.ts";
import { log } from "../log.ts";
import type { Session } from "../session.ts";
import { stderrInfo } from "../tty.ts";
import { messageOf } from "../unknown-values.ts";
import { reasoningOutput } from "./reasoning-output.ts";
import { replyOutput } from "./reply-output.ts";
import { startSpinner } from "./spinner.ts";
import { writeOut } from "./stdout.ts";

export class TurnOutput {
  /** The session and whether it is new, once the question is stored. */
  started: { session: Session; isNew: boolean } | null = null;
  /** Set while the reply is being stored: from then on nothing stops that. */
  storingReply = false;
  readonly #output;
  readonly #reasoning = reasoningOutput(stderrInfo.isTTY && !log.quiet);
  #stopSpinner = () => {};
  #lastWritten = "\n";

  constructor(render: RenderMode, raw: boolean) {
    this.#output = replyOutput(render, raw);
  }

  /** The callbacks for Chat.send. */
  readonly callbacks: Required<Pick<ExchangeOutput, "onText" | "onSession" | "onStoringReply" | "onCleanup" | "onCleanupFailed" | "onReasoning">> = {
    onCleanup: (cleanup) => {
      // Nothing is deleted silently: an automatic deletion says so, quiet or not.
      if (cleanup.sessionsDeleted === 0) return;
      const sessions = `${cleanup.sessionsDeleted} old session${cleanup.sessionsDeleted === 1 ? "" : "s"}`;
      log.notice(`deleted ${sessions} by the [session] limits: ${cleanup.byMaxLimit} over max_sessions, ${cleanup.byRetention} past retention_days`);
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
