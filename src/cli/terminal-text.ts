/**
 * Stored text on its way to a terminal. A reply, a piped message or an imported session can hold
 * escape sequences that would set the window title, write the clipboard (OSC 52), clear the
 * screen or hide a link (OSC 8), and bidi overrides that show text in another order than it is
 * read (as in "Trojan Source"). On a terminal, each such character is shown as its escape
 * (`\x1b`, `\x9b`, `\u202e`) and never interpreted; newline and tab stay as they are. Pipes and
 * files get the text exactly as stored.
 */

// C0 but tab and newline, DEL, C1 (U+009B is a CSI on its own), and the bidi embeddings,
// overrides and isolates. A carriage return is harmless only before a newline (CRLF); alone it
// returns to the start of the line, where the text after it would hide the text before.
const unsafe = /[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;

/** `text` with every character a terminal would interpret shown as its escape instead. */
export function visible(text: string): string {
  return text.replace(unsafe, escapeOf);
}

// Every control character (newline and tab too) and the bidi controls: what one line may not hold.
const breaksLine = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` as one line, on a terminal or not: every control character, newline included, shown
 * as its escape (`\x0a`) as {@link visible} shows them. For error lines, which quote what the
 * user typed or a file held and must stay one line for people and for scripts alike.
 */
export function oneLine(text: string): string {
  return text.replace(breaksLine, escapeOf);
}

/** {@link visible} on a terminal, and the text unchanged anywhere else. */
export function textFor(stream: { isTTY?: boolean }): (text: string) => string {
  return stream.isTTY === true ? visible : (text) => text;
}

/**
 * {@link visible} for text that arrives in pieces. Each character is judged alone, so an escape
 * sequence split across pieces is caught as well; only a carriage return at the end of a piece
 * waits for the next, which tells whether it begins a CRLF.
 */
export function visibleStream(): { push(piece: string): string; end(): string } {
  let held = "";
  return {
    push(piece) {
      const text = held + piece;
      held = text.endsWith("\r") ? "\r" : "";
      return visible(held === "" ? text : text.slice(0, -1));
    },
    end() {
      const rest = visible(held);
      held = "";
      return rest;
    },
  };
}

/** JSON with the characters JSON.stringify leaves raw (DEL, C1, bidi controls) escaped: the same value. */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${hex(c, 4)}`);
}

function escapeOf(c: string): string {
  return c.charCodeAt(0) < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`;
}

function hex(c: string, width: number): string {
  return c.charCodeAt(0).toString(16).padStart(width, "0");
}
