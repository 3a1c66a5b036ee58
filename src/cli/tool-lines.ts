/**
 * The lines a tool loop prints on stderr, for a person: each call as the model makes it
 * (`→ echo {"message":"ping"}`), what it returned (`← Echo: ping`) or why it did not run
 * (`✗ write_file: …`), and the question asked before a tool that is not read-only runs. Every
 * piece of them came from a model or a tool server: control characters are shown, never obeyed.
 */
import type { ToolAnswer } from "../chat/chat-tools.ts";
import type { ToolOutcome } from "../chat/exchange.ts";
import type { ToolCall } from "../session.ts";
import type { ToolInfo } from "../tools/index.ts";
import { fitWidth } from "./fit-width.ts";
import { visible } from "./terminal-text.ts";

/** One line of at most `columns` (null: no limit), control characters shown, newlines folded. */
function oneLine(text: string, columns: number | null): string {
  const line = visible(text.replace(/\s*\n\s*/g, " ⏎ "));
  return columns === null ? line : fitWidth(line, columns);
}

/** `→ echo {"message":"ping"}`: a call as the model made it. */
export function toolCallLine(call: ToolCall, columns: number | null): string {
  return oneLine(`→ ${call.name} ${JSON.stringify(call.arguments)}`, columns);
}

/** `← Echo: ping` for what a tool returned; `✗ echo: …` for an error or a refusal. */
export function toolResultLine(call: ToolCall, outcome: ToolOutcome, columns: number | null): string {
  const text = outcome.text.trim() === "" ? "(nothing)" : outcome.text.trim();
  return oneLine(outcome.isError ? `✗ ${call.name}: ${text}` : `← ${text}`, columns);
}

/** The question asked before a tool that is not read-only runs. */
export function toolQuestion(call: ToolCall, tool: ToolInfo, columns: number | null): string {
  // On a narrow terminal the choices are said short, so the question stays on one line.
  const choices = columns !== null && columns < 70 ? "[y/n/a]: " : "[y]es, [n]o, [a]lways in this session: ";
  const what = oneLine(`run ${tool.server}.${tool.tool} ${JSON.stringify(call.arguments)}`, columns === null ? null : Math.max(12, columns - choices.length - 3));
  return `${what}? ${choices}`;
}

/** An answer typed to {@link toolQuestion}: y, yes, n, no, a, always (any case); null for anything else. */
export function toolAnswerOf(text: string): ToolAnswer | null {
  const answer = text.trim().toLowerCase();
  if (answer === "y" || answer === "yes") return "yes";
  if (answer === "n" || answer === "no") return "no";
  if (answer === "a" || answer === "always") return "always";
  return null;
}
