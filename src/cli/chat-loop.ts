/**
 * `synapse chat`: the conversation kept open at a terminal. Each line typed is a turn through
 * the same exchange as the one-shot path (the question stored before the provider is called,
 * the reply when complete); lines starting with `/` are commands. The history Up recalls is the
 * user's own questions, read from the store, so no second file holds conversation text.
 */
import { readdirSync, type Dirent } from "node:fs";
import { Chat } from "../chat/chat.ts";
import { ExchangeInterrupted } from "../chat/errors.ts";
import type { Session } from "../session.ts";
import { shortIdOf } from "../sessions/refs.ts";
import { log } from "../log.ts";
import { colorEnabled, styleFor } from "../style.ts";
import { stdinInfo, stdoutInfo, terminalSize } from "../tty.ts";
import { messageFor } from "./errors.ts";
import { UsageError } from "./errors.ts";
import { composeInEditor } from "./editor.ts";
import { fitWidth } from "./fit-width.ts";
import { printSessionPages, printSessionTable } from "./format.ts";
import { readLine, type LineResult } from "./line-editor.ts";
import { messageOutput } from "./reply-output.ts";
import { stdoutSettled, writeOut } from "./stdout.ts";
import { TerminalInput } from "./terminal-input.ts";
import { oneLine } from "./terminal-text.ts";
import { describeBytes } from "../byte-size.ts";
import { expandHome } from "../paths.ts";
import { TurnOutput } from "./turn-output.ts";
import type { ToolPrompts } from "../chat/chat-tools.ts";

export interface ChatLoopArgs {
  session: string | undefined;
  continueLatest: boolean;
  title: string | undefined;
  provider: string | undefined;
  model: string | undefined;
  system: string | undefined;
  /** `--raw`: replies as their Markdown source, never rendered. */
  raw: boolean;
  /** `-f`: files for the first message, read and checked before the store is opened. */
  files?: readonly string[];
  /** `--allow-tools`: every tool runs without asking. */
  allowTools?: boolean;
}

/** How many earlier questions Up can recall. */
const historySize = 500;

/** Each command with the one line `/help` shows for it. */
const commands: readonly (readonly [name: string, usage: string, help: string])[] = [
  ["/help", "/help", "these commands"],
  ["/new", "/new", "start a new session (the one in use stays stored)"],
  ["/sessions", "/sessions", "the most recent sessions"],
  ["/switch", "/switch REF", "continue another session: its id, a unique start of it, or its title"],
  ["/title", "/title TEXT", 'title the session ("/title" alone clears it)'],
  ["/model", "/model NAME", "the model for the next turns"],
  ["/provider", "/provider NAME", "the provider for the next turns (synapse models lists them)"],
  ["/system", "/system TEXT", "the system prompt of a new session, before its first turn"],
  ["/file", "/file PATH", 'send a file with the next message (text, or an image); "/file" alone lists those waiting'],
  ["/show", "/show", "the conversation so far"],
  ["/tools", "/tools", "the tools of your MCP servers the model may use, and which ask first"],
  ["/retry", "/retry", "ask the last question again, in a fork; the session keeps the reply it had"],
  ["/fork", "/fork [N]", "go on in a new session holding the first N messages (all by default); this one stays"],
  ["/edit", "/edit", "write the next message in $VISUAL / $EDITOR (also Ctrl+X Ctrl+E)"],
  ["/exit", "/exit", "leave (also Ctrl+D)"],
];

/** Exit code when a signal (SIGTERM, SIGHUP) ended the chat, as for the one-shot path. */
const signalExit = 130;

export async function runChatLoop(args: ChatLoopArgs): Promise<number> {
  if (!stdinInfo.isTTY) {
    throw new UsageError('synapse chat needs a terminal; for a script, send one message at a time: synapse -c "…" (or pipe it: … | synapse -c)');
  }
  const chat = await Chat.open({
    env: process.env,
    flags: { provider: args.provider, model: args.model, systemPrompt: args.system },
    session: args.session,
    latest: args.continueLatest,
    files: args.files,
    allowTools: args.allowTools,
  });
  if (chat.display.quiet) log.quiet = true;
  const loop = new ChatLoop(chat, args.raw);
  try {
    if (args.title !== undefined) await chat.rename(args.title);
    return await loop.run();
  } finally {
    await chat.close();
  }
}

class ChatLoop {
  readonly #chat: Chat;
  readonly #raw: boolean;
  readonly #style = styleFor(colorEnabled(stdoutInfo));
  #input: TerminalInput | null = null;
  #history: string[] = [];
  /** Sessions already announced: each is said once, on its first stored turn. */
  readonly #announced = new Set<string>();
  readonly #shortIds = new Map<string, string>();
  /** The turn streaming now: a signal stops it. */
  #turn: AbortController | null = null;
  #signalled = false;

  constructor(chat: Chat, raw: boolean) {
    this.#chat = chat;
    this.#raw = raw;
  }

  async run(): Promise<number> {
    const leave = () => {
      // As the one-shot path: the reply streaming is stopped and what arrived is kept.
      this.#signalled = true;
      this.#turn?.abort();
      this.#input?.end();
    };
    process.on("SIGTERM", leave);
    process.on("SIGHUP", leave);
    this.#history = await this.#chat.questions(historySize);
    const input = TerminalInput.open();
    this.#input = input;
    try {
      const { provider, model } = await this.#chat.next();
      await this.#note(`chat with ${provider}/${model} · /help for commands · Ctrl+D to leave`);
      if (this.#chat.files.length > 0) await this.#note(this.#pending());
      for (;;) {
        const line = await this.#read(await this.#prompt());
        if (line.kind === "eof") break;
        if (line.kind === "interrupt") {
          if (line.text === "") await this.#note("to leave, press Ctrl+D or type /exit");
          continue;
        }
        if (this.#signalled) break;
        const leaveNow = await this.#handle(line.text);
        if (leaveNow || this.#signalled) break;
      }
    } finally {
      await stdoutSettled();
      input.close();
      process.off("SIGTERM", leave);
      process.off("SIGHUP", leave);
    }
    await this.#sayHowToContinue();
    return this.#signalled ? signalExit : 0;
  }

  /** One line typed: a message, a `"""` block, or a command. True when the chat should end. */
  async #handle(text: string): Promise<boolean> {
    if (text.trim() === '"""') {
      const block = await this.#readBlock();
      if (block !== null && block.trim() !== "") await this.#ask(block);
      return false;
    }
    // `//text` sends `/text` as it is.
    if (text.startsWith("//")) {
      await this.#ask(text.slice(1));
      return false;
    }
    if (text.startsWith("/")) return this.#command(text);
    if (text.trim() !== "") await this.#ask(text);
    return false;
  }

  /** Lines up to the closing `"""`, as one message; null when the block was abandoned. */
  async #readBlock(): Promise<string | null> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.#read(this.#style.dim("... "));
      if (line.kind !== "line") return null;
      if (line.text.trim() === '"""') return lines.join("\n");
      lines.push(line.text);
    }
  }

  async #command(text: string): Promise<boolean> {
    const space = text.search(/\s/);
    const name = space === -1 ? text : text.slice(0, space);
    const rest = space === -1 ? "" : text.slice(space + 1).trim();
    try {
      switch (name) {
        case "/exit":
        case "/quit":
          return true;
        case "/help": {
          const width = terminalSize(1)?.columns ?? 80;
          const rows = [...commands.map(([, usage, help]) => [usage, help] as const), ["//text", 'sends "/text" as it is'] as const, ['"""', 'a message of several lines, up to the next """'] as const];
          this.#out(rows.map(([usage, help]) => `${fitWidth(`  ${usage.padEnd(16)} ${help}`, width)}\n`).join(""));
          return false;
        }
        case "/new":
          this.#chat.startNew();
          await this.#note("the next message starts a new session");
          return false;
        case "/sessions": {
          const sessions = await this.#chat.store.listSessions({ limit: 10 });
          if (sessions.length === 0) await this.#note("no sessions yet");
          else printSessionTable(sessions, new Map(await Promise.all(sessions.map(async (s) => [s.id, await this.#shortId(s.id)] as const))));
          return false;
        }
        case "/switch": {
          if (rest === "") throw new UsageError("/switch needs a session: its id, a unique start of it, or its title");
          const session = await this.#chat.switchTo(rest);
          this.#announced.add(session.id);
          await this.#note(`continuing session ${await this.#label(session)}`);
          return false;
        }
        case "/title":
          await this.#chat.rename(rest);
          await this.#note(rest === "" ? "title cleared" : `titled "${rest}"`);
          return false;
        case "/model":
          this.#chat.useModel(rest);
          await this.#note(`model: ${rest}`);
          return false;
        case "/provider": {
          if (rest === "") throw new UsageError(`/provider needs a name: ${this.#chat.providerNames().join(", ")}`);
          this.#chat.useProvider(rest);
          const { provider, model } = await this.#chat.next();
          await this.#note(`provider: ${provider}, model: ${model}`);
          return false;
        }
        case "/system":
          await this.#chat.useSystemPrompt(rest);
          await this.#note(rest === "" ? "no system prompt for the new session" : "system prompt set for the new session");
          return false;
        case "/file":
          if (rest !== "") {
            const file = await this.#chat.readFile(expandHome(unquoted(rest)));
            await this.#note(`${file.name} (${describeBytes(file.size)}, ${file.mediaType === "text/plain" ? "text" : file.mediaType.slice("image/".length).toUpperCase()}) added`);
          }
          await this.#note(this.#pending());
          return false;
        case "/show":
          await this.#show();
          return false;
        case "/tools":
          await this.#tools();
          return false;
        case "/retry":
          await this.#retry();
          return false;
        case "/fork":
          await this.#fork(rest);
          return false;
        case "/edit": {
          const text = await this.#edit("");
          if (text !== null) await this.#ask(text);
          return false;
        }
        default:
          await this.#note(`unknown command ${oneLine(name)}: /help lists them; to send a message starting with "/", begin it with "//"`);
          return false;
      }
    } catch (error) {
      await this.#fail(error);
      return false;
    }
  }

  /** One turn: the message stored, the reply streamed and stored; Ctrl+C stops the reply and keeps what came. */
  async #ask(message: string): Promise<void> {
    this.#remember(message);
    await this.#turnWith((signal, turn) => this.#chat.send({ message, signal, ...turn.callbacks, toolPrompts: this.#toolPrompts(turn, signal) }));
  }

  async #retry(): Promise<void> {
    // (Set in a callback, which the compiler cannot see: hence the assertion.)
    let kept = null as Session | null;
    await this.#turnWith(async (signal, turn) => {
      const result = await this.#chat.retry({ signal, ...turn.callbacks, toolPrompts: this.#toolPrompts(turn, signal) });
      kept = result.kept;
      return result.result;
    });
    if (kept !== null) await this.#note(`the earlier reply stays in session ${await this.#label(kept)}`);
  }

  async #fork(at: string): Promise<void> {
    if (at !== "" && !/^\d+$/.test(at)) throw new UsageError(`/fork takes the number of messages to keep (0 or more), not "${at}"`);
    const { fork, from } = await this.#chat.fork(at === "" ? undefined : Number(at));
    this.#announced.add(fork.id);
    const count = (await this.#chat.store.sessionOrigin(fork.id))?.at ?? 0;
    await this.#note(`continuing in session ${await this.#label(fork)}, a fork of ${await this.#label(from)} at message ${count}; that one stays as it was`);
  }

  async #turnWith(send: (signal: AbortSignal, turn: TurnOutput) => Promise<unknown>): Promise<void> {
    const controller = new AbortController();
    this.#turn = controller;
    const turn = new TurnOutput(this.#chat.display.render, this.#raw, this.#chat.cleanupSettings);
    let failure: unknown = null;
    try {
      await this.#input!.duringReply(
        () => controller.abort(),
        () => send(controller.signal, turn),
      );
    } catch (error) {
      failure = error;
    }
    this.#turn = null;
    turn.finish();
    // A failure is one line, and the chat goes on: the question is stored, the next turn can follow.
    if (failure instanceof ExchangeInterrupted) await this.#note(failure.message);
    else if (failure !== null) await this.#fail(failure);
    const started = turn.started;
    if (started !== null && !this.#announced.has(started.session.id)) {
      this.#announced.add(started.session.id);
      await this.#note(`session ${started.session.id} · stored as it goes`);
    }
  }

  /** How a turn's tool calls are asked about (a key, typed while the reply waits) and shown. */
  #toolPrompts(turn: TurnOutput, signal: AbortSignal): ToolPrompts {
    return turn.toolPrompts((question) => this.#input!.answer(question, signal));
  }

  /** `/tools`: each tool the model may use, its server, and whether it asks first. Starts the servers if no turn has. */
  async #tools(): Promise<void> {
    if (!this.#chat.toolsConfigured) {
      await this.#note("no MCP servers configured; add one under [mcp.servers.NAME] (synapse config edit), see the README's Tools section");
      return;
    }
    const controller = new AbortController();
    this.#turn = controller;
    try {
      const tools = await this.#input!.duringReply(
        () => controller.abort(),
        () => this.#chat.tools({ onWarning: (message) => log.warn(message) }, controller.signal),
      );
      if (tools.length === 0) {
        await this.#note("no tools: no MCP server started with one");
        return;
      }
      const width = terminalSize(1)?.columns ?? 80;
      // The names' column is as wide as the longest, but leaves room for how each runs, which a
      // narrow terminal must still show: a longer name is cut there.
      const nameWidth = Math.min(Math.max(...tools.map(({ tool }) => tool.name.length)), Math.max(10, width - 14));
      const name = (text: string) => fitWidth(text, nameWidth).padEnd(nameWidth);
      const rows = tools.map(({ tool, runs }) => fitWidth(`  ${name(tool.name)}  ${runs.padEnd(9)} ${oneLine(`${tool.server} · ${tool.description.split("\n", 1)[0] ?? ""}`)}`, width));
      this.#out(`${rows.join("\n")}\n`);
    } finally {
      this.#turn = null;
    }
  }

  async #show(): Promise<void> {
    const session = await this.#chat.current();
    if (session === null) {
      await this.#note("nothing said yet in this session");
      return;
    }
    const fresh = (await this.#chat.store.getSession(session.id)) ?? session;
    await printSessionPages(fresh, await this.#chat.store.messagePages(session.id), { json: false, reply: messageOutput(this.#chat.display.render, this.#raw) });
    await stdoutSettled();
  }

  async #read(prompt: string): Promise<LineResult> {
    await stdoutSettled();
    return readLine(prompt, {
      input: this.#input!,
      write: (text) => writeOut(text),
      columns: () => terminalSize(1)?.columns ?? 80,
      history: this.#history,
      complete: (line) => complete(line, this.#chat.providerNames()),
      edit: (line) => this.#edit(line),
    });
  }

  /** The message written in the user's editor; the terminal is theirs meanwhile. */
  async #edit(initial: string): Promise<string | null> {
    await stdoutSettled();
    this.#input!.suspend();
    try {
      const text = await composeInEditor(initial);
      if (text === null) await this.#note("the buffer was empty: nothing sent");
      return text;
    } catch (error) {
      await this.#fail(error);
      return null;
    } finally {
      this.#input!.resume();
    }
  }

  /** `title-or-short-id · model › `: where the next message goes, and with how many files (`· 2 files`). */
  async #prompt(): Promise<string> {
    const { session, model } = await this.#chat.next();
    const where = session === null ? "new" : await this.#label(session);
    const count = this.#chat.files.length;
    const files = count === 0 ? "" : ` · ${count} file${count === 1 ? "" : "s"}`;
    return `${this.#style.cyan(where)} ${this.#style.dim(`· ${model}${files}`)} ${this.#style.bold("›")} `;
  }

  /** What files the next message carries. */
  #pending(): string {
    const files = this.#chat.files;
    if (files.length === 0) return "no files waiting; /file PATH adds one to the next message";
    return `the next message goes with ${files.map((file) => oneLine(file.name)).join(", ")}`;
  }

  async #label(session: Session): Promise<string> {
    return session.title ?? (await this.#shortId(session.id));
  }

  async #shortId(id: string): Promise<string> {
    let short = this.#shortIds.get(id);
    if (short === undefined) {
      short = await shortIdOf(this.#chat.store, id).catch(() => id);
      this.#shortIds.set(id, short);
    }
    return short;
  }

  #remember(message: string): void {
    const at = this.#history.indexOf(message);
    if (at !== -1) this.#history.splice(at, 1);
    this.#history.unshift(message);
    if (this.#history.length > historySize) this.#history.length = historySize;
  }

  /** How to come back to the sessions this chat used, on leaving. */
  async #sayHowToContinue(): Promise<void> {
    const session = await this.#chat.current().catch(() => null);
    if (session === null) return;
    const short = await this.#shortId(session.id);
    await this.#note(`session ${session.id} · continue it with: synapse chat -s ${short}, or synapse -s ${short} "…"`);
  }

  #out(text: string): void {
    writeOut(text);
  }

  /** A note on stderr, after what stdout holds so far. */
  async #note(text: string): Promise<void> {
    await stdoutSettled();
    log.info(this.#style.dim(text));
  }

  async #fail(error: unknown): Promise<void> {
    await stdoutSettled();
    log.error(oneLine(messageFor(error)));
  }
}

/**
 * The paths `typed` could go on to: the entries of its folder (the current one when it names
 * none) that start with its last part, a folder with `/` after it; hidden ones only when a `.`
 * is typed. At most 200, sorted.
 */
export function pathsFrom(typed: string): string[] {
  const slash = typed.lastIndexOf("/");
  const folder = typed.slice(0, slash + 1);
  const start = typed.slice(slash + 1);
  let entries: Dirent[];
  try {
    entries = readdirSync(folder === "" ? "." : expandHome(folder), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.name.startsWith(start) && (start.startsWith(".") || !entry.name.startsWith(".")))
    .map((entry) => `${folder}${entry.name}${entry.isDirectory() ? "/" : ""}`)
    .sort()
    .slice(0, 200);
}

/** A path typed after /file, with quotes around it (a name with spaces) taken off. */
function unquoted(text: string): string {
  const match = /^(["'])(.*)\1$/.exec(text);
  return match ? match[2]! : text;
}

/** Tab: the commands a line starting with `/` could be, provider names after `/provider `, paths after `/file `. */
export function complete(line: string, providers: readonly string[]): string[] {
  if (line.startsWith("/file ")) return pathsFrom(line.slice("/file ".length)).map((path) => `/file ${path}`);
  if (line.startsWith("/provider ")) {
    const start = line.slice("/provider ".length);
    return providers.filter((name) => name.startsWith(start)).map((name) => `/provider ${name}`);
  }
  if (!line.startsWith("/") || /\s/.test(line)) return [];
  return commands.map(([name]) => name).filter((name) => name.startsWith(line)).map((name) => `${name} `);
}
