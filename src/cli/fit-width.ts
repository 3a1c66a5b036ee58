/**
 * Lines cut to a terminal's width. A line that is wider than the window wraps, and then a table
 * no longer lines up and a spinner's `\r\x1b[K` clears only its last row. Widths are display
 * columns (Bun.stringWidth: a CJK character or an emoji takes two, an escape sequence none),
 * cuts fall between grapheme clusters (an emoji, a flag or an accented letter stays whole), and
 * never inside an escape sequence.
 */

// CSI (colours: `\x1b[1m`), OSC ended by BEL or ST, and two-character escapes. Only Synapse's own
// sequences reach here: stored text has had its escapes made visible (terminal-text.ts).
const escapeSource = "\\x1b(?:\\[[0-?]*[ -/]*[@-~]|\\][^\\x07\\x1b]*(?:\\x07|\\x1b\\\\)|[@-Z\\\\-_])";
const escapeSplit = new RegExp(`(${escapeSource})`);
const escapes = new RegExp(escapeSource, "g");
const printableAscii = /^[\x20-\x7e]*$/;

// Made on first use: creating a segmenter loads ICU's break rules, and most lines fit as they are.
let graphemes: Intl.Segmenter | undefined;

/** How many columns `text` takes on a terminal. */
export function displayWidth(text: string): number {
  return Bun.stringWidth(text);
}

/**
 * `text` in at most `width` columns: as it is when it fits, else cut and ended with `…`. Every
 * escape sequence of the part cut off is kept (they take no room), so a colour opened before
 * the cut is still closed after it.
 *
 * @example fitWidth("\x1b[1mlantern\x1b[22m light", 5) // "\x1b[1mlant…\x1b[22m"
 */
export function fitWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width < 1) return escapesIn(text);
  const { head, rest } = splitAtWidth(text, width - 1);
  return `${head}…${escapesIn(rest)}`;
}

/**
 * `text` split after as many whole grapheme clusters as fit in `columns`: `head` takes at most
 * that many columns (fewer when a wide character would straddle the edge), `rest` is the
 * remainder. Escape sequences before the split go with `head`.
 */
export function splitAtWidth(text: string, columns: number): { head: string; rest: string } {
  // Odd indexes are escape sequences, even ones the text between them.
  const parts = text.split(escapeSplit);
  let head = "";
  let used = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i % 2 === 1) {
      head += part;
      continue;
    }
    const taken = fill(part, columns - used);
    head += taken.text;
    used += taken.width;
    if (taken.text.length < part.length) return { head, rest: part.slice(taken.text.length) + parts.slice(i + 1).join("") };
  }
  return { head, rest: "" };
}

/** The escape sequences in `text`, in order, with nothing between them. */
export function escapesIn(text: string): string {
  return text.match(escapes)?.join("") ?? "";
}

/** The longest start of `run` (no escape sequences in it) that fits in `room` columns. */
function fill(run: string, room: number): { text: string; width: number } {
  // Printable ASCII is one column a character: no need to segment it (a list has many rows).
  if (printableAscii.test(run)) {
    const length = Math.max(0, Math.min(run.length, room));
    return { text: run.slice(0, length), width: length };
  }
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let width = 0;
  let end = 0;
  for (const { segment } of graphemes.segment(run)) {
    const columns = displayWidth(segment);
    if (width + columns > room) break;
    width += columns;
    end += segment.length;
  }
  return { text: run.slice(0, end), width };
}
