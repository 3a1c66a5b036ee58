import type { ArgsDef } from "citty";
import { UsageError } from "./errors.ts";

export const debugArg = {
  debug: { type: "boolean", description: "Print stack traces and debug details on stderr" },
} as const satisfies ArgsDef;

export const jsonArg = {
  json: { type: "boolean", description: "Print JSON on stdout, for scripts (shape in the README)" },
} as const satisfies ArgsDef;

export const sessionRefArg = {
  session: {
    type: "positional",
    description: "The session: its id, a unique start of it (at least 4 characters), or its exact title",
    required: true,
    valueHint: "id",
  },
} as const satisfies ArgsDef;

export const yesArg = {
  yes: { type: "boolean", alias: "y", description: "Do not ask for confirmation" },
} as const satisfies ArgsDef;

const durationUnits: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const maxDurationMs = 36_500 * 86_400_000;

/** `30d`, `12h`, `2w` → milliseconds, more than 0 and at most 100 years; a UsageError otherwise. */
export function parseDuration(value: string, command: string): number {
  const match = /^(\d{1,9})([hdw])$/.exec(value.trim());
  if (!match) throw new UsageError(`"${value}" is not a duration; use a number and h, d or w, like 30d`, command);
  const ms = Number(match[1]) * durationUnits[match[2]!]!;
  if (ms === 0 || ms > maxDurationMs) throw new UsageError(`"${value}" must be more than 0 and at most 100 years`, command);
  return ms;
}

/** A `--limit` value: a whole number from 1 to 1,000,000; a UsageError otherwise. */
export function parseCount(value: string, command: string): number {
  const count = Number(value);
  if (!/^\d{1,7}$/.test(value) || count < 1 || count > 1_000_000) {
    throw new UsageError(`--limit takes a whole number from 1 to 1000000, not "${value}"`, command);
  }
  return count;
}

/** Each flag and alias of a command (`--session`, `-s`) with its type. */
export function flagTable(args: ArgsDef): Map<string, string> {
  const table = new Map<string, string>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const type = def.type ?? "boolean";
    table.set(`--${name}`, type);
    const aliases = "alias" in def && def.alias !== undefined ? (Array.isArray(def.alias) ? def.alias : [def.alias]) : [];
    for (const alias of aliases) table.set(alias.length === 1 ? `-${alias}` : `--${alias}`, type);
  }
  return table;
}

/**
 * citty accepts any flag and any number of arguments silently; Synapse refuses a flag it does
 * not know, a value flag with no value, and arguments a command does not take, so a typo never
 * turns into a silently different command.
 */
export function checkArgs(rawArgs: readonly string[], command: { args?: unknown; variadic?: boolean }, name: string): void {
  const args = (command.args ?? {}) as ArgsDef;
  const flags = flagTable(args);
  const positionals = Object.values(args).filter((def) => def.type === "positional").length;
  let given = 0;
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") {
      given += rawArgs.length - i - 1;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      given += 1;
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!flag.startsWith("--") && eq !== -1) {
      throw new UsageError(`write ${flag} VALUE (with a space), not ${flag}=VALUE`, name);
    }
    let type = flags.get(flag);
    if (type === undefined && flag.startsWith("--no-") && flags.get(`--${flag.slice(5)}`) === "boolean") type = "boolean";
    if (type === undefined) throw new UsageError(`unknown option ${flag}`, name);
    if (type !== "boolean" && eq === -1) {
      const next = rawArgs[i + 1];
      if (next === undefined || next === "--") throw new UsageError(`${arg} needs a value`, name);
      i += 1;
    }
  }
  if (given > positionals && !command.variadic) {
    throw new UsageError(`too many arguments: ${name} takes ${positionals === 0 ? "none" : positionals === 1 ? "one" : positionals}`, name);
  }
}
