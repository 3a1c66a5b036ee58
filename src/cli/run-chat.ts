/**
 * `synapse [message]` at the terminal: checks the options, reads the message, and runs the
 * core's chat (src/chat/chat.ts), streaming the reply to stdout and saying on stderr how to
 * continue. Ctrl+C (or SIGTERM, SIGHUP) stops the reply and keeps what arrived.
 */
import { Chat } from "../chat/chat.ts";
import { log } from "../log.ts";
import type { Session } from "../session.ts";
import { normalizeTitle, shortIdOf } from "../sessions/refs.ts";
import { replyLockWaitMs } from "../storage/lock-wait.ts";
import type { SessionStore } from "../storage/session-store.ts";
import { colorEnabled, styleFor } from "../style.ts";
import { stderrInfo, stdinInfo } from "../tty.ts";
import { UsageError } from "./errors.ts";
import { readMessage, stdinAtOnce } from "./stdin.ts";
import type { ChatLoopArgs } from "./chat-loop.ts";
import { TurnOutput } from "./turn-output.ts";
import { stdoutFailure, stdoutSettled } from "./stdout.ts";
import { UserFacingError } from "../user-error.ts";
import { messageOf } from "../unknown-values.ts";

/** A message's options: those of the chat it could have opened (chat-loop.ts), and its own. */
export interface ChatArgs extends ChatLoopArgs {
  words: string[];
  /** `--continue=REF`: like `-s REF`. */
  continueWith: string | undefined;
  /** `-e`: the message written in the user's editor. */
  editor: boolean;
  /** `--retry`: the session's last question asked again, in a fork of it (see Chat.retry). */
  retry?: boolean;
}

const stopSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * What a stop signal does to a turn: it stops the reply (`controller`), and, when the reply is
 * already being stored, says that the store goes on (a reply the user has seen is never dropped).
 * Installed here with `on`, not `once`, and kept until the caller removes it: a terminal's Ctrl+C
 * (or `timeout`) signals the whole process group, often more than once, and a signal with no
 * handler would kill Synapse before it stores what arrived.
 */
function stopper(controller: AbortController, turn: TurnOutput): () => void {
  const stop = () => {
    if (turn.storingReply) {
      log.warn(`still storing the reply shown above; Synapse stops once it is stored (it waits up to ${replyLockWaitMs / 60_000} min for a busy database)`);
    }
    controller.abort();
  };
  for (const signal of stopSignals) process.on(signal, stop);
  return stop;
}

export async function runChat(chosen: ChatArgs): Promise<void> {
  if (chosen.session !== undefined && (chosen.continueLatest || chosen.continueWith !== undefined)) {
    throw new UsageError("-s and -c both choose a session; give one");
  }
  const options = { ...chosen, session: chosen.session ?? chosen.continueWith };
  const continuing = options.session !== undefined || options.continueLatest;
  if (continuing && options.system !== undefined) {
    throw new UsageError("--system sets the prompt of a new session; a continued session keeps its own");
  }
  if (continuing && options.title !== undefined) {
    throw new UsageError("--title names a new session; rename one with `synapse sessions rename`");
  }
  if (options.session !== undefined && options.session.trim() === "") throw new UsageError("-s needs a session id or title");
  const files = options.files ?? [];
  if (options.retry === true) {
    if (files.length > 0) throw new UsageError("--retry asks the last question as it was, with the files it had; -f sends new ones with a new question");
    return retry(options);
  }
  const title = options.title === undefined ? undefined : (normalizeTitle(options.title) ?? undefined);
  let message = await readMessage(
    options.words,
    // (Asked of the descriptor: making Node's process.stdin stream costs milliseconds of every run.)
    { isTTY: stdinInfo.isTTY, stream: () => Bun.stdin.stream(), atOnce: stdinAtOnce },
    // Only a person at a terminal is told; a script's stderr gets no chatter.
    { onWait: stderrInfo.isTTY ? () => log.info("reading the message from stdin… (Ctrl+D ends it; run with </dev/null to send none)") : undefined },
  );
  if (options.editor && !stdinInfo.isTTY) throw new UsageError("-e opens your editor, which needs a terminal; pipe the message in instead");
  if (message === "" && !options.editor) {
    // A file is sent with a question about it, never alone: the model would have to guess what is asked.
    throw new UsageError(
      files.length > 0
        ? 'no message: a file (-f) goes with a question about it; give one as an argument (synapse -f notes.md "Summarise") or pipe it in'
        : 'no message: give one as an argument (synapse "Hello") or pipe it in',
    );
  }

  const chat = await Chat.open({
    env: process.env,
    flags: { provider: options.provider, model: options.model, systemPrompt: options.system },
    session: options.session,
    latest: options.continueLatest,
    files,
    allowTools: options.allowTools,
  });
  if (options.editor) {
    try {
      message = await composeMessage(chat, message);
    } catch (error) {
      await chat.close();
      throw error;
    }
  }
  if (chat.display.quiet) log.quiet = true;
  const controller = new AbortController();
  const turn = new TurnOutput(chat.display.render, options.raw, chat.cleanupSettings);
  const stop = stopper(controller, turn);
  let shortId = "";
  let replied = false;
  try {
    const result = await chat.send({ message, title, signal: controller.signal, ...turn.callbacks, toolPrompts: turn.toolPrompts(askAtTerminal(controller.signal, stop)) });
    replied = true;
    if (result.stopReason === "max_tokens") {
      // Without the server's token count (llama-cpp-python streams none), its own context window
      // may have been the limit that cut it: both are said.
      log.warn(
        result.usage === null
          ? "the reply was cut off at a length limit: max_tokens for this provider in the configuration, or the server's own context window (raise either)"
          : "the reply was cut off at the token limit; raise max_tokens for this provider in the configuration",
      );
    }
  } finally {
    turn.finish();
    const started = turn.started;
    try {
      await stdoutSettled();
      if (started !== null && (started.isNew || stdoutFailure() !== null)) {
        shortId = await shortIdFor(chat.store, started.session.id);
        if (started.isNew) announce(started.session, shortId);
      }
      // The reply is shown and stored: only now are deleted sessions' rows reclaimed, briefly;
      // Ctrl+C stops that between two batches, and a later run finishes it.
      if (replied) await reclaim(chat, controller.signal);
      await chat.close();
    } finally {
      for (const signal of stopSignals) process.off(signal, stop);
    }
  }
  // The reply went on to its end although stdout failed: it is stored whole, not cut short at
  // the point the disk filled, so nothing the model said is lost and it can still be read.
  const failure = stdoutFailure();
  if (failure !== null) {
    throw new UserFacingError(`the reply could not be written to stdout: ${failure}; it is stored whole, read it with: synapse sessions show ${shortId}`);
  }
}

/**
 * Reads an answer to a question about a tool on stderr, typed on stdin, where both are a
 * terminal (a message given as arguments leaves stdin to the person); undefined where no one can
 * be asked. Ctrl+C (the signal) answers null.
 */
function askAtTerminal(signal: AbortSignal, stop: () => void): ((question: string) => Promise<string | null>) | undefined {
  if (!stdinInfo.isTTY || !stderrInfo.isTTY) return undefined;
  return async (question) => {
    const { createInterface } = await import("node:readline/promises");
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    // readline takes the terminal raw: Ctrl+C reaches it as a key, not as SIGINT. It stops the
    // exchange all the same, as Ctrl+C does everywhere else.
    prompt.on("SIGINT", stop);
    try {
      return await prompt.question(question, { signal });
    } catch {
      if (!signal.aborted) stop();
      return null;
    } finally {
      prompt.close();
    }
  };
}

/**
 * `synapse --retry [-s REF | -c]`: the last question of the session (the latest by default) asked
 * again. The reply it replaces is never lost: the new one goes to a fork of the session made just
 * before that question, and the session keeps the old one; stderr says both, and `sessions show`
 * of either names the other.
 */
async function retry(options: ChatArgs & { session: string | undefined }): Promise<void> {
  if (options.words.length > 0) throw new UsageError("--retry asks the session's last question again; it takes no message");
  if (options.editor) throw new UsageError("--retry asks the last question as it was; -e writes a new one");
  if (options.title !== undefined || options.system !== undefined) throw new UsageError("--retry keeps the session's title and system prompt");
  const chat = await Chat.open({
    env: process.env,
    flags: { provider: options.provider, model: options.model },
    session: options.session,
    latest: options.session === undefined,
    allowTools: options.allowTools,
  });
  if (chat.display.quiet) log.quiet = true;
  const controller = new AbortController();
  const turn = new TurnOutput(chat.display.render, options.raw, chat.cleanupSettings);
  const stop = stopper(controller, turn);
  let forked: { kept: Session; fork: Session } | null = null;
  let replied = false;
  try {
    const kept = await chat.current();
    const result = await chat.retry({
      signal: controller.signal,
      ...turn.callbacks,
      toolPrompts: turn.toolPrompts(askAtTerminal(controller.signal, stop)),
      onSession: (session, isNew) => {
        // The fork is stored before its question: it is where the chat goes on, whatever follows.
        if (kept !== null && session.id !== kept.id) forked = { kept, fork: session };
        turn.callbacks.onSession?.(session, isNew);
      },
    });
    forked = { kept: result.kept, fork: result.fork };
    replied = true;
    if (result.result.stopReason === "max_tokens") log.warn("the reply was cut off at the token limit; raise max_tokens for this provider in the configuration");
  } finally {
    turn.finish();
    try {
      await stdoutSettled();
      const done = forked as { kept: Session; fork: Session } | null;
      if (done !== null) {
        const [keptId, forkId] = await Promise.all([shortIdFor(chat.store, done.kept.id), shortIdFor(chat.store, done.fork.id)]);
        const style = styleFor(colorEnabled(stderrInfo));
        log.info(style.dim(`asked again in session ${done.fork.id}, a fork of ${keptId}; the earlier reply stays in ${keptId} · continue with: synapse -s ${forkId} "…"`));
      }
      if (replied) await reclaim(chat, controller.signal);
      await chat.close();
    } finally {
      for (const signal of stopSignals) process.off(signal, stop);
    }
  }
  const failure = stdoutFailure();
  if (failure !== null) throw new UserFacingError(`the reply could not be written to stdout: ${failure}; it is stored whole`);
}

/**
 * The message written in the user's editor, starting from what was typed; for a continued
 * session the last reply is shown below it for reference. An empty buffer sends nothing.
 */
async function composeMessage(chat: Chat, typed: string): Promise<string> {
  const session = await chat.current();
  const lastReply = session === null ? undefined : (await chat.store.getMessages(session.id)).findLast((m) => m.role === "assistant")?.content;
  const { composeInEditor } = await import("./editor.ts");
  const text = await composeInEditor(typed === "" ? "" : `${typed}\n`, process.env, lastReply);
  if (text === null) throw new UserFacingError("the message was empty, so nothing was sent or stored; write one and save, or give it as an argument");
  return text;
}

/** {@link Chat.purgeAfterReply}, which must not turn a stored reply into a failed command. */
async function reclaim(chat: Chat, signal: AbortSignal): Promise<void> {
  try {
    await chat.purgeAfterReply(signal);
  } catch (error) {
    log.warn(`deleted sessions' messages were not removed yet: ${messageOf(error)}; the next cleanup finishes it`);
  }
}

/** The shortest unique start of the session's id, for the lines that tell how to reach it again. */
async function shortIdFor(store: SessionStore, id: string): Promise<string> {
  try {
    return await shortIdOf(store, id);
  } catch {
    // The full id works as well; the reply is what matters here.
    return id;
  }
}

/** For a new session, one line on stderr: its id, and how to continue it by its short id. */
function announce(session: Session, short: string): void {
  const style = styleFor(colorEnabled(stderrInfo));
  log.info(style.dim(`session ${session.id} · continue it with: synapse -s ${short} "…"`));
}
