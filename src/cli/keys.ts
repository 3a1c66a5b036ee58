/**
 * Keys from the text a terminal in raw mode sends, as xterm, VTE, iTerm2, tmux, rxvt and the
 * Linux console send them. Text arrives in chunks that need not end where a key does: an escape
 * sequence, or the end of a bracketed paste, may be split across two chunks, so whatever is
 * incomplete at a chunk's end is held and finished by the next one. No timer decides that a
 * lone ESC was the Escape key: it waits for the next chunk, as readline's Meta prefix does (ESC
 * then b is Alt+B however long apart), so what a key means never depends on how fast it came.
 */

/** One key, or a run of text typed, or a bracketed paste. */
export type Key =
  /** Printable characters typed (never a control character). */
  | { kind: "text"; text: string }
  /** A bracketed paste, whole: line breaks as "\n", tabs kept, every other control character dropped. */
  | { kind: "paste"; text: string }
  /**
   * A key that is not text. `name` is "enter", "tab", "backspace", "delete", "insert", "escape",
   * "up", "down", "left", "right", "home", "end", "page-up", "page-down", "f1"…"f12", or for
   * Ctrl and Alt combinations the lower-case letter or character ("a" with `ctrl` for Ctrl+A).
   */
  | { kind: "key"; name: string; ctrl: boolean; alt: boolean; shift: boolean };

type NamedKey = Extract<Key, { kind: "key" }>;

const ESC = "\x1b";
const pasteEnd = "\x1b[201~";
// A CSI that has not ended after this many characters is not a key: dropped, not waited for.
const longestCsi = 32;

/** What one escape sequence at the start of the text came to. */
type Parsed =
  | { length: number; key: NamedKey | null; paste?: boolean }
  /** The text ends inside the sequence: wait for the next chunk. */
  | "incomplete";

/**
 * Turns chunks of text into keys. Keeps what a chunk left unfinished (part of an escape
 * sequence, a paste still arriving) until the next chunk.
 */
export class KeyDecoder {
  #held = "";
  /** The paste being received, once its start has come and until its end does. */
  #paste: string | null = null;

  /** The keys `chunk` completes, in order. */
  push(chunk: string): Key[] {
    const keys: Key[] = [];
    const text = this.#held + chunk;
    this.#held = "";
    let i = 0;
    while (i < text.length) {
      if (this.#paste !== null) {
        const end = text.indexOf(pasteEnd, i);
        if (end === -1) {
          // The end marker may have begun at the chunk's end: keep that part back.
          const keep = heldMarkerStart(text, pasteEnd);
          this.#paste += text.slice(i, keep);
          this.#held = text.slice(Math.max(i, keep));
          return keys;
        }
        this.#paste += text.slice(i, end);
        keys.push({ kind: "paste", text: cleanPaste(this.#paste) });
        this.#paste = null;
        i = end + pasteEnd.length;
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === 0x1b) {
        const parsed = parseEscape(text, i);
        if (parsed === "incomplete") {
          this.#held = text.slice(i);
          return keys;
        }
        if (parsed.paste === true) this.#paste = "";
        else if (parsed.key !== null) keys.push(parsed.key);
        i += parsed.length;
      } else if (c === 0x0d) {
        // A CR and LF together are one Enter (a terminal that sends both), never two.
        keys.push(named("enter"));
        i += text.charCodeAt(i + 1) === 0x0a ? 2 : 1;
      } else if (c < 0x20 || c === 0x7f) {
        keys.push(controlKey(c, false));
        i++;
      } else if (c >= 0x80 && c <= 0x9f) {
        i++; // C1: no key sends it in UTF-8; obeyed, U+009B would begin a CSI.
      } else {
        let end = i + 1;
        while (end < text.length && isPrintable(text.charCodeAt(end))) end++;
        keys.push({ kind: "text", text: text.slice(i, end) });
        i = end;
      }
    }
    return keys;
  }
}

function isPrintable(c: number): boolean {
  return c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f);
}

/** Where a partial `marker` at the end of `text` begins (text.length if none). */
function heldMarkerStart(text: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, text.length); n > 0; n--) {
    if (text.endsWith(marker.slice(0, n))) return text.length - n;
  }
  return text.length;
}

/**
 * A paste as it may enter the line. Terminals send a pasted line break as CR (as the Enter key
 * does), some as CRLF: each is one "\n". Tabs stay; every other control character is dropped,
 * as is any escape sequence the pasted text held.
 */
function cleanPaste(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/\x1b(?:\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|[\x20-\x7e]?)/g, "")
    .replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, "");
}

function named(name: string, modifiers: Partial<Pick<NamedKey, "ctrl" | "alt" | "shift">> = {}): NamedKey {
  return { kind: "key", name, ctrl: modifiers.ctrl ?? false, alt: modifiers.alt ?? false, shift: modifiers.shift ?? false };
}

/** A C0 control character or DEL as the key that sends it. */
function controlKey(c: number, alt: boolean): NamedKey {
  switch (c) {
    case 0x09:
      return named("tab", { alt });
    case 0x0a:
    case 0x0d:
      return named("enter", { alt });
    case 0x08: // Ctrl+H, which some terminals send for Backspace
    case 0x7f:
      return named("backspace", { alt });
    case 0x1b:
      return named("escape", { alt });
    case 0x00:
      return named("space", { ctrl: true, alt });
    default:
      // 0x01–0x1a are Ctrl+A–Z; 0x1c–0x1f are Ctrl+\ ] ^ _.
      return named(c <= 0x1a ? String.fromCharCode(c + 0x60) : "\\]^_"[c - 0x1c]!, { ctrl: true, alt });
  }
}

/** The escape sequence at `text[i]` (an ESC). */
function parseEscape(text: string, i: number): Parsed {
  if (i + 1 >= text.length) return "incomplete";
  const next = text[i + 1]!;
  const code = next.charCodeAt(0);
  if (next === "[") return parseCsi(text, i);
  if (next === "O") return parseSs3(text, i);
  if ("]P_^X".includes(next)) return parseString(text, i);
  if (next === ESC) {
    // ESC ESC [ … is Alt with a cursor key (iTerm2's "Esc+" Option key); a second ESC otherwise
    // begins a sequence of its own, and the first is the Escape key, which does nothing.
    const third = text[i + 2];
    if (third === undefined) return "incomplete";
    if (third !== "[" && third !== "O") return { length: 1, key: null };
    const inner = parseEscape(text, i + 1);
    if (inner === "incomplete") return inner;
    return { length: 1 + inner.length, key: inner.key === null ? null : { ...inner.key, alt: true } };
  }
  if (code < 0x20 || code === 0x7f) return { length: 2, key: controlKey(code, true) };
  if (code >= 0x80 && code <= 0x9f) return { length: 2, key: null };
  // Alt with a character: the whole code point (a surrogate pair is one).
  const char = String.fromCodePoint(text.codePointAt(i + 1)!);
  const lower = char.toLowerCase();
  return { length: 1 + char.length, key: named(lower, { alt: true, shift: lower !== char }) };
}

/** CSI: ESC [, parameters, intermediates, one final character. */
function parseCsi(text: string, i: number): Parsed {
  let j = i + 2;
  while (j < text.length && j - i < longestCsi) {
    const c = text.charCodeAt(j);
    if (c >= 0x30 && c <= 0x3f) j++;
    else if (c === 0x24 && /^\d+$/.test(text.slice(i + 2, j))) {
      // rxvt ends Shift with an editing key in `$` (ESC [ 3 $), an intermediate by the grammar.
      return { length: j + 1 - i, key: csiKey(text.slice(i + 2, j), "~", { shift: true }) };
    } else if (c >= 0x20 && c <= 0x2f) j++;
    else if (c >= 0x40 && c <= 0x7e) {
      const params = text.slice(i + 2, j);
      const final = text[j]!;
      // The Linux console's F1–F5: ESC [ [ A … E, one character more.
      if (final === "[" && params === "") {
        if (j + 1 >= text.length) return "incomplete";
        return { length: j + 2 - i, key: null };
      }
      if (final === "~" && params === "200") return { length: j + 1 - i, key: null, paste: true };
      return { length: j + 1 - i, key: csiKey(params, final, {}) };
    } else {
      // Not a CSI after all (a control character inside): dropped up to that character, which
      // counts as itself.
      return { length: j - i, key: null };
    }
  }
  return j - i >= longestCsi ? { length: j - i, key: null } : "incomplete";
}

const tildeKeys: Record<string, string> = {
  "1": "home",
  "2": "insert",
  "3": "delete",
  "4": "end",
  "5": "page-up",
  "6": "page-down",
  "7": "home",
  "8": "end",
  "11": "f1",
  "12": "f2",
  "13": "f3",
  "14": "f4",
  "15": "f5",
  "17": "f6",
  "18": "f7",
  "19": "f8",
  "20": "f9",
  "21": "f10",
  "23": "f11",
  "24": "f12",
};

const letterKeys: Record<string, string> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  P: "f1",
  Q: "f2",
  R: "f3",
  S: "f4",
};

const rxvtArrows: Record<string, string> = { a: "up", b: "down", c: "right", d: "left" };

function csiKey(params: string, final: string, extra: { shift?: boolean }): NamedKey | null {
  const [first = "", modifier = "1"] = params.split(";");
  // rxvt: ESC [ a … d are Shift with the arrows, ESC [ 7 ^ Ctrl with Home.
  const rxvtShift = rxvtArrows[final];
  if (rxvtShift !== undefined) return named(rxvtShift, { shift: true });
  const name = final === "~" || final === "^" ? tildeKeys[first] : final === "Z" ? "tab" : letterKeys[final];
  if (name === undefined || !/^\d*$/.test(first) || !/^\d+$/.test(modifier)) return null;
  // xterm's modifier parameter is 1 + a bit set: 1 Shift, 2 Alt, 4 Ctrl (8 Meta, taken as Alt).
  const bits = Math.max(0, Number(modifier) - 1);
  return named(name, {
    shift: (bits & 1) !== 0 || final === "Z" || extra.shift === true,
    alt: (bits & 2) !== 0 || (bits & 8) !== 0,
    ctrl: (bits & 4) !== 0 || final === "^",
  });
}

/** SS3: ESC O and one character (the cursor keys in application mode, F1–F4, keypad Enter). */
function parseSs3(text: string, i: number): Parsed {
  if (i + 2 >= text.length) return "incomplete";
  const final = text[i + 2]!;
  const c = final.charCodeAt(0);
  if (c < 0x40 || c > 0x7e) return { length: 2, key: null }; // Alt+Shift+O: nothing bound
  if (final === "M") return { length: 3, key: named("enter") };
  // rxvt: ESC O a … d are Ctrl with the arrows.
  const rxvtCtrl = rxvtArrows[final];
  if (rxvtCtrl !== undefined) return { length: 3, key: named(rxvtCtrl, { ctrl: true }) };
  const name = letterKeys[final];
  return { length: 3, key: name === undefined ? null : named(name) };
}

/**
 * OSC, DCS, APC, PM and SOS strings (a terminal's answers to queries): ignored whole up to BEL
 * or ESC \. Any other control character ends one early and counts as itself, so an Alt+]
 * typed by hand costs at most the text typed after it, never an Enter.
 */
function parseString(text: string, i: number): Parsed {
  for (let j = i + 2; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x07) return { length: j + 1 - i, key: null };
    if (c === 0x1b) {
      if (j + 1 >= text.length) return "incomplete";
      return { length: text[j + 1] === "\\" ? j + 2 - i : j - i, key: null };
    }
    if (c < 0x20 || (c >= 0x80 && c <= 0x9f)) return { length: j - i, key: null };
  }
  return "incomplete";
}
