import type { ArgsDef, CommandDef } from "citty";

/**
 * A citty command with examples for its `--help`; `variadic` commands take any number of
 * arguments (the words of a message, several sessions), the others exactly those they declare.
 */
export type SynapseCommand<T extends ArgsDef = ArgsDef> = CommandDef<T> & { examples?: readonly string[]; variadic?: boolean };

export function defineSynapseCommand<const T extends ArgsDef>(command: SynapseCommand<T>): SynapseCommand<T> {
  return command;
}
