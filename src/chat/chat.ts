/**
 * A chat from the configuration to the stored reply, in the order that keeps its promises: the
 * provider and its key are checked before the store is opened, the session to continue is read
 * once, the provider and model are chosen once, then the exchange runs on that session. What a
 * person sees of it goes through the callbacks of {@link ExchangeOutput}.
 */
import { loadConfig, type ConfigFlags } from "../config/load.ts";
import type { DisplaySettings, ResolvedConfig } from "../config/schema.ts";
import type { Provider } from "../providers/types.ts";
import { imagesOf, imagesRefused, maxFileBytes, readAttachmentFile } from "../attachment-file.ts";
import type { Attachment, Session } from "../session.ts";
import { withFileData } from "../sessions/attachment-data.ts";
import { purgeAfterReply } from "../sessions/cleanup.ts";
import { normalizeTitle, resolveSession, SessionRefError } from "../sessions/refs.ts";
import { createStorage } from "../storage/create-storage.ts";
import type { PurgeProgress, SessionStore } from "../storage/session-store.ts";
import { ChatModeError } from "./errors.ts";
import type { ToolInfo } from "../tools/index.ts";
import { ChatTools, type ToolPrompts } from "./chat-tools.ts";
import { runExchange, type ExchangeOutput, type ExchangeResult } from "./exchange.ts";
import { chooseModel, chooseProvider, createProvider, type CreateProviderOptions } from "./provider.ts";

/** Which session a chat continues: none (a new one), the one a reference names, or the latest. */
export interface SessionChoice {
  /** An id, a unique start of one, or an exact title (`-s REF`, `--continue=REF`). */
  session?: string | undefined;
  /** The session used most recently (`-c`). */
  latest?: boolean | undefined;
}

export interface ChatOptions extends SessionChoice {
  /** The environment the configuration is read from, usually `process.env`. */
  env: Record<string, string | undefined>;
  /**
   * Flags over the configuration. For a continued session, the provider and model flags also
   * override its own; without them it keeps the ones it was started with.
   */
  flags?: ConfigFlags;
  /** How the provider is built (tests use tiny retry waits). */
  providerOptions?: CreateProviderOptions;
  /**
   * Paths of files for the first question (`-f`): read and checked (size, type, and images
   * against the provider, when it is known) before the store is opened; see {@link Chat.files}.
   */
  files?: readonly string[] | undefined;
  /** `--allow-tools`: every tool the model asks for runs without asking. */
  allowTools?: boolean | undefined;
}

export interface SendRequest extends ExchangeOutput {
  /** How tool calls are asked about and shown; without `ask`, a tool that is not read-only (nor allowed) is refused. */
  toolPrompts?: ToolPrompts | undefined;
  message: string;
  /** Files sent with the message, read by {@link Chat.readFile}: stored with it. */
  attachments?: readonly Attachment[] | undefined;
  /** The title of a new session, as normalizeTitle gives it. */
  title?: string | undefined;
  signal: AbortSignal;
}

/**
 * One chat: the configuration loaded, the store open, the provider ready. Close it when done.
 *
 * @example
 * const chat = await Chat.open({ env: process.env, latest: true });
 * try {
 *   await chat.send({ message: "And then?", signal, onText: (text) => process.stdout.write(text) });
 * } finally {
 *   await chat.close();
 * }
 */
export class Chat {
  readonly #config: ResolvedConfig;
  readonly #options: ChatOptions;
  /** Built before the store was opened, when the provider did not depend on a stored session; or chosen since (`/provider`). */
  #provider: Provider | null;
  /** Every provider built, by name: built once (a local model is loaded once per chat), closed by {@link close}. */
  readonly #providers = new Map<string, Provider>();
  /** The provider and model flags, changed by {@link useProvider} and {@link useModel} for the turns after. */
  readonly #flags: ConfigFlags;
  /** The session the next turn continues; null for a new one; undefined until the options are read. */
  #current: Session | null | undefined = undefined;
  /** The automatic cleanup runs once, before the first turn of the chat, however many turns follow. */
  #cleanedUp = false;
  /** A title and system prompt for the new session the next turn starts. */
  #newTitle: string | null = null;
  #newSystemPrompt: string | undefined;
  #files: Attachment[];
  /** The MCP servers, started at the first turn that may use them, stopped by {@link close}. */
  readonly #tools: ChatTools;

  private constructor(
    /** Open until {@link close}: the announce line's short id is read from it. */
    readonly store: SessionStore,
    config: ResolvedConfig,
    options: ChatOptions,
    provider: Provider | null,
    files: Attachment[],
  ) {
    this.#config = config;
    this.#files = files;
    this.#options = options;
    this.#provider = provider;
    if (provider !== null) this.#providers.set(provider.name, provider);
    this.#flags = { ...options.flags };
    this.#newSystemPrompt = config.systemPrompt;
    this.#tools = new ChatTools(config.mcp, config.configPath, options.allowTools === true);
  }

  /**
   * Loads the configuration and opens the store. A new session's provider (or the one a flag
   * names) is built, and its key checked, first: a run that cannot chat leaves no database
   * behind.
   *
   * @throws {ConfigError} for a bad configuration or flag.
   * @throws {ProviderError} `auth` when the provider has no API key.
   * @throws {StorageError} when the store cannot be opened.
   */
  static async open(options: ChatOptions): Promise<Chat> {
    const flags = options.flags ?? {};
    const config = loadConfig({ env: options.env, flags });
    const continuing = options.session !== undefined || options.latest === true;
    // A continued session's own provider is known only once the store is open: it is built in send().
    const provider = continuing && flags.provider === undefined ? null : createProvider(chooseProvider(config, flags, null), config, options.providerOptions);
    // Every file is read and checked before the store is opened: a bad one leaves nothing behind.
    const files: Attachment[] = [];
    for (const path of options.files ?? []) files.push(await readAttachmentFile(path, maxFileBytes(config.files.maxSizeMb)));
    const images = imagesOf(files);
    if (provider !== null && images.length > 0 && !provider.acceptsImages) throw imagesRefused(provider.name, images);
    // A local model is loaded before the store opens: a file it cannot load leaves no database
    // behind. (Ctrl+C meanwhile ends the process, with nothing stored.)
    await provider?.prepare?.(new AbortController().signal);
    const store = await createStorage(config.session.databaseUrl);
    return new Chat(store, config, options, provider, files);
  }

  /**
   * The files the next question carries: those of `-f` (read by {@link open}), and those added
   * since (`/file`). Each {@link send} takes them all, whether the turn is stored or refused.
   */
  get files(): readonly Attachment[] {
    return this.#files;
  }

  /**
   * Reads the file at `path`, held to `[files] max_size_mb`, and adds it to {@link files}.
   *
   * @throws {AttachmentError} for a file that cannot be sent.
   */
  async readFile(path: string): Promise<Attachment> {
    const file = await readAttachmentFile(path, maxFileBytes(this.#config.files.maxSizeMb));
    this.#files.push(file);
    return file;
  }

  /**
   * Finds the session to continue, chooses its provider and model, and runs the exchange (see
   * {@link runExchange}).
   *
   * @throws {SessionRefError} when the session to continue cannot be found.
   * @throws {ExchangeInterrupted} when `signal` stopped the reply.
   */
  async send(request: SendRequest): Promise<ExchangeResult> {
    const config = this.#config;
    const flags = this.#flags;
    const session = await this.current();
    const provider = this.#provider ?? this.#built(chooseProvider(config, flags, session));
    // The files go with this question, whatever becomes of it: a refused one is not sent again.
    // (A retry carries its question's own: those waiting stay for the next question.)
    const attachments = request.attachments ?? this.#files;
    if (request.attachments === undefined) this.#files = [];
    // Tool servers start for a model that may use them, before the question is stored: Ctrl+C
    // while they start leaves nothing behind.
    const prompts = { ...request.toolPrompts, onWarning: request.toolPrompts?.onWarning ?? request.onWarning };
    const tools = provider.acceptsTools ? await this.#tools.forTurn(() => this.#current?.id ?? undefined, prompts, request.signal) : undefined;
    const autoCleanup = config.session.autoCleanup && !this.#cleanedUp;
    this.#cleanedUp = true;
    const result = await runExchange({
      ...request,
      tools,
      attachments,
      // Set as soon as it is stored: a turn that fails after its question was stored still
      // leaves the chat in that session.
      onSession: (stored, isNew) => {
        this.#current = stored;
        if (isNew) this.#newTitle = null;
        request.onSession?.(stored, isNew);
      },
      title: request.title ?? this.#newTitle ?? undefined,
      store: this.store,
      session,
      provider,
      model: chooseModel(config, flags, provider, session),
      systemPrompt: this.#newSystemPrompt,
      settings: { ...config.session, autoCleanup },
    });
    this.#current = result.session;
    return result;
  }

  /** The session the next turn continues (read from the options at the first call), or null for a new one. */
  async current(): Promise<Session | null> {
    if (this.#current === undefined) this.#current = await sessionToContinue(this.store, this.#options);
    return this.#current;
  }

  /** The provider and model the next turn uses. */
  async next(): Promise<{ session: Session | null; provider: string; model: string }> {
    const session = await this.current();
    const provider = this.#provider ?? this.#built(chooseProvider(this.#config, this.#flags, session));
    return { session, provider: provider.name, model: chooseModel(this.#config, this.#flags, provider, session) };
  }

  /** The next turn starts a new session, with the configured system prompt. */
  startNew(): void {
    this.#current = null;
    this.#newTitle = null;
    this.#newSystemPrompt = this.#config.systemPrompt;
  }

  /** The next turn continues the session `ref` names (id, unique start, exact title). */
  async switchTo(ref: string): Promise<Session> {
    const session = await resolveSession(this.store, ref);
    this.#current = session;
    return session;
  }

  /** Titles the session in use, or the new one the next turn starts; "" clears it. */
  async rename(title: string): Promise<void> {
    const normalized = normalizeTitle(title);
    const session = await this.current();
    if (session === null) {
      this.#newTitle = normalized;
      return;
    }
    await this.store.renameSession(session.id, normalized);
    this.#current = { ...session, title: normalized };
  }

  /** The model for the next turns. */
  useModel(model: string): void {
    if (model.trim() === "") throw new ChatModeError("a model name is needed: /model NAME");
    this.#flags.model = model.trim();
  }

  /** The provider for the next turns (its configured model, unless a model was chosen); its key is checked now. */
  useProvider(name: string): void {
    this.#provider = this.#built(name);
    this.#flags.provider = this.#provider.name;
  }

  /** The system prompt of the new session the next turn starts; a stored session keeps its own. */
  async useSystemPrompt(prompt: string): Promise<void> {
    if ((await this.current()) !== null) {
      throw new ChatModeError("a stored session keeps its system prompt; /new starts a session that can have another");
    }
    this.#newSystemPrompt = prompt.trim() === "" ? undefined : prompt;
  }

  /** The user's own earlier questions, newest first, each once: chat mode's history. */
  async questions(limit: number): Promise<string[]> {
    // Read a few more than asked: the same question asked again is shown once.
    const seen = new Set<string>();
    for (const question of await this.store.recentQuestions(limit * 2)) {
      if (seen.size === limit) break;
      seen.add(question);
    }
    return [...seen];
  }

  /**
   * Asks the last question of the session in use again. The session keeps the reply it had: the
   * chat goes on in a fork of it ({@link SessionStore.forkSession}) that holds the conversation
   * up to that question, where the question is asked again. Returns the new reply, the session
   * that keeps the old one, and the fork (its record names that session).
   *
   * @throws {ChatModeError} when there is no question to ask again yet.
   */
  async retry(request: Omit<SendRequest, "message" | "title">): Promise<{ result: ExchangeResult; kept: Session; fork: Session }> {
    const kept = await this.current();
    const messages = kept === null ? [] : await this.store.getMessages(kept.id);
    const last = messages.findLastIndex((m) => m.role === "user");
    if (kept === null || last === -1) throw new ChatModeError("there is no question to ask again yet");
    // Messages are only ever appended: the first `last` are the same whatever was added since.
    // A titled session's retry is titled after it (and so, like it, never cleaned up); an
    // untitled one's stays untitled, as a new session would be.
    const title = kept.title === null ? null : `${kept.title} (retry)`;
    // Asked again with the files it carried, read back from the store. What would refuse it
    // (images a provider takes none of, a local model that cannot load) does so before the fork
    // is made: a refused retry leaves no empty fork behind.
    const [question] = await withFileData(this.store, [messages[last]!]);
    const provider = this.#provider ?? this.#built(chooseProvider(this.#config, this.#flags, kept));
    const images = imagesOf(question!.attachments ?? []);
    if (images.length > 0 && !provider.acceptsImages) throw imagesRefused(provider.name, images);
    await provider.prepare?.(request.signal);
    const fork = await this.store.forkSession(kept.id, { at: last, title }, { signal: request.signal });
    this.#current = fork;
    const result = await this.send({ ...request, message: question!.content, attachments: question!.attachments ?? [] });
    return { result, kept, fork };
  }

  /**
   * Continues in a fork of the session in use: a new session holding its first `at` messages
   * (all by default), the session itself kept as it is. Returns the fork.
   *
   * @throws {ChatModeError} when there is no stored session to fork yet.
   * @throws {StorageError} `invalid_data` when `at` is beyond the session's end.
   */
  async fork(at?: number): Promise<{ fork: Session; from: Session }> {
    const from = await this.current();
    if (from === null) throw new ChatModeError("there is no session to fork yet: send a message first");
    const fork = await this.store.forkSession(from.id, { at });
    this.#current = fork;
    return { fork, from };
  }

  /**
   * After the reply is out and stored: reclaims, for a short while, the rows of sessions a
   * cleanup deleted (the automatic cleanup only hides them, so the reply never waits for that
   * work). `signal` stops it between two short batches; what is left waits for a later run.
   * Null when it did not run (a shared database).
   */
  purgeAfterReply(signal: AbortSignal): Promise<PurgeProgress | null> {
    return purgeAfterReply(this.store, signal);
  }

  /** The `[session]` limits the automatic cleanup applies, and the file they are set in: what its notice names. */
  get cleanupSettings(): { maxSessions: number; retentionDays: number; configPath: string } {
    return { maxSessions: this.#config.session.maxSessions, retentionDays: this.#config.session.retentionDays, configPath: this.#config.configPath };
  }

  /** Every provider the configuration knows, echo last: what `-p` and `/provider` take. */
  providerNames(): string[] {
    return [...Object.keys(this.#config.providers), "echo"];
  }

  /** The top-level `render` and `quiet` settings of the configuration this chat was opened with. */
  get display(): DisplaySettings {
    return this.#config.display;
  }

  /**
   * The tools the model may be offered, starting the servers if no turn has yet (`/tools`);
   * each with whether it runs without asking. Empty when none is configured.
   */
  async tools(prompts: ToolPrompts, signal: AbortSignal): Promise<{ tool: ToolInfo; runs: "read-only" | "allowed" | "asks" }[]> {
    if (!this.#tools.configured) return [];
    const toolbox = await this.#tools.toolbox(prompts, signal);
    return toolbox.tools.map((tool) => ({ tool, runs: tool.readOnly ? "read-only" : this.#tools.allows(tool) ? "allowed" : "asks" }));
  }

  /** Whether any MCP server is configured and enabled. */
  get toolsConfigured(): boolean {
    return this.#tools.configured;
  }

  /** The provider `name`, built at its first use. */
  #built(name: string): Provider {
    let provider = this.#providers.get(name);
    if (provider === undefined) {
      provider = createProvider(name, this.#config, this.#options.providerOptions);
      this.#providers.set(provider.name, provider);
    }
    return provider;
  }

  async close(): Promise<void> {
    await this.#tools.close();
    for (const provider of this.#providers.values()) await provider.close?.();
    await this.store.close();
  }
}

/** The session a choice names, or null for a new one. */
export async function sessionToContinue(store: SessionStore, choice: SessionChoice): Promise<Session | null> {
  if (choice.session !== undefined) return resolveSession(store, choice.session);
  if (choice.latest !== true) return null;
  const latest = await store.latestSession();
  if (latest === null) throw new SessionRefError("not_found", 'there is no session to continue yet; start one with: synapse "Hello"');
  return latest;
}
