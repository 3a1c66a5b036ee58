import type { ArgsDef } from "citty";
import { UsageError } from "./errors.ts";

export const debugArg = {
  debug: { type: "boolean", description: "Print stack traces and debug details on stderr" },
} as const satisfies ArgsDef;

export const quietArg = {
  quiet: { type: "boolean", alias: "q", description: "No notes on stderr (the new-session line, hints); warnings and errors still print" },
} as const satisfies ArgsDef;

/** For commands that show a reply: its Markdown source, not rendered. */
export const rawArg = {
  raw: { type: "boolean", alias: "r", description: "Print replies as their Markdown source, not rendered for the terminal" },
} as const satisfies ArgsDef;

/** Which provider and model: the same flags for a message and for chat mode. */
export const providerArgs = {
  provider: { type: "string", alias: "p", valueHint: "name", description: "A provider: anthropic, openai, deepseek, a preset (ollama, groq…), your own, or echo (offline); synapse models lists them" },
  model: { type: "string", alias: "m", valueHint: "model", description: "The model, e.g. gpt-4o-mini; an alias or PROVIDER:MODEL picks the provider too" },
} as const satisfies ArgsDef;

/** Files sent with a message (repeatable): the same flag for a message and for chat mode. */
export const fileArg = {
  file: {
    type: "string",
    alias: "f",
    valueHint: "file",
    description: "Send a file with the message (repeat for more): UTF-8 text, or a PNG, JPEG, WebP or GIF image for a provider that takes images",
  },
} as const satisfies ArgsDef;

/** Tools of `[mcp.servers.NAME]` the model may run: the same flag for a message and for chat mode. */
export const allowToolsArg = {
  "allow-tools": {
    type: "boolean",
    description: "Let the model run every tool of your MCP servers without asking (read-only ones never ask; see [mcp] allow)",
  },
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
