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

export class TurnOutput {
  /** The session and whether it is new, once the question is stored. */
  started: { session: Session; isNew: boolean } | null = null;
  /** Set while the reply is being stored: from then on nothing stops that. */
  storingReply = false;
  readonly #output;
  readonly #reasoning = reasoningOutput(stderrInfo.isTTY && !log.quiet);
  #stopSpinner = () => {};
  #lastWritten = "\n";

  readonly #cleanup: CleanupNotice;

  constructor(render: RenderMode, raw: boolean, cleanup: CleanupNotice) {
    this.#output = replyOutput(render, raw);
    this.#cleanup = cleanup;
  }

  /** The callbacks for Chat.send. */
  readonly callbacks: Required<Pick<ExchangeOutput, "onText" | "onSession" | "onStoringReply" | "onCleanup" | "onCleanupFailed" | "onReasoning" | "onWarning">> = {
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
