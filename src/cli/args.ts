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

/** `30d`, `12h`, `2w` → milliseconds; a UsageError for anything else. */
export function parseDuration(value: string, command: string): number {
  const match = /^(\d+)([hdw])$/.exec(value.trim());
  if (!match || Number(match[1]) === 0) {
    throw new UsageError(`"${value}" is not a duration; use a number and h, d or w, like 30d`, command);
  }
  return Number(match[1]) * durationUnits[match[2]!]!;
}

/**
 * citty accepts any flag silently; Synapse refuses one it does not know, and a value flag with
 * no value, so a typo never turns into a silently different command.
 */
export function checkFlags(rawArgs: readonly string[], args: ArgsDef, command: string): void {
  const known = new Map<string, string>();
  for (const [name, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    known.set(name, def.type ?? "boolean");
    const aliases = "alias" in def && def.alias !== undefined ? (Array.isArray(def.alias) ? def.alias : [def.alias]) : [];
    for (const alias of aliases) known.set(alias, def.type ?? "boolean");
  }
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") return;
    if (!arg.startsWith("-") || arg === "-") continue;
    const [flag, inlineValue] = splitFlag(arg);
    let type = known.get(flag);
    if (type === undefined && flag.startsWith("no-") && known.get(flag.slice(3)) === "boolean") type = "boolean";
    if (type === undefined) throw new UsageError(`unknown option ${arg.startsWith("--") ? "--" : "-"}${flag}`, command);
    if (type === "string" && inlineValue === undefined) {
      const next = rawArgs[i + 1];
      if (next === undefined || next === "--") throw new UsageError(`${arg} needs a value`, command);
      i += 1;
    }
  }
}

function splitFlag(arg: string): [string, string | undefined] {
  const body = arg.replace(/^--?/, "");
  const eq = body.indexOf("=");
  return eq === -1 ? [body, undefined] : [body.slice(0, eq), body.slice(eq + 1)];
}
