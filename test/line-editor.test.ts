/**
 * The line editor driven by scripted input: chunks as a terminal sends them (escape sequences
 * split anywhere), the output replayed into a headless xterm to read what the screen shows and
 * where the cursor is. One test runs it in a real pseudo-terminal.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Terminal } from "@xterm/headless";
import { type LineEditorOptions, type LineInput, type LineResult, readLine } from "../src/cli/line-editor.ts";
import { PtyRun } from "./_pty.ts";

/** Input that gives `chunks` one by one, then closes (null), or stays silent when `hold` is set. */
class Script implements LineInput {
  readonly #chunks: string[];
  readonly #hold: boolean;
  #drained: () => void = () => {};
  /** Resolves once every chunk has been read and the editor waits for more. */
  readonly drained: Promise<void>;

  constructor(chunks: string[], hold: boolean) {
    this.#chunks = [...chunks];
    this.#hold = hold;
    this.drained = new Promise((resolve) => (this.#drained = resolve));
  }

  read(): Promise<string | null> {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) return Promise.resolve(chunk);
    this.#drained();
    return this.#hold ? new Promise<never>(() => {}) : Promise.resolve(null);
  }
}

interface Screen {
  /** The rows, right-trimmed, trailing empty rows left out. */
  lines: string[];
  cursor: { x: number; y: number };
  /** The character in the cell under the cursor ("" past the end). */
  under: string;
  /** Rows the terminal had to wrap (the editor must never make it). */
  wrapped: number[];
}

async function screenOf(output: string, columns: number, before = ""): Promise<Screen> {
  const term = new Terminal({ cols: columns, rows: 12, allowProposedApi: true });
  await new Promise<void>((resolve) => term.write(before + output, resolve));
  const buffer = term.buffer.active;
  const lines: string[] = [];
  const wrapped: number[] = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    lines.push(line?.translateToString(true) ?? "");
    if (line?.isWrapped) wrapped.push(i);
  }
  const cursor = { x: buffer.cursorX, y: buffer.cursorY + buffer.baseY };
  const under = buffer.getLine(cursor.y)?.getCell(cursor.x)?.getChars() ?? "";
  while (lines.length > 0 && lines.at(-1) === "" && lines.length > cursor.y + 1) lines.pop();
  term.dispose();
  return { lines, cursor, under, wrapped };
}

interface Setup extends Partial<Omit<LineEditorOptions, "input" | "write">> {
  prompt?: string;
  /** Written to the terminal before the editor starts (earlier output). */
  before?: string;
}

function optionsFor(setup: Setup, input: LineInput, written: string[]): LineEditorOptions {
  const columns = setup.columns ?? (() => 40);
  return { history: [], ...setup, input, columns, write: (text) => void written.push(text) };
}

/** The keys typed, and the screen while the editor waits for more. */
async function editing(chunks: string[], setup: Setup = {}): Promise<Screen & { output: string }> {
  const input = new Script(chunks, true);
  const written: string[] = [];
  void readLine(setup.prompt ?? "> ", optionsFor(setup, input, written));
  await input.drained;
  const output = written.join("");
  return { ...(await screenOf(output, setup.columns?.() ?? 40, setup.before)), output };
}

/** The keys typed until the line was done (or the input closed), its result and the screen. */
async function finished(chunks: string[], setup: Setup = {}): Promise<{ result: LineResult; screen: Screen; output: string }> {
  const input = new Script(chunks, false);
  const written: string[] = [];
  const result = await readLine(setup.prompt ?? "> ", optionsFor(setup, input, written));
  const output = written.join("");
  return { result, screen: await screenOf(output, setup.columns?.() ?? 40, setup.before), output };
}

/** The rows each redraw wrote (from its `\r` to its erase), as wide as a terminal shows them. */
function drawnWidths(output: string): number[] {
  return [...output.matchAll(/\r([^\r]*?)\x1b\[K/g)].map((m) => Bun.stringWidth(Bun.stripANSI(m[1]!)));
}

const ESC = "\x1b";
const left = `${ESC}[D`;
const right = `${ESC}[C`;
const up = `${ESC}[A`;
const down = `${ESC}[B`;
const paste = (text: string) => `${ESC}[200~${text}${ESC}[201~`;

describe("typing", () => {
  test("text appears after the prompt, the cursor after it; Enter returns the line and starts a new row", async () => {
    const typed = await editing(["hello"]);
    expect(typed.lines).toEqual(["> hello"]);
    expect(typed.cursor).toEqual({ x: 7, y: 0 });
    const { result, screen } = await finished(["hel", "lo", "\r"]);
    expect(result).toEqual({ kind: "line", text: "hello" });
    expect(screen.lines).toEqual(["> hello", ""]);
    expect(screen.cursor).toEqual({ x: 0, y: 1 });
  });

  test.each([
    ["CR", "\r"],
    ["LF", "\n"],
    ["CRLF, one Enter", "\r\n"],
    ["keypad Enter (ESC O M)", `${ESC}OM`],
  ])("Enter as %s", async (_name, enter) => {
    const { result } = await finished(["abc", enter]);
    expect(result).toEqual({ kind: "line", text: "abc" });
  });

  test("a prompt with colour codes is measured without them", async () => {
    const screen = await editing(["hi"], { prompt: "\x1b[1;32mchat>\x1b[0m " });
    expect(screen.lines).toEqual(["chat> hi"]);
    expect(screen.cursor.x).toBe(8);
  });

  test("a prompt of several lines: the lines before the last are written once, the last redrawn", async () => {
    const screen = await editing(["ab", "c", left], { prompt: "session 1a2b\n> " });
    expect(screen.lines).toEqual(["session 1a2b", "> abc"]);
    expect(screen.cursor).toEqual({ x: 4, y: 1 });
  });

  test("wide characters and emoji: the cursor steps over a grapheme, the width is Bun's", async () => {
    const cjk = await editing(["日本語", left]);
    expect(cjk.lines).toEqual(["> 日本語"]);
    expect(cjk.cursor.x).toBe(6);
    // A family emoji and a thumb with its skin tone are one step and one Backspace each.
    const { result } = await finished(["a👨‍👩‍👧b👍🏽c", left, "\x7f", left, "\x7f", "\r"]);
    expect(result).toEqual({ kind: "line", text: "abc" });
    // xterm here counts emoji by Unicode 6: read the cursor from what was written instead.
    const emoji = await editing(["a👍🏽b", left]);
    expect(emoji.output.endsWith(`\r${ESC}[5C`)).toBe(true);
  });

  test("a combining accent typed after its letter joins it: one grapheme", async () => {
    const { result } = await finished(["e", "\u0301", "x", left, "\x7f", "\r"]);
    expect(result).toEqual({ kind: "line", text: "x" });
  });
});

describe("moving", () => {
  test.each([
    ["ESC [ D", `${ESC}[D`, `${ESC}[C`],
    ["ESC O D (application mode)", `${ESC}OD`, `${ESC}OC`],
    ["Ctrl+B / Ctrl+F", "\x02", "\x06"],
  ])("Left and Right as %s", async (_name, l, r) => {
    const { result } = await finished(["abcd", l, l, l, "X", r, "Y", "\r"]);
    expect(result).toEqual({ kind: "line", text: "aXbYcd" });
  });

  test.each([
    ["ESC [ H", `${ESC}[H`],
    ["ESC [ 1 ~", `${ESC}[1~`],
    ["ESC [ 7 ~ (rxvt)", `${ESC}[7~`],
    ["ESC O H", `${ESC}OH`],
    ["Ctrl+A", "\x01"],
  ])("Home as %s", async (_name, home) => {
    const { result } = await finished(["abc", home, "X\r"]);
    expect(result).toEqual({ kind: "line", text: "Xabc" });
  });

  test.each([
    ["ESC [ F", `${ESC}[F`],
    ["ESC [ 4 ~", `${ESC}[4~`],
    ["ESC [ 8 ~ (rxvt)", `${ESC}[8~`],
    ["ESC O F", `${ESC}OF`],
    ["Ctrl+E", "\x05"],
  ])("End as %s", async (_name, end) => {
    const { result } = await finished(["abc", "\x01", end, "X\r"]);
    expect(result).toEqual({ kind: "line", text: "abcX" });
  });

  test.each([
    ["Alt+B / Alt+F", `${ESC}b`, `${ESC}f`],
    ["Ctrl+Left / Ctrl+Right", `${ESC}[1;5D`, `${ESC}[1;5C`],
    ["Alt+Left / Alt+Right", `${ESC}[1;3D`, `${ESC}[1;3C`],
    ["ESC ESC [ D (iTerm2's Esc+)", `${ESC}${ESC}[D`, `${ESC}${ESC}[C`],
    ["rxvt's Ctrl+arrows", `${ESC}Od`, `${ESC}Oc`],
  ])("word moves as %s", async (_name, wordLeft, wordRight) => {
    // Back over "three" and "two, "; forward to the end of "two".
    const { result } = await finished(["one two, three", wordLeft, wordLeft, "[", wordRight, "]", "\r"]);
    expect(result).toEqual({ kind: "line", text: "one [two], three" });
  });

  test("the screen shows the cursor where the line says it is", async () => {
    const screen = await editing(["one two three", `${ESC}b`, `${ESC}b`]);
    expect(screen.lines).toEqual(["> one two three"]);
    expect(screen.cursor.x).toBe(6);
  });
});

describe("deleting", () => {
  test.each([
    ["Backspace (DEL)", ["abc", "\x7f"], "ab"],
    ["Backspace (Ctrl+H)", ["abc", "\x08"], "ab"],
    ["Backspace at the start does nothing", ["abc", "\x01", "\x7f"], "abc"],
    ["Delete", ["abc", left, left, `${ESC}[3~`], "ac"],
    ["Delete at the end does nothing", ["abc", `${ESC}[3~`], "abc"],
    ["Ctrl+D on a line deletes under the cursor", ["abc", "\x01", "\x04"], "bc"],
    ["Ctrl+D at the end of a line does nothing", ["abc", "\x04"], "abc"],
    ["Ctrl+U deletes to the start", ["one two", left, left, "\x15"], "wo"],
    ["Ctrl+K deletes to the end", ["one two", left, left, "\x0b"], "one t"],
    ["Ctrl+W deletes the word before the cursor, spaces and all", ["git commit -m  ", "\x17"], "git commit "],
    ["Ctrl+W takes punctuation with the word, as a shell does", ["see foo.bar/baz", "\x17"], "see "],
    ["Alt+Backspace stops at punctuation", ["see foo.bar/baz", `${ESC}\x7f`], "see foo.bar/"],
    ["Alt+D deletes the word after the cursor", ["one two three", "\x01", `${ESC}f`, `${ESC}d`], "one three"],
    ["Ctrl+Y puts back what was deleted last", ["one two", "\x17", "\x01", "\x19", " "], "two one "],
  ])("%s", async (_name, chunks, text) => {
    const { result } = await finished([...chunks, "\r"]);
    expect(result).toEqual({ kind: "line", text });
  });

  test("what Backspace removed is gone from the screen too", async () => {
    const screen = await editing(["abcdef", left, left, "\x7f\x7f"]);
    expect(screen.lines).toEqual(["> abef"]);
    expect(screen.cursor.x).toBe(4);
  });
});

describe("ending a line", () => {
  test("Ctrl+C abandons the line: ^C after it, the cursor on a new row, its text in the result", async () => {
    const { result, screen } = await finished(["abc", left, "\x03"]);
    expect(result).toEqual({ kind: "interrupt", text: "abc" });
    expect(screen.lines).toEqual(["> abc^C", ""]);
    expect(screen.cursor).toEqual({ x: 0, y: 1 });
    expect((await finished(["\x03"])).result).toEqual({ kind: "interrupt", text: "" });
  });

  test("Ctrl+D on an empty line is the end of input", async () => {
    const { result, screen } = await finished(["\x04"]);
    expect(result).toEqual({ kind: "eof" });
    expect(screen.cursor).toEqual({ x: 0, y: 1 });
    expect((await finished(["abc", "\x7f\x7f\x7f", "\x04"])).result).toEqual({ kind: "eof" });
  });

  test("input closed, with or without a line typed, is the end of input", async () => {
    expect((await finished([])).result).toEqual({ kind: "eof" });
    expect((await finished(["half a line"])).result).toEqual({ kind: "eof" });
    // A lone ESC still waiting for the rest of its sequence is nothing.
    expect((await finished(["x", ESC])).result).toEqual({ kind: "eof" });
  });

  test("after Enter the whole line is written out, wrapped by the editor, and the next row is free", async () => {
    const long = "the quick brown fox jumps over the lazy dog";
    const { result, screen, output } = await finished([long, "\x01", "\r"], { columns: () => 20 });
    expect(result).toEqual({ kind: "line", text: long });
    expect(screen.lines).toEqual(["> the quick brown f", "ox jumps over the l", "azy dog", ""]);
    expect(screen.wrapped).toEqual([]);
    expect(screen.cursor).toEqual({ x: 0, y: 3 });
    expect(Math.max(...drawnWidths(output))).toBeLessThanOrEqual(19);
  });

  test("keys typed after Enter are kept for the next line read from the same input", async () => {
    const input = new Script(["one\rtw", "o\rthr"], false);
    const written: string[] = [];
    const options = optionsFor({}, input, written);
    expect(await readLine("> ", options)).toEqual({ kind: "line", text: "one" });
    expect(await readLine("> ", options)).toEqual({ kind: "line", text: "two" });
    expect(await readLine("> ", options)).toEqual({ kind: "eof" });
    const screen = await screenOf(written.join(""), 40);
    expect(screen.lines).toEqual(["> one", "> two", "> thr", ""]);
  });
});

describe("history", () => {
  const history = ["newest", "middle", "oldest"];

  test("Up walks back, Down forward, and past the newest returns to the line being typed", async () => {
    const walk = async (chunks: string[]) => (await finished([...chunks, "\r"], { history })).result;
    expect(await walk(["draft", up])).toEqual({ kind: "line", text: "newest" });
    expect(await walk(["draft", up, up, up])).toEqual({ kind: "line", text: "oldest" });
    expect(await walk(["draft", up, up, up, up, up])).toEqual({ kind: "line", text: "oldest" });
    expect(await walk(["draft", up, up, down])).toEqual({ kind: "line", text: "newest" });
    expect(await walk(["draft", up, up, down, down])).toEqual({ kind: "line", text: "draft" });
    expect(await walk(["draft", down])).toEqual({ kind: "line", text: "draft" });
    expect(await walk(["draft", "\x10", "\x10", "\x0e"])).toEqual({ kind: "line", text: "newest" });
  });

  test("an entry changed while walking stays changed until the line is done; the list is never touched", async () => {
    const entries = ["newest", "middle"];
    const { result } = await finished([up, up, "!", down, "?", up, "\r"], { history: entries });
    expect(result).toEqual({ kind: "line", text: "middle!" });
    expect(entries).toEqual(["newest", "middle"]);
    const { result: again } = await finished([up, up, "!", down, "?", down, "\r"], { history: entries });
    expect(again).toEqual({ kind: "line", text: "" });
  });

  test("a recalled entry is shown with the cursor at its end", async () => {
    const screen = await editing(["dr", up], { history });
    expect(screen.lines).toEqual(["> newest"]);
    expect(screen.cursor.x).toBe(8);
  });

  test("with no history Up does nothing", async () => {
    expect((await finished(["abc", up, "\r"])).result).toEqual({ kind: "line", text: "abc" });
  });
});

describe("Tab completion", () => {
  const commands = ["/help", "/model", "/models", "/quit"];
  const complete = (line: string) => commands.filter((c) => c.startsWith(line));

  test("one completion replaces the line", async () => {
    const { result } = await finished(["/q\t", "\r"], { complete });
    expect(result).toEqual({ kind: "line", text: "/quit" });
  });

  test("several: the common prefix first, then a second Tab lists them below the prompt and redraws", async () => {
    const first = await editing(["/m", "\t"], { complete });
    expect(first.lines).toEqual(["> /model"]);
    expect(first.cursor).toEqual({ x: 8, y: 0 });
    const second = await editing(["/m", "\t", "\t"], { complete });
    expect(second.lines).toEqual(["> /model", "/model   /models", "> /model"]);
    expect(second.cursor).toEqual({ x: 8, y: 2 });
  });

  test("a Tab that cannot extend the line lists at the second press; other keys between start over", async () => {
    const once = await editing(["/", "\t"], { complete });
    expect(once.lines).toEqual(["> /"]);
    const twice = await editing(["/", "\t\t"], { complete });
    expect(twice.lines).toEqual(["> /", "/help    /model   /models  /quit", "> /"]);
    // Typed in one chunk, the row above the list still shows the line as it was then.
    const oneChunk = await editing(["/m\t\t"], { complete });
    expect(oneChunk.lines).toEqual(["> /model", "/model   /models", "> /model"]);
    const apart = await editing(["/", "\t", "x", "\x7f", "\t"], { complete });
    expect(apart.lines).toEqual(["> /"]);
  });

  test("the list fits the window: columns that fit, long candidates cut", async () => {
    const many = ["/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "/b", "/c", "/d"];
    const screen = await editing(["/", "\t\t"], { complete: () => many, columns: () => 20 });
    expect(screen.lines).toEqual(["> /", "/aaaaaaaaaaaaaaaaa…", "/b", "/c", "/d", "> /"]);
    expect(screen.wrapped).toEqual([]);
  });

  test("no completions, or no completer: Tab does nothing", async () => {
    expect((await finished(["/x\t\t\r"], { complete })).result).toEqual({ kind: "line", text: "/x" });
    expect((await finished(["a\tb\r"])).result).toEqual({ kind: "line", text: "ab" });
  });

  test("the completer is given the whole line, wherever the cursor is", async () => {
    const asked: string[] = [];
    await finished(["hello", left, left, "\t\r"], { complete: (line) => (asked.push(line), []) });
    expect(asked).toEqual(["hello"]);
  });
});

describe("bracketed paste", () => {
  test("inserted whole: line breaks kept (CR and CRLF as \\n), shown as ⏎; controls dropped; never an Enter", async () => {
    const pasted = paste("one\rtwo\r\nthree\tfour\x07\x1b[31m!\x00");
    const screen = await editing(["> ", pasted]);
    expect(screen.lines).toEqual(["> > one⏎two⏎three⇥four!"]);
    const { result, screen: after } = await finished(["> ", pasted, "\r"]);
    expect(result).toEqual({ kind: "line", text: "> one\ntwo\nthree\tfour!" });
    // Once sent, the line is written out with its line breaks.
    expect(after.lines).toEqual(["> > one", "two", "three⇥four!", ""]);
  });

  test("split anywhere across chunks, its end marker too", async () => {
    const whole = `a${paste("x\ry")}b`;
    for (let cut = 1; cut < whole.length; cut++) {
      const { result } = await finished([whole.slice(0, cut), whole.slice(cut), "\r"]);
      expect(result).toEqual({ kind: "line", text: "ax\nyb" });
    }
    const { result } = await finished([...whole].concat("\r"));
    expect(result).toEqual({ kind: "line", text: "ax\nyb" });
  });

  test("pasted into the middle of the line, the cursor after it", async () => {
    const { result } = await finished(["ad", left, paste("b\nc"), "!", "\r"]);
    expect(result).toEqual({ kind: "line", text: "ab\nc!d" });
  });
});

describe("escape sequences and control characters", () => {
  test.each([
    ["Left", `${ESC}[D`, "abc de|f"],
    ["Ctrl+Left", `${ESC}[1;5D`, "abc |def"],
    ["Left in application mode", `${ESC}OD`, "abc de|f"],
    ["Alt+B", `${ESC}b`, "abc |def"],
    ["Delete", `${ESC}[3~`, "abc def|"],
    ["Home", `${ESC}[1~`, "|abc def"],
  ])("%s split across chunks at every place is one key", async (_name, sequence, text) => {
    for (let cut = 1; cut < sequence.length; cut++) {
      const { result } = await finished(["abc def", sequence.slice(0, cut), sequence.slice(cut), "|", "\r"]);
      expect(result).toEqual({ kind: "line", text });
    }
    const { result } = await finished(["abc def", ...sequence, "|", "\r"]);
    expect(result).toEqual({ kind: "line", text });
  });

  test.each([
    ["F5", `${ESC}[15~`],
    ["Page Up", `${ESC}[5~`],
    ["Insert", `${ESC}[2~`],
    ["F1 (SS3)", `${ESC}OP`],
    ["F1 on the Linux console", `${ESC}[[A`],
    ["an SGR mouse report", `${ESC}[<0;10;5M`],
    ["focus in", `${ESC}[I`],
    ["a colour answer (OSC … BEL)", `${ESC}]11;rgb:0000/0000/0000\x07`],
    ["a DCS answer (… ESC \\)", `${ESC}P1$r0m${ESC}\\`],
    ["Shift+Tab", `${ESC}[Z`],
    ["an unbound control key", "\x07\x14\x1f"],
    ["a C1 control", "\u009b2J"],
  ])("%s is ignored whole", async (_name, sequence) => {
    const { result, output } = await finished(["ab", sequence, "c\r"]);
    expect(result).toEqual({ kind: "line", text: sequence === "\u009b2J" ? "ab2Jc" : "abc" });
    expect(output).not.toMatch(/[\x07\x14\x1f\u009b]/);
  });

  test("Alt with a character it does nothing with is ignored whole; with Enter or a control key it is that key", async () => {
    expect((await finished(["a", ESC, "x", `${ESC}Y`, "b\r"])).result).toEqual({ kind: "line", text: "ab" });
    expect((await finished(["abc", ESC, "\x01", "X\r"])).result).toEqual({ kind: "line", text: "Xabc" });
    expect((await finished(["abc", ESC, "\r"])).result).toEqual({ kind: "line", text: "abc" });
    expect((await finished(["abc", ESC, "\x03"])).result).toEqual({ kind: "interrupt", text: "abc" });
  });

  test("characters a terminal would obey or not show are shown as escapes, never written", async () => {
    const { result, screen, output } = await finished(["a\u202eb\u200bc", "\r"]);
    expect(result).toEqual({ kind: "line", text: "a\u202eb\u200bc" });
    expect(screen.lines[0]).toBe("> a\\u202eb\\u200bc");
    expect(output).not.toMatch(/[\u202e\u200b]/);
    // In history, completions and what an editor gave back too.
    const recalled = await editing([up], { history: ["x\x1b]0;title\x07y"] });
    expect(recalled.lines).toEqual(["> x\\x1b]0;title\\x07y"]);
  });
});

describe("Ctrl+L", () => {
  test("clears the screen and draws the line at the top", async () => {
    const screen = await editing(["abc", "\x0c"], { before: "earlier output\r\nmore\r\n" });
    expect(screen.lines).toEqual(["> abc"]);
    expect(screen.cursor).toEqual({ x: 5, y: 0 });
  });
});

describe("Ctrl+X Ctrl+E", () => {
  test("the editor's text is the line; null goes back to the line unchanged", async () => {
    const asked: string[] = [];
    const edit = (line: string) => (asked.push(line), Promise.resolve(`${line} and more\nsecond line`));
    const { result, screen } = await finished(["draft", "\x18\x05"], { edit });
    expect(asked).toEqual(["draft"]);
    expect(result).toEqual({ kind: "line", text: "draft and more\nsecond line" });
    expect(screen.lines).toEqual(["> draft and more", "second line", ""]);
    const back = await finished(["draft", "\x18", "\x05", "!\r"], { edit: () => Promise.resolve(null) });
    expect(back.result).toEqual({ kind: "line", text: "draft!" });
  });

  test("Ctrl+X then another key: that key as usual; without an editor nothing happens", async () => {
    expect((await finished(["ab", "\x18", "\x01", "X\r"])).result).toEqual({ kind: "line", text: "Xab" });
    expect((await finished(["ab", "\x18\x05", "\r"])).result).toEqual({ kind: "line", text: "ab" });
  });
});

describe("a line wider than the window", () => {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

  test("scrolls to keep the cursor in view, cut edges marked, never a row the terminal wraps", async () => {
    const atEnd = await editing([alphabet], { columns: () => 20 });
    expect(atEnd.lines).toEqual(["> <uvwxyz0123456789"]);
    expect(atEnd.cursor.x).toBe(19);
    const atStart = await editing([alphabet, "\x01"], { columns: () => 20 });
    expect(atStart.lines).toEqual(["> abcdefghijklmnop>"]);
    expect(atStart.cursor.x).toBe(2);
    const middle = await editing([alphabet, "\x01", ...Array<string>(20).fill(right)], { columns: () => 20 });
    expect(middle.lines[0]).toMatch(/^> <.{15}>$/);
    expect(middle.lines[0]).toContain("u");
    for (const screen of [atEnd, atStart, middle]) {
      expect(screen.wrapped).toEqual([]);
      expect(Math.max(...drawnWidths(screen.output))).toBeLessThanOrEqual(19);
    }
  });

  test("every cursor position, moving right and back, shows the character under the cursor", async () => {
    for (let steps = 0; steps <= alphabet.length; steps++) {
      const forth = await editing([alphabet, "\x01", ...Array<string>(steps).fill(right)], { columns: () => 20 });
      expect(forth.under).toBe(alphabet[steps] ?? "");
      const back = await editing([alphabet, ...Array<string>(alphabet.length - steps).fill(left)], { columns: () => 20 });
      expect(back.under).toBe(alphabet[steps] ?? "");
      for (const screen of [forth, back]) expect(Math.max(...drawnWidths(screen.output))).toBeLessThanOrEqual(19);
    }
  });

  test("wide characters at 20 columns: never cut in half, never past the row, the cursor on each", async () => {
    const text = "日本語のテキストはとても長いです、そうでしょう";
    const chars = [...text];
    for (let steps = 0; steps <= chars.length; steps++) {
      const screen = await editing([text, "\x01", ...Array<string>(steps).fill(right)], { columns: () => 20 });
      expect(screen.wrapped).toEqual([]);
      expect(Math.max(...drawnWidths(screen.output))).toBeLessThanOrEqual(19);
      expect(screen.under).toBe(chars[steps] ?? "");
    }
    const middle = await editing([text, "\x01", ...Array<string>(10).fill(right)], { columns: () => 20 });
    // A wide character that would not fit the last column before `>` leaves it blank.
    expect(middle.lines).toEqual(["> <テキストはとて>"]);
    expect(middle.under).toBe("て");
  });

  test("a window resized narrower: the next redraw fits it (an empty chunk redraws)", async () => {
    let columns = 60;
    const chunks = [alphabet, ""];
    let drained!: () => void;
    const done = new Promise<void>((resolve) => (drained = resolve));
    const input: LineInput = {
      read() {
        const chunk = chunks.shift();
        if (chunk === "") columns = 20;
        if (chunk !== undefined) return Promise.resolve(chunk);
        drained();
        return new Promise<never>(() => {});
      },
    };
    const written: string[] = [];
    void readLine("> ", optionsFor({ columns: () => columns }, input, written));
    await done;
    expect(drawnWidths(written.join(""))).toEqual([2, 2 + alphabet.length, 19]);
  });

  test("a prompt too long for the window is cut to its end, leaving the line room", async () => {
    const screen = await editing(["hi"], { prompt: "\x1b[1mmy very long session title>\x1b[0m ", columns: () => 20 });
    expect(screen.lines).toEqual(["<on title> hi"]);
    expect(Math.max(...drawnWidths(screen.output))).toBeLessThanOrEqual(19);
  });
});

describe("in a real terminal", () => {
  test("raw mode, keys as a terminal sends them, a paste, history and completion; the result as JSON", async () => {
    const demo = join(import.meta.dir, "fixtures/line-editor-demo.ts");
    const run = new PtyRun([process.execPath, demo], { HOME: process.env.HOME ?? "", PATH: process.env.PATH ?? "" }, { columns: 40, rows: 10 });
    // The prompt comes after raw mode is on: keys written before would be the line discipline's.
    await run.waitFor("demo> ");
    // Written key by key, read in whatever chunks the terminal makes of them.
    const keys = ["/he", "\t", "\x01", `${ESC}[3~`, "\x05", ` ${paste("a\rb")}`, `${ESC}[1;5D`, "!", up, up, down, down, "\x05", "日本", "\r"];
    for (const key of keys) run.write(key);
    await run.waitFor("RESULT ");
    expect(await run.finished()).toBe(0);
    const output = run.output;
    const json = output.slice(output.indexOf("RESULT ") + "RESULT ".length).split(/\r?\n/)[0]!;
    expect(JSON.parse(json)).toEqual({ kind: "line", text: "help a\n!b日本" });
    const screen = await run.screen();
    expect(screen.lines[0]).toBe("demo> help a");
    expect(screen.lines[1]).toBe("!b日本");
  });
});
