/**
 * A reply rendered as Markdown while it streams. The text is cut into blocks (paragraphs, lists,
 * tables, fenced code…) at blank lines outside code fences; each block is rendered by Bun's
 * Markdown renderer (`Bun.markdown.ansi`) once it is complete, and never touched again. On a
 * terminal, the block still arriving is shown as it arrives, unrendered, and replaced in place
 * once it is complete, so the first words appear as fast as raw text would.
 *
 * Where a block ends depends only on the text, never on how it was cut into pieces: a reply
 * rendered as it streams looks exactly as it does rendered at once.
 */
import { visible } from "./terminal-text.ts";

export interface MarkdownStreamOptions {
  /** The width to render to; asked at each block, so a resized window gets the new width. */
  columns: () => number;
  /**
   * The window's height, when output goes to a terminal where the arriving block is shown and
   * then replaced; null when it goes elsewhere (`render = "always"` into a pipe), where only
   * rendered blocks are written.
   */
  rows: (() => number) | null;
  /** Colour and styles; without them the layout stays (ASCII tables, rules, indents). */
  colors: boolean;
}

interface Fence {
  char: string;
  length: number;
}

const fenceOpen = /^ {0,3}(`{3,}|~{3,})/;

export class MarkdownStream {
  readonly #options: MarkdownStreamOptions;
  /** The text of the block still arriving (it may hold the start of the next, too). */
  #pending = "";
  /** How far into #pending whole lines were read. */
  #scanned = 0;
  #fence: Fence | null = null;
  #blankSeen = false;
  #blocksWritten = 0;
  /** What of #pending is on the screen, as it was shown (escapes visible, tabs expanded). */
  #shown = "";
  /** How much of #pending #shown stands for. */
  #shownUpTo = 0;
  /** Display width of #shown's last line, for tab stops and its rows. */
  #shownColumn = 0;
  /** Rows #shown's lines before the last take at `#measuredAt` columns: kept as it grows, not recounted. */
  #rowsAbove = 0;
  #measuredAt = 0;
  /** Set once the arriving block is as tall as the window allows: the rest waits for its rendering. */
  #holding = false;

  constructor(options: MarkdownStreamOptions) {
    this.#options = options;
  }

  /** Takes a piece of the reply; returns what to write to the terminal for it. */
  push(text: string): string {
    this.#pending += text;
    let out = "";
    for (let end = this.#nextBoundary(); end !== -1; end = this.#nextBoundary()) {
      out += this.#commit(this.#pending.slice(0, end));
      this.#pending = this.#pending.slice(end);
      this.#scanned = 0;
    }
    return out + this.#showArriving();
  }

  /** The reply is over (or was stopped): renders what is left. */
  end(): string {
    const rest = this.#pending;
    this.#pending = "";
    this.#scanned = 0;
    return rest.trim() === "" ? this.#eraseShown() : this.#commit(rest);
  }

  /**
   * Where the first complete block of #pending ends: at the start of a line that begins at the
   * margin after one or more blank lines, outside a code fence. A line indented after a blank
   * (a list item's second paragraph, indented code) belongs to the block above. -1 when no
   * block is complete yet. Reads each whole line once, and the line arriving only for its start.
   */
  #nextBoundary(): number {
    const text = this.#pending;
    for (;;) {
      const start = this.#scanned;
      if (start >= text.length) return -1;
      const newline = text.indexOf("\n", start);
      const line = newline === -1 ? text.slice(start) : text.slice(start, newline);
      const startsAtMargin = line.length > 0 && line[0] !== " " && line[0] !== "\t" && line.trim() !== "";
      if (this.#fence === null && this.#blankSeen && startsAtMargin) {
        this.#blankSeen = false;
        return start;
      }
      // The line arriving tells no more than that until it is whole.
      if (newline === -1) return -1;
      this.#scanned = newline + 1;
      this.#readLine(line);
    }
  }

  #readLine(line: string): void {
    if (this.#fence !== null) {
      const close = fenceOpen.exec(line);
      const marker = close?.[1];
      if (marker !== undefined && marker[0] === this.#fence.char && marker.length >= this.#fence.length && line.slice(close![0].length).trim() === "") {
        this.#fence = null;
      }
      return;
    }
    if (line.trim() === "") {
      this.#blankSeen = true;
      return;
    }
    this.#blankSeen = false;
    const open = fenceOpen.exec(line)?.[1];
    // A backtick fence's info string may not hold a backtick (CommonMark): such a line is text.
    if (open !== undefined && !(open[0] === "`" && line.slice(line.indexOf(open) + open.length).includes("`"))) {
      this.#fence = { char: open[0]!, length: open.length };
    }
  }

  /** The block, rendered, in place of its unrendered self. */
  #commit(block: string): string {
    const erase = this.#eraseShown();
    if (block.trim() === "") return erase;
    // One blank line between blocks, as the renderer puts between them in a whole document.
    const gap = this.#blocksWritten > 0 ? "\n" : "";
    this.#blocksWritten += 1;
    return `${erase}${gap}${this.#render(block)}`;
  }

  #render(block: string): string {
    // Stored text never drives the terminal: escapes and bidi controls are shown, not obeyed.
    const rendered = Bun.markdown.ansi(visible(block), { columns: Math.max(this.#options.columns(), 20), colors: this.#options.colors });
    return rendered.endsWith("\n") ? rendered : `${rendered}\n`;
  }

  /** Moves back to where the arriving block began on the screen and clears from there. */
  #eraseShown(): string {
    const shown = this.#shown;
    const up = shown === "" || this.#options.rows === null ? 0 : this.#shownRows(this.#options.columns()) - 1;
    this.#shown = "";
    this.#shownUpTo = 0;
    this.#shownColumn = 0;
    this.#rowsAbove = 0;
    this.#holding = false;
    if (shown === "" || this.#options.rows === null) return "";
    return `\r${up > 0 ? `\x1b[${up}A` : ""}\x1b[J`;
  }

  /** The new part of the arriving block, as it is, while it fits the window. */
  #showArriving(): string {
    if (this.#options.rows === null || this.#holding) return "";
    let text = this.#pending.slice(this.#shownUpTo);
    // A carriage return at the end may begin a CRLF: it is shown with what follows it.
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text === "") return "";
    const { shown, column } = expandTabs(visible(text), this.#shownColumn);
    const limit = Math.max(this.#options.rows() - 1, 1);
    const columns = this.#options.columns();
    this.#shownRows(columns);
    const above = this.#rowsAbove + rowsAdded(this.#shownColumn, shown, columns);
    if (above + lineRows(column, columns) > limit) {
      // Taller than the window, it could not be cleared once scrolled off: it waits to be rendered.
      this.#holding = true;
      return "";
    }
    this.#shown += shown;
    this.#shownUpTo += text.length;
    this.#shownColumn = column;
    this.#rowsAbove = above;
    return shown;
  }

  /** Rows #shown takes at `columns`: kept up as it grows, counted again when the width changed. */
  #shownRows(columns: number): number {
    if (columns !== this.#measuredAt) {
      this.#rowsAbove = rowsOf(this.#shown, columns) - lineRows(this.#shownColumn, columns);
      this.#measuredAt = columns;
    }
    return this.#rowsAbove + lineRows(this.#shownColumn, columns);
  }
}

/** Rows one line of this display width takes: at least one. */
function lineRows(width: number, columns: number): number {
  return Math.max(1, Math.ceil(width / columns));
}

/**
 * Rows of lines that `text` completes, written after a line already `column` wide: its first
 * line finishes that one, each later one but the last is whole.
 */
function rowsAdded(column: number, text: string, columns: number): number {
  let rows = 0;
  let width = column;
  let at = 0;
  for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", at)) {
    rows += lineRows(width + Bun.stringWidth(text.slice(at, newline).replace(/\r$/, "")), columns);
    width = 0;
    at = newline + 1;
  }
  return rows;
}

/** Screen rows `text` takes when the terminal wraps it at `columns`; at least one per line. */
export function rowsOf(text: string, columns: number): number {
  let rows = 0;
  for (const line of text.split("\n")) rows += lineRows(Bun.stringWidth(line.replace(/\r$/, "")), columns);
  return rows;
}

/** Tabs as the spaces to the next stop of 8, so the width of a line is known; `column`: where the text starts. */
function expandTabs(text: string, column: number): { shown: string; column: number } {
  if (!text.includes("\t")) {
    const last = text.lastIndexOf("\n");
    return { shown: text, column: last === -1 ? column + Bun.stringWidth(text) : Bun.stringWidth(text.slice(last + 1)) };
  }
  let shown = "";
  let at = column;
  for (const part of text.split(/(\t|\n)/)) {
    if (part === "\t") {
      const spaces = 8 - (at % 8);
      shown += " ".repeat(spaces);
      at += spaces;
    } else if (part === "\n") {
      shown += part;
      at = 0;
    } else {
      shown += part;
      at += Bun.stringWidth(part);
    }
  }
  return { shown, column: at };
}
