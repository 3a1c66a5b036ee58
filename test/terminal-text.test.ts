import { describe, expect, test } from "bun:test";
import { oneLine, terminalSafeJson, textFor, visible, visibleStream } from "../src/cli/terminal-text.ts";

describe("visible", () => {
  test.each([
    ["plain text, newlines and tabs stay", "a\tb\nc", "a\tb\nc"],
    ["ESC", "\x1b[2J", "\\x1b[2J"],
    ["BEL and NUL", "\x07\x00", "\\x07\\x00"],
    ["a lone CR, which would let later text hide earlier text", "rm -rf ~\rls", "rm -rf ~\\x0dls"],
    ["CRLF stays a line break", "one\r\ntwo", "one\r\ntwo"],
    ["DEL", "\x7f", "\\x7f"],
    ["C1, U+009B being a CSI by itself", "\u009b2J\u0085", "\\x9b2J\\x85"],
    ["bidi overrides and isolates", "\u202eabc\u2066d\u2069", "\\u202eabc\\u2066d\\u2069"],
    ["accents, emoji and right-to-left letters stay", "café 🧠 שלום \u200f", "café 🧠 שלום \u200f"],
  ])("%s", (_name, input, shown) => {
    expect(visible(input)).toBe(shown);
  });

  test("textFor leaves text alone off a terminal", () => {
    expect(textFor({ isTTY: false })("\x1b]0;t\x07")).toBe("\x1b]0;t\x07");
    expect(textFor({})("\x1b")).toBe("\x1b");
    expect(textFor({ isTTY: true })("\x1b")).toBe("\\x1b");
  });
});

describe("visibleStream", () => {
  test("an escape sequence split across pieces is caught; a CR at a piece's end waits for the next", () => {
    const stream = visibleStream();
    const out = ["Hi \x1b", "]0;title\x07 there\r", "\nnext\r", "x", "\r"].map((piece) => stream.push(piece)).join("") + stream.end();
    expect(out).toBe("Hi \\x1b]0;title\\x07 there\r\nnext\\x0dx\\x0d");
  });
});

test("terminalSafeJson escapes what JSON.stringify leaves raw, and parses back to the same value", () => {
  const value = { text: "\x1b[2J \u009b \x7f \u202e é" };
  const json = terminalSafeJson(JSON.stringify(value));
  expect(json).not.toMatch(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  expect(JSON.parse(json)).toEqual(value);
});

describe("oneLine", () => {
  test("escapes every control character, newline, tab and CRLF included, and bidi controls", () => {
    expect(oneLine("a\nb\tc\r\nd\x1b[2J\x7f\x9b\u202e\u2066e")).toBe("a\\x0ab\\x09c\\x0d\\x0ad\\x1b[2J\\x7f\\x9b\\u202e\\u2066e");
    expect(oneLine("plain — ünïcode 🙂")).toBe("plain — ünïcode 🙂");
  });
});
