/**
 * From argv to an exit code: reads argv once (argv.ts), picks the command (`synapse [message]`
 * or `synapse sessions …`), answers --help and --version, runs the command with its arguments
 * checked and read, and turns any error into one line on stderr and a documented exit code.
 * The only place that decides exit codes.
 */
import type { CommandDef } from "citty";
import { log } from "../log.ts";
import { colorEnabled } from "../style.ts";
import { stdoutInfo, terminalSize } from "../tty.ts";
import { outputWritten, writeOut } from "./stdout.ts";
import { printVersion } from "./version.ts";
import { firstWord, readArgs, readArgv, type Arg, type Argv } from "./argv.ts";
import { oneLine } from "./terminal-text.ts";
import type { SynapseCommand } from "./command.ts";
import { hiddenCommands } from "./commands/hidden.ts";
import { chatCommand, groups } from "./commands/index.ts";
import { exitCodeFor, messageFor, UsageError } from "./errors.ts";

interface Resolved {
  command: SynapseCommand;
  parent: SynapseCommand | undefined;
  /** The arguments left for the command once its name is taken out. */
  args: Arg[];
  /** What --help renders: the command itself, or the group with its sub-commands. */
  helpFor: SynapseCommand;
  /** Whether the words are a message for the model (`synapse [message]`), not a command's arguments. */
  message: boolean;
}

export function run(argv: string[]): Promise<number> {
  return runLine(readArgv(argv));
}

/** {@link run}, for an argv already read (main.ts reads it to answer --version early). */
export async function runLine(line: Argv): Promise<number> {
  if (line.debug) log.level = 4;
  if (line.quiet) log.quiet = true;
  try {
    if (line.version) return await printVersion();
    // `synapse help [command]` is `synapse [command] --help` (`synapse help me …` is a message).
    if (await asksForHelp(line.args)) return runLine({ ...line, args: without(line.args, firstWord(line.args, {})), help: true });
    const resolved = await resolve(line.args);
    if (line.help) {
      writeOut(await help(resolved.helpFor, resolved.parent));
      return await outputWritten();
    }
    const { command } = resolved;
    const name = commandName(command, resolved.parent);
    if (command.run === undefined) {
      throw new UsageError(`${name} needs a command: ${Object.keys(command.subCommands ?? {}).join(", ")}`, name);
    }
    const { values, inline, repeated } = readArgs(resolved.args, command, name);
    const ended = resolved.args.some((arg) => arg.kind === "end");
    // `synapse list`, `synapse sesions list`: a command typed wrong is not a paid prompt.
    if (resolved.message && !ended) await refuseAccidentalCommand(values._);
    const code = await command.run({ args: values, inline, repeated, ended });
    const written = await outputWritten();
    return typeof code === "number" ? code : written;
  } catch (error) {
    return failed(error, line.debug);
  }
}

/** An error as the user reads it: one line on stderr (the stack too, with --debug); its exit code. */
export function failed(error: unknown, debug: boolean): number {
  // An error can quote what was typed, stored text (a title) or a server's answer: it stays one
  // line, on a terminal or not, and never drives the terminal.
  log.error(oneLine(messageFor(error)));
  if (debug && error instanceof Error) log.debug(error.stack ?? error.message, ...(error.cause ? ["\ncaused by:", error.cause] : []));
  return exitCodeFor(error);
}

/** `synapse sessions list …` → the list command; anything else is a message for the model. */
async function resolve(line: readonly Arg[]): Promise<Resolved> {
  const chat = await chatCommand();
  const first = firstWord(line, chat.args ?? {});
  const word = first === -1 ? undefined : line[first]!.text;
  const group = word === undefined ? undefined : (own(groups, word) ?? own(hiddenCommands, word));
  if (group === undefined) {
    return { command: chat, parent: undefined, args: [...line], helpFor: { ...chat, subCommands: groups }, message: true };
  }
  const parent = await group();
  const rest = without(line, first);
  // A command of its own (`synapse chat`), not a group: the rest are its arguments.
  if (parent.subCommands === undefined) return { command: parent, parent: undefined, args: rest, helpFor: parent, message: false };
  const subCommands = parent.subCommands;
  // Which sub-command is the first word, whatever the flags before it.
  const index = firstWord(rest, {});
  if (index === -1) return { command: parent, parent: undefined, args: rest, helpFor: parent, message: false };
  const load = own(subCommands, rest[index]!.text);
  if (load === undefined) {
    throw new UsageError(`unknown command "${line[first]!.text} ${rest[index]!.text}" (commands: ${Object.keys(subCommands).join(", ")})`, commandName(parent));
  }
  const command = await load();
  return { command, parent, args: without(rest, index), helpFor: command, message: false };
}

/** A message that reads like a command typed wrong: a usage error that says what it probably meant. */
async function refuseAccidentalCommand(words: readonly string[]): Promise<void> {
  const { accidentalCommand } = await import("./accidental-command.ts");
  const sessions = (await groups.sessions!()).subCommands ?? {};
  const meant = accidentalCommand(words, { commands: Object.keys(groups), sessionCommands: Object.keys(sessions) });
  if (meant === null) return;
  const said = words.join(" ");
  throw new UsageError(`did you mean "synapse ${meant}"? nothing was sent; to send "${said}" to the model as it is, write: synapse -- ${said}`);
}

/** `help`, alone or followed by command names only, before any `--`. */
async function asksForHelp(line: readonly Arg[]): Promise<boolean> {
  const first = firstWord(line, {});
  if (first === -1 || line[first]!.text !== "help" || line.some((arg) => arg.kind === "end" || arg.kind === "operand")) return false;
  const rest = line.slice(first + 1).filter((arg) => arg.kind === "word").map((arg) => arg.text);
  if (rest.length === 0) return true;
  const group = own(groups, rest[0]!);
  if (group === undefined) return false;
  const subCommands = (await group()).subCommands ?? {};
  return rest.length === 1 || (rest.length === 2 && rest[1]! in subCommands);
}

/** `record[key]` when the record itself has it: `constructor` or `toString` is a message's first word, not Object's. */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function without(line: readonly Arg[], index: number): Arg[] {
  return [...line.slice(0, index), ...line.slice(index + 1)];
}

function commandName(command: SynapseCommand, parent?: SynapseCommand): string {
  const own = (command.meta as { name?: string } | undefined)?.name ?? "";
  const above = (parent?.meta as { name?: string } | undefined)?.name;
  return above ? `${above} ${own}` : own;
}

async function help(command: SynapseCommand, parent: SynapseCommand | undefined): Promise<string> {
  // Loaded for --help alone: no other path uses citty's code, only its types.
  const { renderUsage } = await import("citty");
  const rendered = await renderUsage(command as unknown as CommandDef, parent as unknown as CommandDef | undefined);
  const usage = colorEnabled(stdoutInfo) ? rendered : Bun.stripANSI(rendered);
  const examples = command.examples ?? [];
  const size = terminalSize(1);
  if (size === null) return `${usage}${examples.length ? `\n\nEXAMPLES\n\n${examples.map((e) => `  ${e}`).join("\n")}` : ""}\n`;
  // On a terminal, every line within its width.
  const { fitExample, fitUsage } = await import("./help-layout.ts");
  return `${fitUsage(usage, size.columns)}${examples.length ? `\n\nEXAMPLES\n\n${examples.map((e) => fitExample(e, size.columns)).join("\n")}` : ""}\n`;
}
