/**
 * The streaming Markdown renderer: a reply cut into pieces however the network cut it ends on
 * the same screen as the reply rendered at once. Screens are read by a headless xterm, a real
 * terminal emulator, fed the bytes the renderer wrote.
 */
import { describe, expect, test } from "bun:test";
import { Terminal } from "@xterm/headless";
import { MarkdownStream, rowsOf } from "../src/cli/markdown-stream.ts";
import { randomPieces, recordedReply } from "./_markdown-reply.ts";

/** What a terminal of this size shows (scrollback included) once it has been sent `writes`. */
async function screenOf(writes: readonly string[], columns: number, rows: number): Promise<string[]> {
  const terminal = new Terminal({ cols: columns, rows, scrollback: 5000, allowProposedApi: true, convertEol: true });
  for (const bytes of writes) await new Promise<void>((resolve) => terminal.write(bytes, resolve));
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)!.translateToString(true));
  while (lines.at(-1) === "") lines.pop();
  terminal.dispose();
  return lines;
}

function rendered(pieces: readonly string[], columns: number, rows: number | null): string[] {
  const stream = new MarkdownStream({ columns: () => columns, rows: rows === null ? null : () => rows, colors: true });
  return [...pieces.map((piece) => stream.push(piece)), stream.end()];
}

describe("a reply streamed in pieces renders as the whole reply does", () => {
  for (const columns of [80, 40]) {
    test(`on a terminal ${columns} columns wide, for many random cuts`, async () => {
      const whole = await screenOf(rendered([recordedReply], columns, 40), columns, 40);
      expect(whole.join("\n")).toContain("Moving a SQLite database");
      expect(whole.join("\n")).not.toContain("**readers**");
      for (let seed = 1; seed <= 12; seed++) {
        const pieces = randomPieces(recordedReply, seed);
        expect(await screenOf(rendered(pieces, columns, 40), columns, 40)).toEqual(whole);
      }
    });
  }

  test("one character at a time, in a window shorter than a block", async () => {
    const whole = await screenOf(rendered([recordedReply], 40, 6), 40, 6);
    expect(await screenOf(rendered([...recordedReply], 40, 6), 40, 6)).toEqual(whole);
  });

  test("written to no terminal (render = always into a pipe), the bytes are the same however the text was cut", () => {
    const whole = rendered([recordedReply], 80, null).join("");
    for (let seed = 1; seed <= 12; seed++) expect(rendered(randomPieces(recordedReply, seed), 80, null).join("")).toBe(whole);
  });

  test("the words of a block appear before the block is complete", () => {
    const stream = new MarkdownStream({ columns: () => 80, rows: () => 40, colors: true });
    expect(stream.push("Some **bo")).toBe("Some **bo");
    expect(stream.push("ld** text")).toBe("ld** text");
    // The next block begins: the first is rendered in place of its source.
    const out = stream.push("\n\nNext");
    expect(out.startsWith("\r\x1b[J")).toBe(true);
    expect(Bun.stripANSI(out)).toBe("\r" + "Some bold text\nNext");
  });

  test("a code block taller than the window is held, then rendered whole", async () => {
    const code = ["```", ...Array.from({ length: 30 }, (_, i) => `line ${i}`), "```", "", "After."].join("\n");
    const pieces = randomPieces(code, 7);
    const whole = await screenOf(rendered([code], 40, 10), 40, 10);
    expect(await screenOf(rendered(pieces, 40, 10), 40, 10)).toEqual(whole);
    expect(whole.filter((line) => line.includes("line 29"))).toHaveLength(1);
  });

  test("escape sequences in the reply are shown, never obeyed", () => {
    const out = rendered(["Title \x1b]0;PWNED\x07 and \x1b[2J end\n\nmore \u202e text\n"], 80, 40).join("");
    expect(out).not.toContain("\x1b]0;");
    expect(out).not.toContain("\x1b[2J");
    expect(out).not.toContain("\u202e");
    expect(Bun.stripANSI(out)).toContain("\\x1b]0;PWNED\\x07");
    expect(Bun.stripANSI(out)).toContain("\\u202e");
  });

  test("without colours the layout stays: tables, lists and rules in plain characters", () => {
    const stream = new MarkdownStream({ columns: () => 80, rows: null, colors: false });
    const out = stream.push(recordedReply) + stream.end();
    expect(out).not.toContain("\x1b[");
    expect(out).toContain("| journal_mode | WAL");
    expect(out).toContain("Moving a SQLite database to WAL mode\n====");
  });

  test("a window resized mid-reply leaves no unrendered text behind", async () => {
    const pieces = randomPieces(recordedReply, 3);
    let columns = 80;
    const stream = new MarkdownStream({ columns: () => columns, rows: () => 40, colors: true });
    const terminal = new Terminal({ cols: 80, rows: 40, scrollback: 5000, allowProposedApi: true, convertEol: true });
    const write = (bytes: string) => new Promise<void>((resolve) => terminal.write(bytes, resolve));
    for (const [i, piece] of pieces.entries()) {
      if (i === Math.floor(pieces.length / 2)) {
        columns = 50;
        terminal.resize(50, 40);
      }
      await write(stream.push(piece));
    }
    await write(stream.end());
    const buffer = terminal.buffer.active;
    const screen: string[] = [];
    for (let i = 0; i < buffer.length; i++) screen.push(buffer.getLine(i)!.translateToString(true));
    const text = screen.join("\n");
    // No Markdown source is left on the screen, and the last block appears once.
    expect(text).not.toContain("**readers**");
    expect(text).not.toContain("|---|");
    expect(text).not.toContain("```");
    expect(text.match(/See the SQLite docs/g)).toHaveLength(1);
  });
});

describe("rowsOf", () => {
  test("counts the rows a terminal wraps each line into", () => {
    expect(rowsOf("", 10)).toBe(1);
    expect(rowsOf("abc", 10)).toBe(1);
    expect(rowsOf("0123456789", 10)).toBe(1);
    expect(rowsOf("0123456789a", 10)).toBe(2);
    expect(rowsOf("a\n\nb", 10)).toBe(3);
    expect(rowsOf("a\r\nb", 10)).toBe(2);
    // Wide characters take two columns each.
    expect(rowsOf("日本語日本語", 10)).toBe(2);
  });
});
