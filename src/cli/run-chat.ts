/**
 * `synapse [message]` at the terminal: reads the message, opens the store, runs the cleanup,
 * streams the reply to stdout and says on stderr how to continue. Ctrl+C stops the reply and
 * keeps what arrived.
 */
import { runExchange } from "../chat/exchange.ts";
import { loadConfig } from "../config/load.ts";
import { log } from "../log.ts";
import type { Session } from "../session.ts";
import type { SessionStore } from "../storage/session-store.ts";
import { colorEnabled, styleFor } from "../style.ts";
import { parseSessionId } from "./args.ts";
import { UsageError } from "./errors.ts";
import { openStore } from "./open-store.ts";
import { startSpinner } from "./spinner.ts";
import { readMessage } from "./stdin.ts";

export interface ChatOptions {
  words: string[];
  session: string | undefined;
  provider: string | undefined;
  model: string | undefined;
  system: string | undefined;
}

export async function runChat(options: ChatOptions): Promise<void> {
  const sessionId = options.session === undefined ? undefined : parseSessionId(options.session, "synapse");
  if (sessionId !== undefined && options.system !== undefined) {
    throw new UsageError("--system sets the prompt of a new session; a continued session keeps its own");
  }
  const message = await readMessage(options.words, { isTTY: process.stdin.isTTY, text: () => Bun.stdin.text() });
  if (message === "") throw new UsageError('no message: give one as an argument (synapse "Hello") or pipe it in');

  const flags = { provider: options.provider, model: options.model };
  const config = loadConfig({ env: process.env, flags: { ...flags, systemPrompt: options.system } });
  const store = await openStore(config);
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once("SIGINT", onInterrupt);
  let stopSpinner = () => {};
  let started: { session: Session; isNew: boolean } | null = null;
  let ended = false;
  const endLine = (text: string) => {
    if (!ended) process.stdout.write(text.endsWith("\n") ? "" : "\n");
    ended = true;
  };
  let replied = "";
  try {
    await cleanUp(store, config.session, sessionId);
    await runExchange({
      store,
      config,
      flags,
      message,
      sessionId,
      signal: controller.signal,
      onSession(session, isNew) {
        started = { session, isNew };
        stopSpinner = startSpinner("waiting for the reply…");
      },
      onText(text) {
        stopSpinner();
        replied += text;
        process.stdout.write(text);
      },
    });
    stopSpinner();
    endLine(replied);
  } catch (error) {
    stopSpinner();
    if (replied !== "") endLine(replied);
    throw error;
  } finally {
    process.off("SIGINT", onInterrupt);
    await store.close();
    if (started !== null) announce(started);
  }
}

/** Old sessions go before a new one starts; the session being continued is never among them. */
async function cleanUp(store: SessionStore, config: Parameters<SessionStore["cleanup"]>[0], keep: string | undefined): Promise<void> {
  if (!config.autoCleanup) return;
  try {
    // A new session counts toward max_sessions too, so room is made for it.
    const result = await store.cleanup(config, keep === undefined ? { reserve: 1 } : { keep: [keep] });
    if (result.sessionsDeleted > 0) {
      log.debug(`cleanup removed ${result.sessionsDeleted} sessions (${result.byMaxLimit} over max_sessions, ${result.byRetention} past retention_days)`);
    }
  } catch (error) {
    // A cleanup that cannot run now must not stand between the user and their answer.
    log.warn(`old sessions were not cleaned up: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function announce({ session, isNew }: { session: Session; isNew: boolean }): void {
  if (!isNew) return;
  const style = styleFor(colorEnabled(process.stderr));
  log.info(style.dim(`session ${session.id} · continue it with: synapse -s ${session.id} "…"`));
}
