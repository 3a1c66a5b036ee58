import { describe, expect, test } from "bun:test";
import { displayWidth } from "../src/cli/fit-width.ts";
import { fitMarked, marked, pieces, type Piece } from "../src/cli/snippet.ts";

const parts: Piece[] = [
  { text: "the ", hit: false },
  { text: "lantern", hit: true },
  { text: " 日本 🙂 and a second ", hit: false },
  { text: "lantern", hit: true },
];
const color = ["\x1b[1;33m", "\x1b[22;39m"] as const;

describe("fitMarked", () => {
  test("fits: the same as marked", () => {
    expect(fitMarked(parts, "**", "**", 100)).toBe(marked(parts, "**", "**"));
    expect(marked(parts, "**", "**")).toBe("the **lantern** 日本 🙂 and a second **lantern**");
  });

  test.each([
    ["cut between hits, a wide character left out whole", 22, "the **lantern** 日本 …"],
    ["a hit cut short keeps its closing mark, the … inside", 11, "the **la…**"],
    ["no room for any of a hit: only the …", 7, "the …"],
    ["width 1", 1, "…"],
  ])("%s", (_name, room, expected) => {
    expect(fitMarked(parts, "**", "**", room)).toBe(expected);
  });

  test("at every width: within it, marks balanced, colours closed", () => {
    for (let room = 1; room <= 60; room++) {
      const plain = fitMarked(parts, "**", "**", room);
      expect(displayWidth(plain)).toBeLessThanOrEqual(room);
      expect(plain.split("**").length % 2).toBe(1);
      const colored = fitMarked(parts, ...color, room);
      expect(displayWidth(colored)).toBeLessThanOrEqual(room);
      expect(colored.split(color[0]).length).toBe(colored.split(color[1]).length);
    }
  });
});

test("pieces: the stretches between hits and the hits, in order", () => {
  expect(pieces("a lantern b", [{ start: 2, end: 9 }])).toEqual([
    { text: "a ", hit: false },
    { text: "lantern", hit: true },
    { text: " b", hit: false },
  ]);
});
