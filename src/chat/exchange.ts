/**
 * One exchange with a model, in the order that loses nothing: the user's message is stored
 * before the provider is called, and the reply when it is complete (or, cut short, as far as it
 * came, marked interrupted). Nothing here knows about the command line.
 */
import { imagesOf, imagesRefused } from "../attachment-file.ts";
import { ProviderError } from "../providers/errors.ts";
import type { ChatMessage, Provider, StopReason, StreamEvent, ToolSpec, Usage } from "../providers/types.ts";
import { newId, type Attachment, type Session, type StoredMessage, type ToolCall } from "../session.ts";
import { withFileData } from "../sessions/attachment-data.ts";
import { cleanUpBeforeExchange, type CleanupLimits, type CleanupResult } from "../sessions/cleanup.ts";
import { normalizeTitle } from "../sessions/refs.ts";
import { StorageError } from "../storage/errors.ts";
import { replyLockWaitMs } from "../storage/lock-wait.ts";
import type { SessionStore } from "../storage/session-store.ts";
import { ExchangeInterrupted, ToolStepLimit } from "./errors.ts";
import { historyFor, imagesLeftOut } from "./history.ts";
import { ExchangeLease } from "./session-lease.ts";

export { ExchangeInterrupted, ToolStepLimit } from "./errors.ts";

/** What an exchange tells its caller as it goes: the only way it reaches the screen. */
export interface ExchangeOutput {
  /** Each piece of the reply, as it arrives. */
  onText(text: string): void;
  /**
   * Each piece of a reasoning model's thinking, as it arrives (before the reply, as a rule). It
   * is never part of the reply: not stored, and never sent back when the session is continued.
   */
  onReasoning?(text: string): void;
  /** The session, once it is stored and the user's message with it; before the provider is called. */
  onSession?(session: Session, isNew: boolean): void;
  /** The reply (whole or cut short) is being stored: from here on, nothing stops that. */
  onStoringReply?(): void;
  /** That reply is stored (a tool step's: tools run next, and Ctrl+C stops them). */
  onReplyStored?(): void;
  /** The automatic cleanup ran; `result` says what it deleted, which may be nothing. */
  onCleanup?(result: CleanupResult): void;
  /** The automatic cleanup failed; the exchange went on without it. */
  onCleanupFailed?(error: unknown): void;
  /** Something the user should know that stops nothing (images in the history not sent): one line. */
  onWarning?(message: string): void;
  /** The model asked to run a tool; {@link ExchangeTools.run} runs it (or refuses it) next. */
  onToolCall?(call: ToolCall): void;
}

/** What a tool returned, or why it did not run: its text goes back to the model, and is stored. */
export interface ToolOutcome {
  text: string;
  /** The tool failed, timed out or was refused. */
  isError: boolean;
}

/** The tools the model may run in an exchange, and who decides whether a call runs. */
export interface ExchangeTools {
  specs: ToolSpec[];
  /** Steps (requests answered with tool calls) one exchange may take before it stops. */
  maxSteps: number;
  /**
   * Runs a call, or refuses it (asking the user first, where the CLI can): either way the outcome
   * says what happened. Null when `signal` stopped it: the user pressed Ctrl+C.
   */
  run(call: ToolCall, signal: AbortSignal): Promise<ToolOutcome | null>;
}

export interface ExchangeRequest extends ExchangeOutput {
  store: SessionStore;
  /** The session to continue, as read from the store; null starts a new one. */
  session: Session | null;
  /** Built once for this exchange, its key checked (see chat/provider.ts). */
  provider: Provider;
  model: string;
  message: string;
  /**
   * Files sent with the message, each with its bytes (see attachment-file.ts): stored with the
   * question, in the same transaction. Images are refused, before anything is stored, when the
   * provider takes none.
   */
  attachments?: readonly Attachment[] | undefined;
  /** The title of a new session. */
  title?: string | undefined;
  /** The system prompt of a new session; a continued one keeps its own. */
  systemPrompt?: string | undefined;
  /** `[session]`: whether the automatic cleanup runs, and the limits it applies. */
  settings: CleanupLimits & { autoCleanup: boolean };
  /** Tools the model may run; none when absent. */
  tools?: ExchangeTools | undefined;
  signal: AbortSignal;
}

export interface ExchangeResult {
  session: Session;
  isNew: boolean;
  /** The answer: the last reply, after any tool steps. */
  reply: StoredMessage;
  stopReason: StopReason;
  /** Every step's usage added up; null when the provider reported none. */
  usage: Usage | null;
  /** How many steps ended in tool calls. */
  toolSteps: number;
}

/**
 * Runs one exchange in its fixed order: lease a continued session, clean up, store the question,
 * stream the reply, store it. Nothing is stored before the lease and the cleanup; a failure
 * before the question is stored changes nothing but what the cleanup deleted.
 *
 * @example
 * const provider = createProvider(config.provider, config);
 * await runExchange({ store, session: null, provider, model: config.model, message: "Hello",
 *   settings: config.session, signal, onText: (text) => process.stdout.write(text) });
 */
export async function runExchange(request: ExchangeRequest): Promise<ExchangeResult> {
  const { store, provider, model, session: existing } = request;
  // Checked here too, not only by the CLI: no caller stores a title a list could not show. (A
  // continued session keeps its own title and system prompt.)
  const title = existing === null && request.title !== undefined ? normalizeTitle(request.title) : null;
  const attachments = request.attachments ?? [];
  // Refused before the lease, the cleanup or anything else: a provider that takes no images
  // leaves no trace of a question it could not be asked.
  const images = imagesOf(attachments);
  if (images.length > 0 && !provider.acceptsImages) throw imagesRefused(provider.name, images);
  // A local model is loaded before anything else: a file it cannot load stores nothing.
  await provider.prepare?.(request.signal);

  // From here to the end the session is leased: no cleanup or delete in any process touches it.
  // A continued one is leased before the cleanup runs (it fails here if it has gone meanwhile).
  await using held = new ExchangeLease(store);
  if (existing !== null) await held.take(existing.id);

  await autoCleanUp(request, existing?.id);

  const now = new Date();
  const session: Session = existing ?? {
    id: newId(),
    title,
    provider: provider.name,
    model,
    systemPrompt: request.systemPrompt ?? null,
    createdAt: now,
    updatedAt: now,
  };
  const question: StoredMessage = { id: newId(), sessionId: session.id, role: "user", content: request.message, timestamp: now };
  if (attachments.length > 0) question.attachments = [...attachments];
  // A new session is stored with its first message and its lease in one transaction: never one
  // without the others. Nothing has been sent yet, so Ctrl+C may stop a wait for another
  // process's lock.
  const questionWait = { signal: request.signal };
  if (existing === null) {
    await store.startSession(session, question, held.lease, questionWait);
    held.taken(session.id);
  } else {
    await store.addMessage(question, questionWait);
  }
  request.onSession?.(session, existing === null);

  // Each file's bytes read once; the question's own are in hand already.
  const stored = await withFileData(
    store,
    (await store.getMessages(session.id)).map((message) => (message.id === question.id ? question : message)),
  );
  const tools = request.tools !== undefined && request.tools.specs.length > 0 ? request.tools : undefined;
  const history = historyFor(session.systemPrompt, stored, { provider: provider.name, acceptsImages: provider.acceptsImages, tools: tools !== undefined });
  const leftOut = imagesLeftOut(stored, provider.acceptsImages);
  if (leftOut.length > 0) {
    const names = [...new Set(leftOut.map((image) => image.name))];
    request.onWarning?.(
      `${leftOut.length === 1 ? "an image" : `${leftOut.length} images`} in this session (${names.join(", ")}) not sent: ${provider.name} takes no images; ` +
        `a line saying so was sent in ${leftOut.length === 1 ? "its" : "their"} place; continue with -p anthropic or -p openai to send ${leftOut.length === 1 ? "it" : "them"}`,
    );
  }

  const storeShown = async (message: StoredMessage): Promise<void> => {
    // The user has seen it: wait long for a busy database, and never because of Ctrl+C give up
    // on it; if it cannot be stored after all, say so rather than drop it silently.
    try {
      await store.addMessage(message, { waitMs: replyLockWaitMs, waitNotice: replyWaitNotice });
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      const what = message.role === "tool" ? "the tool result above was shown" : "the reply above was shown";
      throw new StorageError(error.kind, `${what} but not stored: ${error.message}`, { sessionId: session.id, cause: error });
    }
  };
  const saveReply = async (text: string, calls: readonly ToolCall[], interrupted: boolean, usage: Usage | null = null): Promise<StoredMessage> => {
    // The reply records what wrote it: on a continued session that may be another provider or
    // model than the session's (`-p`, `-m`, `/model`), whose own stay the defaults it was started
    // with; nothing here ever changes them.
    const reply: StoredMessage = {
      id: newId(),
      sessionId: session.id,
      role: "assistant",
      content: text,
      timestamp: new Date(),
      provider: provider.name,
      model,
    };
    if (calls.length > 0) reply.toolCalls = [...calls];
    if (interrupted) reply.interrupted = true;
    if (usage !== null) reply.usage = { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
    request.onStoringReply?.();
    await storeShown(reply);
    request.onReplyStored?.();
    return reply;
  };

  let total: Usage | null = null;
  let shown = false;
  for (let step = 1; ; step++) {
    let text = "";
    const calls: ToolCall[] = [];
    let end: Extract<StreamEvent, { type: "done" }> | undefined;
    try {
      if (request.signal.aborted) throw new ProviderError("cancelled", provider.name, "cancelled before the request was sent");
      // A step after tools ran goes on where the last one stopped: its text is a new paragraph.
      let separated = !shown;
      for await (const event of provider.stream({ messages: history, model, signal: request.signal, ...(tools === undefined ? {} : { tools: tools.specs }) })) {
        if (event.type === "done") {
          end = event;
          break;
        }
        if (event.type === "reasoning") {
          request.onReasoning?.(event.text);
          continue;
        }
        if (event.type === "tool_call") {
          calls.push(event.call);
          request.onToolCall?.(event.call);
          continue;
        }
        if (event.type === "warning") {
          request.onWarning?.(event.message);
          continue;
        }
        if (!separated) {
          request.onText("\n\n");
          separated = true;
        }
        text += event.text;
        shown = true;
        request.onText(event.text);
      }
      if (end === undefined) {
        throw new ProviderError("stream_ended_early", provider.name, `the ${provider.name} reply ended without saying it was complete`);
      }
    } catch (error) {
      // Whatever arrived was seen by the user: keep it, marked, whether they stopped it or it
      // failed. Reasoning alone is no reply: a reply cut short before its first word stores
      // nothing. Calls it was still asking for never ran: they are not kept.
      const partial = text === "" ? null : await saveReply(text, [], true);
      if (error instanceof ProviderError && error.kind === "cancelled") throw new ExchangeInterrupted(partial !== null || step > 1);
      throw error;
    }
    total = addUsage(total, end.usage);
    // Outside the try: a reply that arrived whole is never stored as an interrupted one. Calls
    // with no tools to run them (a proxy that offers its own) are kept as the model made them.
    const reply = await saveReply(text, calls, false, end.usage);
    if (calls.length === 0 || tools === undefined) {
      return { session, isNew: existing === null, reply, stopReason: end.stopReason, usage: total, toolSteps: step - 1 };
    }
    history.push({ role: "assistant", content: text, toolCalls: [...calls] });
    for (const call of calls) {
      const outcome = await tools.run(call, request.signal);
      const result: StoredMessage = {
        id: newId(),
        sessionId: session.id,
        role: "tool",
        // What a tool returns may hold NUL (a binary file read as text), which no store keeps.
        content: outcome === null ? "stopped by the user (Ctrl+C) before the tool finished" : outcome.text.replaceAll("\0", "\uFFFD"),
        timestamp: new Date(),
        toolCallId: call.id,
      };
      if (outcome === null || outcome.isError) result.toolError = true;
      await storeShown(result);
      // The calls not run yet are answered, when the session goes on, by a line saying so.
      if (outcome === null) throw new ExchangeInterrupted(true);
      const sent: ChatMessage = { role: "tool", content: result.content, toolCallId: call.id };
      if (result.toolError) sent.toolError = true;
      history.push(sent);
    }
    if (step >= tools.maxSteps) throw new ToolStepLimit(tools.maxSteps, session.id);
  }
}

/** Usage added up over an exchange's steps; null while no step reported any. */
function addUsage(total: Usage | null, step: Usage | null): Usage | null {
  if (step === null) return total;
  return { inputTokens: (total?.inputTokens ?? 0) + step.inputTokens, outputTokens: (total?.outputTokens ?? 0) + step.outputTokens };
}

const replyWaitNotice = "the reply is shown but not stored yet: waiting for another process to finish writing to the session database";

/**
 * The automatic cleanup, at its place in the exchange: after a continued session is leased,
 * before anything is stored. Whether it runs, and what it spares, is cleanUpBeforeExchange's rule.
 */
async function autoCleanUp(request: ExchangeRequest, keep: string | undefined): Promise<void> {
  let result: CleanupResult | null;
  try {
    result = await cleanUpBeforeExchange(request.store, request.settings, keep, request.signal);
  } catch (error) {
    if (error instanceof StorageError && error.kind === "interrupted") throw error;
    // A cleanup that cannot run now must not stand between the user and their answer.
    request.onCleanupFailed?.(error);
    return;
  }
  if (result !== null) request.onCleanup?.(result);
}
