import type { ArgsDef, CommandMeta, ParsedArgs } from "citty";

/** What a command's run is given: its arguments as readArgs (argv.ts) read them. */
export interface SynapseContext<T extends ArgsDef = ArgsDef> {
  args: ParsedArgs<T>;
  /** What a boolean flag was given after `=`: `--continue=Trip` → `{ continue: "Trip" }`. */
  inline: Readonly<Record<string, string>>;
  /** Every value each value flag was given, in order (`-f a.md -f b.png`). */
  repeated: Readonly<Record<string, readonly string[]>>;
  /** Whether `--` was given: what follows it is never a flag, nor a command typed wrong. */
  ended: boolean;
}

/**
 * A command in citty's shape, so citty renders its `--help`, with examples for that help;
 * `variadic` commands take any number of arguments (the words of a message, several sessions),
 * the others exactly those they declare. Synapse runs it itself (run.ts): argv is read once.
 */
export interface SynapseCommand<T extends ArgsDef = ArgsDef> {
  meta?: CommandMeta;
  args?: T;
  /** A group's commands, each loaded only when used. */
  subCommands?: Record<string, () => Promise<SynapseCommand<any>>>;
  /** Returns the exit code when it is not 0 for success (chat mode left by a signal: 130). */
  run?(context: SynapseContext<T>): Promise<void | number> | void | number;
  examples?: readonly string[];
  variadic?: boolean;
  /**
   * Boolean flags that also take a value after `=`, and what it names (`--continue=REF`: a
   * session), for `synapse completion`; other values are known from the args themselves.
   */
  inlineValues?: Readonly<Partial<Record<keyof T & string, "sessions">>>;
}

export function defineSynapseCommand<const T extends ArgsDef>(command: SynapseCommand<T>): SynapseCommand<T> {
  return command;
}
