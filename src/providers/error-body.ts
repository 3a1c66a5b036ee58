/**
 * What a provider (or a proxy in front of it) said about a failure, read from the body of its
 * answer: the JSON error both wire formats send, a proxy's HTML page, or plain text. Only a
 * little of it ever reaches the user's one error line.
 */
import { isRecord } from "../unknown-values.ts";

/** What the provider said about a failure. */
export interface ErrorBody {
  type: string | undefined;
  code: string | undefined;
  message: string | undefined;
}

/** How much of a page title or plain-text body an error line shows. */
const MAX_SHOWN = 120;

/**
 * Both wire formats nest the details under `error`: `{error: {type, code?, message}}`. An HTML
 * page (a proxy's 502, a captive portal) gives its title at most: its markup, scripts and
 * styles are not a message. Other text is clipped to one short line.
 */
export function parseErrorBody(text: string, contentType = ""): ErrorBody {
  try {
    const json: unknown = JSON.parse(text);
    const error = isRecord(json) ? json.error : undefined;
    if (isRecord(error)) return errorBodyOf(error);
    // Servers that are not OpenAI's say it their own way: `{"error": "…"}` (Ollama, LM Studio),
    // `{"detail": …}` (FastAPI servers: llama-cpp-python, vLLM), `{"message": …}`.
    if (isRecord(json)) return { type: undefined, code: undefined, message: stringOr(error) ?? detailOf(json.detail) ?? stringOr(json.message) };
  } catch {
    // not JSON
  }
  if (isHtml(text, contentType)) return { type: undefined, code: undefined, message: pageTitle(text) };
  const flat = oneLine(text);
  return { type: undefined, code: undefined, message: flat === "" ? undefined : clipTo(flat, MAX_SHOWN) };
}

/** The `{type, code, message}` of an error object, in a body or in a stream's error event. */
export function errorBodyOf(error: unknown): ErrorBody {
  if (!isRecord(error)) return { type: undefined, code: undefined, message: stringOr(error) };
  return { type: stringOr(error.type), code: stringOr(error.code), message: stringOr(error.message) };
}

/**
 * Whether the provider says the conversation does not fit the model's context window: OpenAI's
 * (and llama-cpp-python's) `context_length_exceeded`, Anthropic's `invalid_request_error`
 * "prompt is too long: … tokens > … maximum", llama.cpp's `exceed_context_size_error`, and the
 * same words from proxies that rename the code (LiteLLM's `ContextWindowExceededError`).
 */
export function isContextOverflow(body: ErrorBody): boolean {
  if (body.code === "context_length_exceeded" || body.type === "exceed_context_size_error") return true;
  const message = body.message ?? "";
  if (body.type === "invalid_request_error" && /prompt is too long/i.test(message)) return true;
  return /context ?window ?exceeded/i.test(message) || (/context (length|window|size)/i.test(message) && /exceed|too long|maximum/i.test(message));
}

/** One line of at most `max` characters: server messages can be long, or span lines. */
export function clip(text: string, max = 300): string {
  return clipTo(text.replace(/\s+/g, " ").trim(), max);
}

/** Whether a body is an HTML page, by its content type or by how it starts. */
export function isHtml(text: string, contentType = ""): boolean {
  return /html/i.test(contentType) || /^\s*(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text);
}

/** The `<title>` of an HTML page, decoded and clipped to one short line; `undefined` without one. */
export function pageTitle(html: string): string | undefined {
  const match = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  if (match === null) return undefined;
  const title = oneLine(decodeEntities(match[1]!.replace(/<[^>]*>/g, "")));
  return title === "" ? undefined : clipTo(title, MAX_SHOWN);
}

const NAMED_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
  });
}

/** Whitespace and control characters folded into single spaces: a server's text is one line here. */
function oneLine(text: string): string {
  return text.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
}

function clipTo(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function stringOr(value: unknown): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

/** FastAPI's `detail`: a string, or a list of `{loc, msg}` validation errors. */
function detailOf(detail: unknown): string | undefined {
  if (typeof detail === "string") return detail;
  if (!Array.isArray(detail)) return undefined;
  const messages = detail.flatMap((item) => {
    if (!isRecord(item) || typeof item.msg !== "string") return [];
    const where = Array.isArray(item.loc) ? item.loc.filter((part) => part !== "body").join(".") : "";
    return [where === "" ? item.msg : `${where}: ${item.msg}`];
  });
  return messages.length === 0 ? undefined : messages.join("; ");
}
