import type { ArgsDef, CommandDef } from "citty";

/** A citty command with examples for its `--help`. */
export type SynapseCommand<T extends ArgsDef = ArgsDef> = CommandDef<T> & { examples?: readonly string[] };

export function defineSynapseCommand<const T extends ArgsDef>(command: SynapseCommand<T>): SynapseCommand<T> {
  return command;
}
