/**
 * One exchange, as the plan's flows §3.1 and §3.2 describe it: the user's message is stored
 * before the provider is called, and the reply when it is complete (or, cut short, as far as it
 * came, marked interrupted). Nothing here knows about the command line.
 */
import { ConfigError } from "../config/errors.ts";
import type { ResolvedConfig } from "../config/schema.ts";
import { createProvider } from "./provider.ts";
import { ProviderError } from "../providers/errors.ts";
import { isProviderName, PROVIDER_NAMES, type Provider, type StopReason, type StreamEvent, type Usage } from "../providers/types.ts";
import { newId, type Session, type StoredMessage } from "../session.ts";
import { StorageError } from "../storage/errors.ts";
import { replyLockWaitMs } from "../storage/lock-wait.ts";
import type { SessionStore } from "../storage/session-store.ts";
import { ExchangeInterrupted } from "./errors.ts";
import { historyFor } from "./history.ts";
import { ExchangeLease } from "./session-lease.ts";

export { ExchangeInterrupted } from "./errors.ts";

export interface ExchangeRequest {
  store: SessionStore;
  config: ResolvedConfig;
  /** What the command line chose; for a continued session only these override its own settings. */
  flags: { provider?: string | undefined; model?: string | undefined };
  message: string;
  /** Continue this session (its full id); a new one is started when absent. */
  sessionId?: string | undefined;
  /** The title of a new session. */
  title?: string | undefined;
  signal: AbortSignal;
  /** Each piece of the reply, as it arrives. */
  onText(text: string): void;
  /**
   * Runs once the provider is ready and the session to continue is found, before anything is
   * stored: a failure before that point changes nothing (the CLI's cleanup goes here).
   */
  beforeStore?(): Promise<void>;
  /** The session, once it is stored and the user's message with it; before the provider is called. */
  onSession?(session: Session, isNew: boolean): void;
  /** The reply (whole or cut short) is being stored: from here on, nothing stops that. */
  onStoringReply?(): void;
}

export interface ExchangeResult {
  session: Session;
  isNew: boolean;
  reply: StoredMessage;
  stopReason: StopReason;
  usage: Usage | null;
}

export async function runExchange(request: ExchangeRequest): Promise<ExchangeResult> {
  const { store, config, flags } = request;
  const existing = request.sessionId === undefined ? null : await loadSession(store, request.sessionId);
  // The provider is built (and its key checked) before anything is stored, so a missing key
  // leaves no empty session behind.
  const provider = createProvider(chooseProvider(flags, existing, config), config);
  const model = chooseModel(provider, flags, existing, config);

  // From here to the end the session is leased: no cleanup or delete in any process touches it.
  // A continued one is leased before the cleanup runs (it fails here if it has gone meanwhile).
  await using held = new ExchangeLease(store);
  if (existing !== null) await held.take(existing.id);

  await request.beforeStore?.();

  const now = new Date();
  const session: Session = existing ?? {
    id: newId(),
    title: request.title ?? null,
    provider: provider.name,
    model,
    systemPrompt: config.systemPrompt ?? null,
    createdAt: now,
    updatedAt: now,
  };
  const question: StoredMessage = { id: newId(), sessionId: session.id, role: "user", content: request.message, timestamp: now };
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

  const history = historyFor(session.systemPrompt, await store.getMessages(session.id));
  let text = "";
  const saveReply = async (interrupted: boolean, usage: Usage | null = null): Promise<StoredMessage> => {
    const reply: StoredMessage = { id: newId(), sessionId: session.id, role: "assistant", content: text, timestamp: new Date() };
    if (interrupted) reply.interrupted = true;
    if (usage !== null) reply.usage = { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
    request.onStoringReply?.();
    // The user has seen this reply: wait long for a busy database, and never because of Ctrl+C
    // give up on it; if it cannot be stored after all, say so rather than drop it silently.
    try {
      await store.addMessage(reply, { waitMs: replyLockWaitMs, waitNotice: replyWaitNotice });
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      throw new StorageError(error.kind, `the reply above was shown but not stored: ${error.message}`, { sessionId: session.id, cause: error });
    }
    return reply;
  };

  let end: Extract<StreamEvent, { type: "done" }> | undefined;
  try {
    if (request.signal.aborted) throw new ProviderError("cancelled", provider.name, "cancelled before the request was sent");
    for await (const event of provider.stream({ messages: history, model, signal: request.signal })) {
      if (event.type === "done") {
        end = event;
        break;
      }
      text += event.text;
      request.onText(event.text);
    }
    if (end === undefined) {
      throw new ProviderError("stream_ended_early", provider.name, `the ${provider.name} reply ended without saying it was complete`);
    }
  } catch (error) {
    // Whatever arrived was seen by the user: keep it, marked, whether they stopped it or it failed.
    const partial = text === "" ? null : await saveReply(true);
    if (error instanceof ProviderError && error.kind === "cancelled") throw new ExchangeInterrupted(partial !== null);
    throw error;
  }
  // Outside the try: a reply that arrived whole is never stored as an interrupted one.
  const reply = await saveReply(false, end.usage);
  return { session, isNew: existing === null, reply, stopReason: end.stopReason, usage: end.usage };
}

const replyWaitNotice = "the reply is shown but not stored yet: waiting for another process to finish writing to the session database";

async function loadSession(store: SessionStore, id: string): Promise<Session> {
  const session = await store.getSession(id);
  if (session === null) throw StorageError.notFound(id);
  return session;
}

/**
 * A flag's provider, else the continued session's own, else the configuration's. A session
 * stored with a provider this version does not know (written by a newer Synapse, or imported)
 * can still be continued with another one: the error says how.
 */
function chooseProvider(flags: ExchangeRequest["flags"], existing: Session | null, config: ResolvedConfig): string {
  if (flags.provider !== undefined) return flags.provider;
  if (existing === null) return config.provider;
  if (isProviderName(existing.provider)) return existing.provider;
  // Stored text may be anything: quoted with escapes, and short, so it stays one line.
  const stored = JSON.stringify(existing.provider.length > 40 ? `${existing.provider.slice(0, 40)}…` : existing.provider);
  throw new ConfigError(
    "unknown_provider",
    `session ${existing.id} was started with provider ${stored}, which this version of Synapse does not know; ` +
      `to continue it with another provider, add -p NAME (one of ${PROVIDER_NAMES.join(", ")})`,
  );
}

/**
 * A continued session keeps its model unless a flag names one, or names another provider
 * (whose configured model then applies); a new session uses the configuration's choice.
 */
function chooseModel(provider: Provider, flags: ExchangeRequest["flags"], existing: Session | null, config: ResolvedConfig): string {
  if (flags.model !== undefined) return flags.model;
  if (existing === null) return provider.name === config.provider ? config.model : provider.defaultModel;
  return provider.name === existing.provider ? existing.model : provider.defaultModel;
}
