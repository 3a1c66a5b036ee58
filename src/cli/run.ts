/**
 * From argv to an exit code: picks the command (`synapse [message]` or `synapse sessions …`),
 * answers --help and --version, refuses unknown flags, runs the command, and turns any error
 * into one line on stderr and a documented exit code. The only place that decides exit codes.
 */
import { renderUsage, runCommand, type ArgsDef, type CommandDef } from "citty";
import packageJson from "../../package.json" with { type: "json" };
import { log } from "../log.ts";
import { colorEnabled } from "../style.ts";
import { stdoutFailure, stdoutSettled, writeOut } from "./stdout.ts";
import { UserFacingError } from "../user-error.ts";
import { checkArgs, flagTable } from "./args.ts";
import { oneLine } from "./terminal-text.ts";
import type { SynapseCommand } from "./command.ts";
import { chatCommand, groups } from "./commands/index.ts";
import { exitCode, exitCodeFor, messageFor, UsageError } from "./errors.ts";

interface Resolved {
  command: SynapseCommand;
  parent: SynapseCommand | undefined;
  /** The arguments left for the command once its name is taken out. */
  rawArgs: string[];
  /** What --help renders: the command itself, or the group with its sub-commands. */
  helpFor: SynapseCommand;
}

export async function run(argv: string[]): Promise<number> {
  const options = argv.slice(0, endOfOptions(argv));
  const debug = options.includes("--debug");
  if (debug) log.level = 4;
  try {
    if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
      writeOut(`${packageJson.version}\n`);
      return await outputWritten();
    }
    const resolved = await resolve(argv);
    if (options.includes("--help") || options.includes("-h")) {
      writeOut(await help(resolved.helpFor, resolved.parent));
      return await outputWritten();
    }
    const name = commandName(resolved.command, resolved.parent);
    if (resolved.command.run === undefined) {
      throw new UsageError(`${name} needs a command: ${Object.keys(resolved.command.subCommands ?? {}).join(", ")}`, name);
    }
    checkArgs(resolved.rawArgs, resolved.command, name);
    try {
      await runCommand(withoutSubCommands(resolved.command), { rawArgs: resolved.rawArgs });
    } catch (error) {
      // citty's own complaints (a missing positional argument) are usage errors too.
      if (error instanceof Error && error.name === "CLIError") throw new UsageError(Bun.stripANSI(error.message), name);
      throw error;
    }
    return await outputWritten();
  } catch (error) {
    // An error can quote what was typed, stored text (a title) or a server's answer: it stays one
    // line, on a terminal or not, and never drives the terminal.
    log.error(oneLine(messageFor(error)));
    if (debug && error instanceof Error) log.debug(error.stack ?? error.message, ...(error.cause ? ["\ncaused by:", error.cause] : []));
    return exitCodeFor(error);
  }
}

/**
 * A command that did its work but whose output could not be written (a full disk) has failed:
 * `synapse sessions export … > file` must not look like it saved the file.
 */
async function outputWritten(): Promise<number> {
  await stdoutSettled();
  const failure = stdoutFailure();
  // Whatever the command stored (an import) is stored: only what it printed is lost.
  if (failure !== null) throw new UserFacingError(`could not write to stdout: ${failure}; the command's work is done, only its output was lost: free some space or send the output elsewhere, and run it again to see it`);
  return exitCode.ok;
}

/** `synapse sessions list …` → the list command; anything else is a message for the model. */
async function resolve(argv: string[]): Promise<Resolved> {
  const chat = await chatCommand();
  const first = firstPositional(argv, chat.args as ArgsDef);
  const group = first === -1 ? undefined : groups[argv[first]!];
  if (group === undefined) {
    return { command: chat, parent: undefined, rawArgs: argv, helpFor: { ...chat, subCommands: groups } };
  }
  const parent = await group();
  const rest = [...argv.slice(0, first), ...argv.slice(first + 1)];
  const subCommands = (parent.subCommands ?? {}) as Record<string, () => Promise<SynapseCommand>>;
  const index = firstPositional(rest, {});
  if (index === -1) return { command: parent, parent: undefined, rawArgs: rest, helpFor: parent };
  const load = subCommands[rest[index]!];
  if (load === undefined) {
    throw new UsageError(`unknown command "${argv[first]} ${rest[index]}" (commands: ${Object.keys(subCommands).join(", ")})`, commandName(parent));
  }
  const command = await load();
  return { command, parent, rawArgs: [...rest.slice(0, index), ...rest.slice(index + 1)], helpFor: command };
}

function firstPositional(argv: readonly string[], args: ArgsDef): number {
  const flags = flagTable(args);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return -1;
    if (arg.startsWith("-") && arg !== "-") {
      if (!arg.includes("=") && (flags.get(arg) ?? "boolean") !== "boolean") i += 1;
      continue;
    }
    return i;
  }
  return -1;
}

function endOfOptions(argv: readonly string[]): number {
  const end = argv.indexOf("--");
  return end === -1 ? argv.length : end;
}

function commandName(command: SynapseCommand, parent?: SynapseCommand): string {
  const own = (command.meta as { name?: string } | undefined)?.name ?? "";
  const above = (parent?.meta as { name?: string } | undefined)?.name;
  return above ? `${above} ${own}` : own;
}

/** A group's run would re-dispatch to its sub-commands; the dispatch is done here already. */
function withoutSubCommands(command: SynapseCommand): CommandDef {
  const { subCommands: _unused, examples: _examples, variadic: _variadic, ...rest } = command;
  return rest as CommandDef;
}

async function help(command: SynapseCommand, parent: SynapseCommand | undefined): Promise<string> {
  const usage = await renderUsage(command as CommandDef, parent as CommandDef | undefined);
  const examples = command.examples?.length ? `\n\nEXAMPLES\n\n${command.examples.map((e) => `  ${e}`).join("\n")}` : "";
  const text = `${usage}${examples}\n`;
  return colorEnabled(process.stdout) ? text : Bun.stripANSI(text);
}
