/**
 * How a reply reaches stdout: byte for byte as stored when stdout is a pipe or a file; with its
 * control characters shown, not obeyed, on a terminal; rendered as Markdown on a terminal
 * (`render = "auto"`, the default), or anywhere with `render = "always"`. `--raw` or
 * `render = "never"` turns rendering off.
 */
import type { RenderMode } from "../config/schema.ts";
import { stdoutInfo, terminalSize } from "../tty.ts";
import { MarkdownStream } from "./markdown-stream.ts";
import { visible, visibleStream } from "./terminal-text.ts";

export interface ReplyOutput {
  /** What to write for the next piece of the reply. */
  push(text: string): string;
  /** What to write once the reply is over, or was stopped. */
  end(): string;
}

/** Whether replies are rendered: `--raw` and `never` say no, `always` yes, `auto` on a terminal. */
export function rendersMarkdown(mode: RenderMode, raw: boolean, env: Record<string, string | undefined> = process.env): boolean {
  if (raw || mode === "never") return false;
  return mode === "always" || (stdoutInfo.isTTY && env.TERM !== "dumb");
}

/** The options a rendering needs now: the window's width (or COLUMNS, or 80) and colours. */
export function renderTarget(env: Record<string, string | undefined> = process.env): { columns: () => number; rows: (() => number) | null; colors: boolean } {
  const fallback = Number.parseInt(env.COLUMNS ?? "", 10);
  const columns = () => terminalSize(1)?.columns ?? (fallback > 0 ? fallback : 80);
  // NO_COLOR (any value, no-color.org) drops colour, not the layout.
  const colors = !env.NO_COLOR && env.TERM !== "dumb";
  return { columns, rows: stdoutInfo.isTTY ? () => terminalSize(1)?.rows ?? 24 : null, colors };
}

export function replyOutput(mode: RenderMode, raw: boolean): ReplyOutput {
  if (rendersMarkdown(mode, raw)) return new MarkdownStream(renderTarget());
  if (stdoutInfo.isTTY) return visibleStream();
  return { push: (text) => text, end: () => "" };
}

/**
 * A whole stored reply for `sessions show`, ending with a newline: rendered, shown safely, or
 * as stored.
 */
export function messageOutput(mode: RenderMode, raw: boolean): (text: string) => string {
  if (rendersMarkdown(mode, raw)) {
    const target = renderTarget();
    // Not live: the message is whole, so nothing is shown before it is rendered.
    return (text) => {
      const stream = new MarkdownStream({ ...target, rows: null });
      const out = stream.push(text) + stream.end();
      return out === "" ? "\n" : out;
    };
  }
  const shown = stdoutInfo.isTTY ? visible : (text: string) => text;
  return (text) => `${shown(text)}\n`;
}
