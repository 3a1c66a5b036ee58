import { describe, expect, test } from "bun:test";
import { displayWidth, escapesIn, fitWidth, splitAtWidth } from "../src/cli/fit-width.ts";

const bold = (text: string) => `\x1b[1m${text}\x1b[22m`;
const family = "👨‍👩‍👧"; // one grapheme of five code points, two columns
const flag = "🇫🇷"; // two regional indicators, one grapheme
const accented = "e\u0301"; // e and a combining acute accent

/** No half of a surrogate pair left alone. */
function wellFormed(text: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

describe("fitWidth", () => {
  test.each([
    ["fits: unchanged", "hello", 10, "hello"],
    ["exact fit: unchanged, no …", "hello", 5, "hello"],
    ["one column short: cut with …", "hello", 4, "hel…"],
    ["width 1: only the …", "hello", 1, "…"],
    ["width 0: nothing", "hello", 0, ""],
    ["empty text", "", 3, ""],
    ["CJK, two columns each: never half of one", "日本語テキスト", 6, "日本…"],
    ["CJK, a wide character that would straddle the edge is left out", "日本語テキスト", 5, "日本…"],
    ["CJK exact fit", "日本語", 6, "日本語"],
    ["an emoji is two columns and one surrogate pair", "🙂🙂🙂", 4, "🙂…"],
    ["an emoji that does not fit beside the … is left out whole", "🙂🙂", 2, "…"],
    ["a ZWJ family stays one piece", `${family}${family}x`, 4, `${family}…`],
    ["a flag stays one piece", `${flag}${flag}`, 3, `${flag}…`],
    ["a combining accent stays with its letter", `caf${accented}${accented}${accented}`, 5, `caf${accented}…`],
    ["a wide character at width 1", "日本", 1, "…"],
  ])("%s", (_name, text, width, expected) => {
    const fitted = fitWidth(text, width);
    expect(fitted).toBe(expected);
    expect(displayWidth(fitted)).toBeLessThanOrEqual(Math.max(0, width));
    expect(wellFormed(fitted)).toBe(true);
  });

  test("escape sequences take no room and are kept whole, the closing one too", () => {
    expect(fitWidth(bold("lantern light"), 13)).toBe(bold("lantern light"));
    expect(fitWidth(bold("lantern light"), 5)).toBe("\x1b[1mlant…\x1b[22m");
    expect(fitWidth(`${bold("ab")}cdef`, 3)).toBe(`${bold("ab")}…`);
    // Cut before the colour starts: both of its sequences kept, around nothing.
    expect(fitWidth(`abcdef${bold("gh")}`, 4)).toBe("abc…\x1b[1m\x1b[22m");
    expect(fitWidth(`\x1b[1;33m${"日本語"}\x1b[22;39m`, 1)).toBe("\x1b[1;33m…\x1b[22;39m");
  });

  test("a cut at every width, in text mixing ANSI, CJK, emoji and accents, never exceeds it nor splits anything", () => {
    const text = `id ${bold(`日本 ${family} caf${accented}`)} \x1b[2m${flag}🙂 end\x1b[22m`;
    const opens = (s: string) => s.split("\x1b[").length;
    for (let width = 1; width <= displayWidth(text) + 1; width++) {
      const fitted = fitWidth(text, width);
      expect(displayWidth(fitted)).toBeLessThanOrEqual(width);
      expect(wellFormed(fitted)).toBe(true);
      // Every escape sequence survives whole.
      expect(escapesIn(fitted)).toBe(escapesIn(text));
      expect(opens(fitted)).toBe(opens(text));
      if (width < displayWidth(text)) expect(Bun.stripANSI(fitted)).toEndWith("…");
      else expect(fitted).toBe(text);
    }
  });
});

describe("splitAtWidth", () => {
  test.each([
    ["ASCII", "abcdef", 3, "abc", "def"],
    ["all fits", "abc", 5, "abc", ""],
    ["a wide character is not split across the edge", "a日本", 2, "a", "日本"],
    ["emoji", "🙂🙂", 3, "🙂", "🙂"],
    ["escapes before the split go with the head", "\x1b[1mab\x1b[22mcd", 2, "\x1b[1mab\x1b[22m", "cd"],
    ["zero columns", "abc", 0, "", "abc"],
  ])("%s", (_name, text, columns, head, rest) => {
    expect(splitAtWidth(text, columns)).toEqual({ head, rest });
  });
});
