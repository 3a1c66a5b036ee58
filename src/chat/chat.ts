/**
 * A chat from the configuration to the stored reply, in the order that keeps its promises: the
 * provider and its key are checked before the store is opened, the session to continue is read
 * once, the provider and model are chosen once, then the exchange runs on that session. What a
 * person sees of it goes through the callbacks of {@link ExchangeOutput}.
 */
import { loadConfig, type ConfigFlags } from "../config/load.ts";
import type { DisplaySettings, ResolvedConfig } from "../config/schema.ts";
import type { Provider } from "../providers/types.ts";
import type { Session } from "../session.ts";
import { purgeAfterReply } from "../sessions/cleanup.ts";
import { resolveSession, SessionRefError } from "../sessions/refs.ts";
import { createStorage } from "../storage/create-storage.ts";
import type { PurgeProgress, SessionStore } from "../storage/session-store.ts";
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
}

export interface SendRequest extends ExchangeOutput {
  message: string;
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
  /** Built before the store was opened, when the provider did not depend on a stored session. */
  readonly #provider: Provider | null;

  private constructor(
    /** Open until {@link close}: the announce line's short id is read from it. */
    readonly store: SessionStore,
    config: ResolvedConfig,
    options: ChatOptions,
    provider: Provider | null,
  ) {
    this.#config = config;
    this.#options = options;
    this.#provider = provider;
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
    const store = await createStorage(config.session.databaseUrl);
    return new Chat(store, config, options, provider);
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
    const flags = this.#options.flags ?? {};
    const session = await sessionToContinue(this.store, this.#options);
    const provider = this.#provider ?? createProvider(chooseProvider(config, flags, session), config, this.#options.providerOptions);
    return runExchange({
      ...request,
      store: this.store,
      session,
      provider,
      model: chooseModel(config, flags, provider, session),
      systemPrompt: config.systemPrompt,
      settings: config.session,
    });
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

  /** The top-level `render` and `quiet` settings of the configuration this chat was opened with. */
  get display(): DisplaySettings {
    return this.#config.display;
  }

  close(): Promise<void> {
    return this.store.close();
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
