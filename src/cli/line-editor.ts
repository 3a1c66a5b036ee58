/**
 * The line editor of chat mode: one line read at a prompt, with the readline keys people's
 * fingers already know (Emacs bindings, history, Tab completion, Ctrl+X Ctrl+E). It knows nothing
 * of chats: it reads keys from a {@link LineInput}, writes to the terminal through a callback,
 * and returns the line.
 *
 * The line is always drawn on one row, so every redraw is `\r`, the row, and an erase to its end,
 * whatever the terminal does with a row that wraps. A line wider than the room after the prompt
 * scrolls sideways to keep the cursor in view, its cut edges marked `<` and `>`. Line breaks (a
 * pasted block) show as `⏎` and tabs as `⇥`; the characters a terminal would obey or not show
 * are shown as their escapes (`\u202e`), never written as they are.
 *
 * Keys: Enter sends the line, Ctrl+C abandons it, Ctrl+D on an empty line ends the input (on a
 * line, deletes under the cursor). Left/Right (Ctrl+B/F), Home/End (Ctrl+A/E), by word Alt+B/F or
 * Ctrl/Alt+Left/Right. Backspace, Delete; Ctrl+U and Ctrl+K delete to the start and the end,
 * Ctrl+W the word before the cursor up to a space, Alt+Backspace up to punctuation, Alt+D the
 * word after; Ctrl+Y puts back what was deleted last. Up/Down (Ctrl+P/N) walk the history; Tab
 * completes; Ctrl+L clears the screen; Ctrl+X Ctrl+E composes in an editor.
 */
import { type Key, KeyDecoder } from "./keys.ts";
import { visible } from "./terminal-text.ts";

export interface LineInput {
  /**
   * The next chunk typed or pasted (already decoded text, may hold several keys or half an
   * escape sequence); null once stdin has closed. An empty string is not a key: the line is
   * drawn again at the terminal's width now (send one when the window has been resized).
   */
  read(): Promise<string | null>;
}

export interface LineEditorOptions {
  /**
   * Where keys come from. Give every {@link readLine} the same input: what was typed after the
   * Enter that ended one line (typed ahead, or a paste without bracketed paste mode) is kept
   * with it for the next.
   */
  input: LineInput;
  /** Writes to the terminal (the caller sends it to stdout). */
  write(text: string): void;
  /** The terminal's width now (it may change between calls: a resized window). */
  columns(): number;
  /** Earlier entries, most recent first; Up/Down walk them. The caller owns and updates the list. */
  history: readonly string[];
  /**
   * Tab: the completions of the whole line so far (full replacement lines). One completes it;
   * several: complete to their common prefix and, on a second Tab, list them below the prompt
   * and redraw.
   */
  complete?(line: string): readonly string[];
  /**
   * Ctrl+X Ctrl+E: compose in an editor; resolves with the text to submit, or null to go back to
   * editing the line unchanged. The caller handles raw mode around it.
   */
  edit?(line: string): Promise<string | null>;
}

export type LineResult =
  /** Enter (or the edit callback's text): the line as typed; a bracketed paste's newlines kept as "\n". */
  | { kind: "line"; text: string }
  /** Ctrl+C: the line is abandoned (its text given so the caller can say how to leave when it was empty). */
  | { kind: "interrupt"; text: string }
  /** Ctrl+D on an empty line, or input closed. */
  | { kind: "eof" };

/**
 * Bracketed paste mode, for the caller to turn on with raw mode and off before leaving it: with
 * it on, a pasted block arrives marked and is inserted whole, its line breaks kept; without it,
 * each pasted line break is an Enter.
 */
export const bracketedPasteMode = { on: "\x1b[?2004h", off: "\x1b[?2004l" } as const;

/**
 * Reads one line at `prompt` (which may hold ANSI colour codes; measure it with Bun.stringWidth
 * after Bun.stripANSI). The terminal is already in raw mode; the editor never changes modes.
 *
 * The prompt is drawn from the start of the cursor's row (end the output before it with a line
 * break); of a prompt of several lines, only the last is redrawn as the line changes. Once the
 * line is done the whole of it is written out, wrapped to the window by the editor, and the
 * cursor left at the start of the next row: after Enter, after Ctrl+C (with `^C`), after the
 * edit callback's text; after Ctrl+D or the end of input only the line break. An error from a
 * callback rejects the promise.
 *
 * @example
 * const result = await readLine("> ", { input, write: (t) => process.stdout.write(t), columns: () => process.stdout.columns, history: [] });
 * if (result.kind === "line") send(result.text);
 */
export async function readLine(prompt: string, options: LineEditorOptions): Promise<LineResult> {
  const state = stateOf(options.input);
  // A prompt of several lines: those before its last are written once, the last is redrawn.
  const lastBreak = prompt.lastIndexOf("\n");
  if (lastBreak !== -1) options.write(prompt.slice(0, lastBreak + 1).replace(/\r?\n/g, "\r\n"));
  const editor = new Editor(prompt.slice(lastBreak + 1), options, state);
  editor.render();
  for (;;) {
    const key = state.keys.shift();
    if (key === undefined) {
      const chunk = await options.input.read();
      if (chunk === null) return editor.finish({ kind: "eof" });
      state.keys.push(...state.decoder.push(chunk));
      if (state.keys.length === 0) editor.render();
      continue;
    }
    const result = await editor.handle(key);
    if (result !== null) return result;
    // Drawn once the keys at hand are done: a paste or a burst of keys is one redraw.
    if (state.keys.length === 0) editor.render();
  }
}

/** What stays with an input between lines: its undecoded rest, keys typed ahead, the last kill. */
interface InputState {
  decoder: KeyDecoder;
  keys: Key[];
  killed: string;
}

const states = new WeakMap<LineInput, InputState>();

function stateOf(input: LineInput): InputState {
  let state = states.get(input);
  if (state === undefined) {
    state = { decoder: new KeyDecoder(), keys: [], killed: "" };
    states.set(input, state);
  }
  return state;
}

type Action =
  | "submit"
  | "interrupt"
  | "eof-or-delete"
  | "left"
  | "right"
  | "home"
  | "end"
  | "word-left"
  | "word-right"
  | "backspace"
  | "delete"
  | "kill-start"
  | "kill-end"
  | "kill-word-back"
  | "kill-space-word-back"
  | "kill-word-forward"
  | "yank"
  | "clear"
  | "previous"
  | "next"
  | "complete"
  | "ctrl-x";

type NamedKey = Extract<Key, { kind: "key" }>;

const ctrlBindings: Record<string, Action> = {
  c: "interrupt",
  d: "eof-or-delete",
  a: "home",
  e: "end",
  b: "left",
  f: "right",
  u: "kill-start",
  k: "kill-end",
  w: "kill-space-word-back",
  y: "yank",
  l: "clear",
  p: "previous",
  n: "next",
  x: "ctrl-x",
  left: "word-left",
  right: "word-right",
};

const altBindings: Record<string, Action> = {
  b: "word-left",
  f: "word-right",
  d: "kill-word-forward",
  backspace: "kill-word-back",
  left: "word-left",
  right: "word-right",
};

const plainBindings: Record<string, Action> = {
  left: "left",
  right: "right",
  home: "home",
  end: "end",
  backspace: "backspace",
  delete: "delete",
  up: "previous",
  down: "next",
};

/** The action a key is bound to. Keys are named as keys.ts names them. */
function actionOf(key: NamedKey): Action | null {
  const { name, ctrl, alt } = key;
  // Alt+Enter too: an Escape pressed before Enter (how Alt arrives) must not keep the line back.
  if (name === "enter") return "submit";
  if (ctrl && !alt) return ctrlBindings[name] ?? null;
  if (alt && !ctrl) return altBindings[name] ?? null;
  if (ctrl || alt) return null;
  // Shift+Tab is left alone: it may mean the opposite of Tab somewhere, never the same.
  if (name === "tab") return key.shift ? null : "complete";
  return plainBindings[name] ?? null;
}

let segmenter: Intl.Segmenter | undefined;

/** `text` cut into graphemes: what a person counts as one character, and the cursor steps over. */
function graphemes(text: string): string[] {
  if (text === "") return [];
  // Made at the first use: ICU's segmenter is not free, and only chat mode needs it.
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return Array.from(segmenter.segment(text), (s) => s.segment);
}

/** How a grapheme of the line is shown on the editing row. */
function shown(g: string): string {
  if (g === "\n" || g === "\r\n") return "⏎";
  if (g === "\t") return "⇥";
  const safe = visible(g);
  if (safe !== g) return safe;
  // A character with no width (a zero-width space, a mark with nothing to sit on) would let
  // the cursor step over something unseen: it is shown as its code point.
  if (Bun.stringWidth(g) === 0) return Array.from(g, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, "0")}`).join("");
  return g;
}

function widthOf(g: string): number {
  return Bun.stringWidth(shown(g));
}

const wordChar = /^[\p{L}\p{N}\p{M}_]/u;
const space = /^\s/u;

/** The line being edited: its graphemes and the cursor, an index between them. */
class Line {
  chars: string[] = [];
  cursor = 0;

  get text(): string {
    return this.chars.join("");
  }

  set(text: string): void {
    this.chars = graphemes(text);
    this.cursor = this.chars.length;
  }

  /** Puts `text` in place of the graphemes from..to, the cursor after it; returns what was there. */
  replace(from: number, to: number, text: string): string {
    const removed = this.chars.slice(from, to).join("");
    // The neighbours are cut again with the new text: a combining accent typed after a letter
    // joins it, as the halves of a flag or an emoji and its skin tone join each other.
    const start = Math.max(0, from - 1);
    const end = Math.min(this.chars.length, to + 1);
    const before = this.chars.slice(start, from).join("");
    const pieces = graphemes(before + text + this.chars.slice(to, end).join(""));
    // In place for a key; a long paste (more than a call's arguments may hold) by copying.
    if (pieces.length < 4096) this.chars.splice(start, end - start, ...pieces);
    else this.chars = this.chars.slice(0, start).concat(pieces, this.chars.slice(end));
    let offset = 0;
    let k = 0;
    while (k < pieces.length && offset < before.length + text.length) offset += pieces[k++]!.length;
    this.cursor = start + k;
    return removed;
  }

  insert(text: string): void {
    this.replace(this.cursor, this.cursor, text);
  }

  wordLeft(): number {
    let i = this.cursor;
    while (i > 0 && !wordChar.test(this.chars[i - 1]!)) i--;
    while (i > 0 && wordChar.test(this.chars[i - 1]!)) i--;
    return i;
  }

  wordRight(): number {
    let i = this.cursor;
    while (i < this.chars.length && !wordChar.test(this.chars[i]!)) i++;
    while (i < this.chars.length && wordChar.test(this.chars[i]!)) i++;
    return i;
  }

  /** The start of the whitespace-separated word before the cursor (Ctrl+W, as a shell's). */
  spaceWordLeft(): number {
    let i = this.cursor;
    while (i > 0 && space.test(this.chars[i - 1]!)) i--;
    while (i > 0 && !space.test(this.chars[i - 1]!)) i--;
    return i;
  }
}

class Editor {
  readonly #line = new Line();
  readonly #prompt: string;
  readonly #promptWidth: number;
  readonly #options: LineEditorOptions;
  readonly #state: InputState;
  /** The first grapheme shown on the row. */
  #view = 0;
  /** -1: the line being typed; otherwise the index of the history entry shown. */
  #historyIndex = -1;
  #draft = "";
  /** History entries changed while walking, kept until the line is done (as readline does). */
  readonly #edited = new Map<number, string>();
  #afterCtrlX = false;
  /** The last key was a Tab that found several completions: a next one that cannot extend the line lists them. */
  #afterTab = false;

  constructor(prompt: string, options: LineEditorOptions, state: InputState) {
    this.#prompt = prompt;
    this.#promptWidth = Bun.stringWidth(Bun.stripANSI(prompt));
    this.#options = options;
    this.#state = state;
  }

  /** Acts on one key; the result once the line is done. */
  async handle(key: Key): Promise<LineResult | null> {
    const afterCtrlX = this.#afterCtrlX;
    const afterTab = this.#afterTab;
    this.#afterCtrlX = false;
    this.#afterTab = false;
    if (key.kind === "text" || key.kind === "paste") {
      this.#line.insert(key.text);
      return null;
    }
    if (afterCtrlX && key.ctrl && key.name === "e") return this.#edit();
    let action = actionOf(key);
    // Alt with a character it does nothing with is ignored whole, never typed. With a control
    // or editing key it is that key alone: Alt arrives as an ESC before the key, and an Escape
    // pressed out of habit must not cost the Ctrl+C or the Backspace after it.
    if (action === null && key.alt && (key.ctrl || [...key.name].length > 1)) action = actionOf({ ...key, alt: false });
    if (action === null) return null;
    return this.#act(action, afterTab);
  }

  async #act(action: Action, afterTab: boolean): Promise<LineResult | null> {
    const line = this.#line;
    switch (action) {
      case "submit":
        return this.finish({ kind: "line", text: line.text });
      case "interrupt":
        return this.finish({ kind: "interrupt", text: line.text });
      case "eof-or-delete":
        if (line.chars.length === 0) return this.finish({ kind: "eof" });
        if (line.cursor < line.chars.length) line.replace(line.cursor, line.cursor + 1, "");
        break;
      case "left":
        line.cursor = Math.max(0, line.cursor - 1);
        break;
      case "right":
        line.cursor = Math.min(line.chars.length, line.cursor + 1);
        break;
      case "home":
        line.cursor = 0;
        break;
      case "end":
        line.cursor = line.chars.length;
        break;
      case "word-left":
        line.cursor = line.wordLeft();
        break;
      case "word-right":
        line.cursor = line.wordRight();
        break;
      case "backspace":
        if (line.cursor > 0) line.replace(line.cursor - 1, line.cursor, "");
        break;
      case "delete":
        if (line.cursor < line.chars.length) line.replace(line.cursor, line.cursor + 1, "");
        break;
      case "kill-start":
        this.#kill(0, line.cursor);
        break;
      case "kill-end":
        this.#kill(line.cursor, line.chars.length);
        break;
      case "kill-word-back":
        this.#kill(line.wordLeft(), line.cursor);
        break;
      case "kill-space-word-back":
        this.#kill(line.spaceWordLeft(), line.cursor);
        break;
      case "kill-word-forward":
        this.#kill(line.cursor, line.wordRight());
        break;
      case "yank":
        line.insert(this.#state.killed);
        break;
      case "clear":
        // Home and erase the screen; the scrollback stays, as with readline's Ctrl+L.
        this.#options.write("\x1b[H\x1b[2J");
        break;
      case "previous":
        this.#walkHistory(this.#historyIndex + 1);
        break;
      case "next":
        this.#walkHistory(this.#historyIndex - 1);
        break;
      case "complete":
        this.#complete(afterTab);
        break;
      case "ctrl-x":
        this.#afterCtrlX = true;
        break;
    }
    return null;
  }

  #kill(from: number, to: number): void {
    if (from >= to) return;
    this.#state.killed = this.#line.replace(from, to, "");
  }

  #walkHistory(to: number): void {
    const history = this.#options.history;
    if (to < -1 || to >= history.length || to === this.#historyIndex) return;
    const text = this.#line.text;
    if (this.#historyIndex === -1) this.#draft = text;
    else if (text !== history[this.#historyIndex]) this.#edited.set(this.#historyIndex, text);
    else this.#edited.delete(this.#historyIndex);
    this.#historyIndex = to;
    this.#line.set(to === -1 ? this.#draft : (this.#edited.get(to) ?? history[to]!));
  }

  #complete(afterTab: boolean): void {
    const complete = this.#options.complete;
    if (complete === undefined) return;
    const text = this.#line.text;
    const candidates = complete(text);
    if (candidates.length === 0) return;
    if (candidates.length === 1) {
      this.#line.set(candidates[0]!);
      return;
    }
    const prefix = commonPrefix(candidates);
    if (graphemes(prefix).length > this.#line.chars.length) {
      this.#line.set(prefix);
    } else if (afterTab) {
      this.#list(candidates);
    }
    this.#afterTab = true;
  }

  /** The candidates below the row, in columns as wide as the longest, each cut to the window. */
  #list(candidates: readonly string[]): void {
    const width = this.#usableWidth();
    const cells = candidates.map((c) => fitted(c, width));
    const cellWidth = Math.max(...cells.map((c) => c.width)) + 2;
    const perRow = Math.max(1, Math.floor((width + 2) / cellWidth));
    const rows: string[] = [];
    for (let i = 0; i < cells.length; i += perRow) {
      const row = cells.slice(i, i + perRow);
      rows.push(row.map((c, k) => (k === row.length - 1 ? c.text : c.text + " ".repeat(cellWidth - c.width))).join(""));
    }
    // The row above the list shows the line as it is now, though keys may not have drawn it yet.
    this.render();
    this.#options.write(`\r\n${rows.join("\r\n")}\r\n`);
  }

  async #edit(): Promise<LineResult | null> {
    const edit = this.#options.edit;
    if (edit === undefined) return null;
    const text = await edit(this.#line.text);
    if (text === null) return null;
    return this.finish({ kind: "line", text });
  }

  /** Writes what the line ends with and returns `result`. */
  finish(result: LineResult): LineResult {
    if (result.kind === "eof") {
      this.#options.write("\r\n");
      return result;
    }
    const suffix = result.kind === "interrupt" ? "^C" : "";
    const width = this.#usableWidth();
    const { prompt, promptWidth } = this.#promptFor(width);
    const rows: string[] = [];
    let row = prompt;
    let column = promptWidth;
    for (const g of [...graphemes(result.text), ...suffix]) {
      if (g === "\n" || g === "\r\n") {
        rows.push(row);
        row = "";
        column = 0;
        continue;
      }
      const piece = shown(g);
      const w = Bun.stringWidth(piece);
      if (column + w > width && column > 0) {
        rows.push(row);
        row = "";
        column = 0;
      }
      row += piece;
      column += w;
    }
    rows.push(row);
    this.#options.write(`\r${rows.join("\x1b[K\r\n")}\x1b[K\r\n`);
    return result;
  }

  /**
   * The columns a row may fill: one short of the window. A row reaching the last column leaves
   * the terminal waiting to wrap, and the erase that ends every redraw would then erase that
   * last character; the spare column holds the cursor at the end of the line instead.
   */
  #usableWidth(): number {
    const columns = Math.floor(this.#options.columns());
    return Number.isFinite(columns) && columns > 1 ? columns - 1 : 79;
  }

  /**
   * The prompt as it fits: whole while it leaves the line a fair room (a third of the row, at
   * least 8 columns); otherwise its end, plain, after a `<`, in what is left.
   */
  #promptFor(width: number): { prompt: string; promptWidth: number } {
    const room = Math.min(width, Math.max(8, Math.floor(width / 3)));
    if (this.#promptWidth <= width - room) return { prompt: this.#prompt, promptWidth: this.#promptWidth };
    const chars = graphemes(visible(Bun.stripANSI(this.#prompt)));
    let start = chars.length;
    let taken = 0;
    // Its end, where it meets the line; `<` says that more came before.
    const keep = width - room - 1;
    while (start > 0 && taken + Bun.stringWidth(chars[start - 1]!) <= keep) taken += Bun.stringWidth(chars[--start]!);
    return keep > 0 ? { prompt: `<${chars.slice(start).join("")}`, promptWidth: taken + 1 } : { prompt: "", promptWidth: 0 };
  }

  /** Draws the row: `\r`, the prompt, the part of the line in view, erase to the end; then the cursor. */
  render(): void {
    const width = this.#usableWidth();
    const { prompt, promptWidth } = this.#promptFor(width);
    const field = width - promptWidth;
    this.#placeView(field);
    const { text, cursorColumn } = this.#draw(field);
    const column = promptWidth + cursorColumn;
    this.#options.write(`\r${prompt}${text}\x1b[K\r${column > 0 ? `\x1b[${column}C` : ""}`);
  }

  /**
   * Moves the view so the cursor and the character under it are on the row. When the cursor
   * leaves by an edge, a quarter of the row of text beside it comes into view too, so moving
   * on does not scroll at every key.
   */
  #placeView(field: number): void {
    const { chars, cursor } = this.#line;
    const margin = Math.floor(field / 4);
    if (this.#view > cursor) this.#view = this.#back(cursor, margin);
    // Text removed at the end leaves room: fill it from the left.
    if (this.#view > 0 && 1 + this.#widthBetween(this.#view, chars.length, field) < field) {
      this.#view = this.#back(chars.length, field - 1);
    }
    if (this.#fits(this.#view, field)) return;
    // Out by the right edge: the cursor's cell, then the rest of the line if it is short, else a
    // margin of it and the `>` mark; the `<` mark and as much before the cursor as is left.
    const cell = cursor < chars.length ? widthOf(chars[cursor]!) : 0;
    const rest = this.#widthBetween(cursor + 1, chars.length, margin);
    const right = rest <= margin ? rest : margin + 1;
    let view = this.#back(cursor, field - 1 - cell - right);
    while (view < cursor && !this.#fits(view, field)) view++;
    this.#view = view;
  }

  /** Whether, from `view`, the cursor's cell fits on the row with the marks the row needs. */
  #fits(view: number, field: number): boolean {
    const { chars, cursor } = this.#line;
    const left = view > 0 ? 1 : 0;
    const allFit = left + this.#widthBetween(view, chars.length, field) <= field;
    const cell = cursor < chars.length ? widthOf(chars[cursor]!) : 0;
    return left + this.#widthBetween(view, cursor, field) + cell + (allFit ? 0 : 1) <= field;
  }

  /** The width of graphemes from..to, counted only up to a little past `limit`. */
  #widthBetween(from: number, to: number, limit: number): number {
    let total = 0;
    for (let i = from; i < to && total <= limit; i++) total += widthOf(this.#line.chars[i]!);
    return total;
  }

  /** The earliest index whose graphemes up to `index` take at most `budget` columns. */
  #back(index: number, budget: number): number {
    let i = index;
    let used = 0;
    while (i > 0) {
      const w = widthOf(this.#line.chars[i - 1]!);
      if (used + w > budget) break;
      used += w;
      i--;
    }
    return i;
  }

  /** The row's text from the view on, never wider than `field`, and the cursor's column in it. */
  #draw(field: number): { text: string; cursorColumn: number } {
    const { chars, cursor } = this.#line;
    const view = this.#view;
    let text = "";
    let column = 0;
    if (view > 0 && field >= 1) {
      text = "<";
      column = 1;
    }
    const allFit = column + this.#widthBetween(view, chars.length, field) <= field;
    // With more text beyond the row, its last column is kept for the `>` mark.
    const limit = allFit ? field : field - 1;
    let cursorColumn = -1;
    let i = view;
    for (; i < chars.length; i++) {
      const piece = shown(chars[i]!);
      const w = Bun.stringWidth(piece);
      if (column + w > limit) break;
      if (i === cursor) cursorColumn = column;
      text += piece;
      column += w;
    }
    if (i < chars.length && column + 1 <= field) text += ">";
    if (cursorColumn === -1) cursorColumn = Math.min(column, field);
    return { text, cursorColumn };
  }
}

/** The longest start, in whole graphemes, that every candidate shares. */
function commonPrefix(candidates: readonly string[]): string {
  const split = candidates.map(graphemes);
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((c) => c[n] === first[n])) n++;
  return first.slice(0, n).join("");
}

/** A completion as shown in the list: one row, cut with `…` to `width`. */
function fitted(candidate: string, width: number): { text: string; width: number } {
  let text = "";
  let used = 0;
  const chars = graphemes(candidate).map(shown);
  const total = chars.reduce((sum, c) => sum + Bun.stringWidth(c), 0);
  if (total <= width) return { text: chars.join(""), width: total };
  for (const c of chars) {
    const w = Bun.stringWidth(c);
    if (used + w > width - 1) break;
    text += c;
    used += w;
  }
  return { text: `${text}…`, width: used + 1 };
}
