import type { ArgsDef } from "citty";
import { isUuid } from "../session.ts";
import { UsageError } from "./errors.ts";

export const debugArg = {
  debug: { type: "boolean", description: "Print stack traces and debug details on stderr" },
} as const satisfies ArgsDef;

export const jsonArg = {
  json: { type: "boolean", description: "Print JSON on stdout, for scripts (shape in the README)" },
} as const satisfies ArgsDef;

export const sessionIdArg = {
  id: { type: "positional", description: "The session's id, as `synapse sessions list` shows it", required: true, valueHint: "id" },
} as const satisfies ArgsDef;

/** A session id from the command line, lower case; a UsageError when it is not a UUID. */
export function parseSessionId(value: unknown, command: string): string {
  if (typeof value !== "string" || value === "") throw new UsageError("a session id is needed", command);
  if (!isUuid(value)) throw new UsageError(`"${value}" is not a session id (ids look like 0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20)`, command);
  return value.toLowerCase();
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
