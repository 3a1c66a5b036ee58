/**
 * The command line, read once: {@link readArgv} splits argv into flags, words and what follows
 * `--`, and notes the flags every command shares; the command is then found among the words
 * ({@link firstWord}), and {@link readArgs} checks the arguments against that command and gives
 * their values. Nothing else looks at argv.
 */
import type { ArgsDef, ParsedArgs } from "citty";
import { UsageError } from "./errors.ts";

/** One argument as typed. `--title=Trip` is one flag that carries its value. */
export type Arg =
  | { kind: "flag"; text: string; flag: string; inline: string | undefined }
  | { kind: "word"; text: string }
  /** `--`: what follows is never a flag. */
  | { kind: "end"; text: string }
  | { kind: "operand"; text: string };

export interface Argv {
  readonly args: readonly Arg[];
  /** `--debug` anywhere before `--`. */
  readonly debug: boolean;
  /** `--quiet` or `-q` anywhere before `--`. */
  readonly quiet: boolean;
  /** `--help` or `-h` anywhere before `--`. */
  readonly help: boolean;
  /** `--version` or `-v` as the only argument: anywhere else it is an unknown option. */
  readonly version: boolean;
}

export function readArgv(argv: readonly string[]): Argv {
  const args: Arg[] = [];
  let ended = false;
  for (const text of argv) {
    if (ended) {
      args.push({ kind: "operand", text });
    } else if (text === "--") {
      ended = true;
      args.push({ kind: "end", text });
    } else if (text.startsWith("-") && text !== "-") {
      const eq = text.indexOf("=");
      args.push({ kind: "flag", text, flag: eq === -1 ? text : text.slice(0, eq), inline: eq === -1 ? undefined : text.slice(eq + 1) });
    } else {
      args.push({ kind: "word", text });
    }
  }
  // Taken as typed, wherever they stand: `synapse -s abcd --help` shows the help.
  const flags = new Set(args.flatMap((arg) => (arg.kind === "flag" ? [arg.text] : [])));
  return {
    args,
    debug: flags.has("--debug"),
    quiet: flags.has("--quiet") || flags.has("-q"),
    help: flags.has("--help") || flags.has("-h"),
    version: argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v"),
  };
}

/** Each flag and alias of a command (`--session`, `-s`) with its type. */
export function flagTable(args: ArgsDef): Map<string, string> {
  const table = new Map<string, string>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const type = def.type ?? "boolean";
    table.set(`--${name}`, type);
    for (const alias of aliasesOf(def)) table.set(alias.length === 1 ? `-${alias}` : `--${alias}`, type);
  }
  return table;
}

/**
 * Where the first word is (a command's name, or the first word of a message), skipping the
 * values of the flags `args` says take one; -1 when there is none before `--`. A flag it does
 * not know is taken to take no value.
 */
export function firstWord(line: readonly Arg[], args: ArgsDef): number {
  const flags = flagTable(args);
  for (let i = 0; i < line.length; i++) {
    const arg = line[i]!;
    if (arg.kind === "end" || arg.kind === "operand") return -1;
    if (arg.kind === "word") return i;
    if (arg.inline === undefined && (flags.get(arg.flag) ?? "boolean") !== "boolean") i += 1;
  }
  return -1;
}

export interface CommandArgs<T extends ArgsDef = ArgsDef> {
  /**
   * The values by name and by alias, the words in `_`: citty's shape, without its camelCase
   * copies of dashed names (read `args["new-id"]`, not `args.newId`).
   */
  values: ParsedArgs<T>;
  /** What a boolean flag was given after `=`, the first time: `--continue=Trip` → `{ continue: "Trip" }`. */
  inline: Readonly<Record<string, string>>;
  /**
   * Every value a value flag was given, in order, by name: `-f a.md -f b.png` → `{ file: ["a.md",
   * "b.png"] }`. `values` holds the last one, as for any flag given twice.
   */
  repeated: Readonly<Record<string, readonly string[]>>;
}

/**
 * Checks a command's arguments and reads their values. citty's parser takes any flag and any
 * number of arguments silently; Synapse refuses a flag it does not know, a value flag with no
 * value, and arguments a command does not take, so a typo never turns into a silently
 * different command.
 */
export function readArgs<T extends ArgsDef>(line: readonly Arg[], command: { args?: T | undefined; variadic?: boolean | undefined }, name: string): CommandArgs<T> {
  const defs = (command.args ?? {}) as ArgsDef;
  const flags = flagTable(defs);
  const names = new Map<string, string>();
  for (const [key, def] of Object.entries(defs)) {
    names.set(`--${key}`, key);
    for (const alias of aliasesOf(def)) names.set(alias.length === 1 ? `-${alias}` : `--${alias}`, key);
  }
  const words: string[] = [];
  const given = new Map<string, string | boolean>();
  const negated = new Set<string>();
  const inline: Record<string, string> = {};
  const repeated: Record<string, string[]> = {};
  for (let i = 0; i < line.length; i++) {
    const arg = line[i]!;
    if (arg.kind === "word" || arg.kind === "operand") {
      words.push(arg.text);
      continue;
    }
    if (arg.kind === "end") continue;
    const { flag } = arg;
    if (!flag.startsWith("--") && arg.inline !== undefined) {
      throw new UsageError(`write ${flag} VALUE (with a space), not ${flag}=VALUE`, name);
    }
    const negatedName = flag.startsWith("--no-") && flags.get(`--${flag.slice(5)}`) === "boolean" ? names.get(`--${flag.slice(5)}`) : undefined;
    const type = flags.get(flag) ?? (negatedName === undefined ? undefined : "boolean");
    if (type === undefined) throw new UsageError(`unknown option ${flag}`, name);
    const key = names.get(flag);
    if (key === undefined) {
      negated.add(negatedName!);
    } else if (type !== "boolean") {
      let value = arg.inline;
      if (value === undefined) {
        const next = line[i + 1];
        if (next === undefined || next.kind === "end") throw new UsageError(`${arg.text} needs a value`, name);
        value = next.text;
        i += 1;
      }
      given.set(key, value);
      (repeated[key] ??= []).push(value);
    } else {
      given.set(key, arg.inline === undefined || arg.inline !== "false");
      if (arg.inline !== undefined) inline[key] ??= arg.inline;
    }
  }
  const positionals = Object.values(defs).filter((def) => def.type === "positional").length;
  if (words.length > positionals && !command.variadic) {
    throw new UsageError(`too many arguments: ${name} takes ${positionals === 0 ? "none" : positionals === 1 ? "one" : positionals}`, name);
  }
  // As citty's parser had it: a --no-X wins over an X given anywhere.
  for (const key of negated) given.set(key, false);

  const values: Record<string, unknown> = { _: words };
  const unassigned = [...words];
  for (const [key, def] of Object.entries(defs)) {
    let value: unknown;
    if (def.type === "positional") {
      value = unassigned.shift() ?? def.default;
      if (value === undefined && def.required !== false) throw new UsageError(`missing required argument ${key.toUpperCase()}`, name);
    } else {
      value = given.get(key) ?? def.default;
      if (def.type === "enum" && value !== undefined && def.options !== undefined && def.options.length > 0 && !def.options.includes(value as string)) {
        throw new UsageError(`--${key} must be one of ${def.options.join(", ")}, not ${JSON.stringify(String(value))}`, name);
      }
      if (def.required && value === undefined) throw new UsageError(`missing required option --${key}`, name);
    }
    if (value === undefined) continue;
    values[key] = value;
    for (const alias of aliasesOf(def)) values[alias] = value;
  }
  return { values: values as ParsedArgs<T>, inline, repeated };
}

/** A flag's aliases as declared (`s`, not `-s`). */
export function aliasesOf(def: ArgsDef[string]): string[] {
  if (!("alias" in def) || def.alias === undefined) return [];
  return Array.isArray(def.alias) ? def.alias : [def.alias];
}
