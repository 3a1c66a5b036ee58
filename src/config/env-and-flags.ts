/**
 * Values from the environment and the command line. An empty environment variable means unset;
 * an empty flag is a mistake. Names (a model, a provider) must fit on one line either way.
 */
import { hasControls, plainName } from "../plain-text.ts";
import { ConfigError } from "./errors.ts";

export type Env = Record<string, string | undefined>;

/** A name from the environment: like a flag's, it must fit on one line. */
export function envName(env: Env, name: string): string | undefined {
  const value = nonEmpty(env[name]);
  if (value !== undefined && hasControls(value)) throw new ConfigError("invalid", `${name} must be ${plainName}`, { key: name });
  return value;
}

/** An empty variable (`SYNAPSE_MODEL= synapse …`) or path counts as not set. */
export function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** Flags are explicit: an empty `--model ""` is a mistake, not "unset". */
export function flagValue(value: string | undefined, flag: string): string | undefined {
  if (value === "") throw new ConfigError("invalid", `${flag} needs a value`, { key: flag });
  if (value !== undefined && hasControls(value)) throw new ConfigError("invalid", `${flag} must be ${plainName}`, { key: flag });
  return value;
}
