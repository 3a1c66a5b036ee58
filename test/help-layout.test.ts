import { describe, expect, test } from "bun:test";
import { renderUsage, type CommandDef } from "citty";
import type { SynapseCommand } from "../src/cli/command.ts";
import { chatCommand, groups } from "../src/cli/commands/index.ts";
import { displayWidth } from "../src/cli/fit-width.ts";
import { fitExample, fitUsage, wrapWords } from "../src/cli/help-layout.ts";

const cyan = (text: string) => `\x1b[36m${text}\x1b[39m`;

/** A table as citty renders one: labels padded at the start, descriptions at the end. */
const usage = [
  "Do a thing (tool)",
  "",
  "USAGE tool [OPTIONS] <QUERY>",
  "",
  "OPTIONS",
  "",
  `  ${cyan("-n, --limit=<count>")}    How many to show, and a few more words so that the line is long      `,
  `               ${cyan("--json")}    Print JSON                                                           `,
  "",
].join("\n");

describe("fitUsage", () => {
  test("a description wraps at word boundaries in its own column", () => {
    const lines = fitUsage(usage, 60).split("\n");
    expect(lines.map((l) => Bun.stripANSI(l))).toEqual([
      "Do a thing (tool)",
      "",
      "USAGE tool [OPTIONS] <QUERY>",
      "",
      "OPTIONS",
      "",
      "  -n, --limit=<count>    How many to show, and a few more",
      "                         words so that the line is long",
      "               --json    Print JSON",
      "",
    ]);
    // The label keeps its colour.
    expect(lines[6]).toStartWith(`  ${cyan("-n, --limit=<count>")}    How`);
  });

  test("when the column would be narrower than 20, each description goes under its label", () => {
    const lines = fitUsage(usage, 40).split("\n").map((l) => Bun.stripANSI(l));
    expect(lines.slice(6)).toEqual(["  -n, --limit=<count>", "      How many to show, and a few more", "      words so that the line is long", "  --json", "      Print JSON", ""]);
  });

  test("the usage line goes on under the command, after USAGE", () => {
    expect(fitUsage("USAGE tool [OPTIONS] <QUERY> [MORE]", 22).split("\n")).toEqual(["USAGE tool [OPTIONS]", "      <QUERY> [MORE]"]);
  });

  test("the padding citty adds is dropped, so a line whose words fit does not wrap", () => {
    expect(fitUsage(`  ${cyan("--json")}    Print JSON${" ".repeat(70)}`, 40)).toBe(`  ${cyan("--json")}    Print JSON`);
  });
});

describe("fitExample", () => {
  test("one that fits is as it was, indented by two", () => {
    expect(fitExample("synapse sessions list", 80)).toBe("  synapse sessions list");
  });

  test("a long one is broken between words, never inside quotes, each line but the last ending in a backslash", () => {
    expect(fitExample('synapse -p openai -m gpt-4o-mini --system "Answer in one line" "Capital of Peru?"', 40).split("\n")).toEqual([
      "  synapse -p openai -m gpt-4o-mini \\",
      '      --system "Answer in one line" \\',
      '      "Capital of Peru?"',
    ]);
  });

  test("a quoted word too long for the usual indent is indented less, so it stays whole", () => {
    expect(fitExample('synapse -s 0b5e2c1e "And what does synchronous=FULL add?"', 40).split("\n")).toEqual([
      "  synapse -s 0b5e2c1e \\",
      '   "And what does synchronous=FULL add?"',
    ]);
  });

  test("a word wider than the window: wrapped like prose, within the width", () => {
    const lines = fitExample('synapse "a quoted message far too long for this window"', 20).split("\n");
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(20);
    expect(lines.join(" ").replace(/\s+/g, " ").trim()).toBe('synapse "a quoted message far too long for this window"');
  });
});

describe("wrapWords", () => {
  test.each([
    ["fits", "a few words", 20, ["a few words"]],
    ["at word boundaries", "one two three four", 9, ["one two", "three", "four"]],
    ["a word longer than the line is broken where the line is full", "abcdefghij xy", 4, ["abcd", "efgh", "ij", "xy"]],
    ["wide characters are not split", "日本語テキスト", 5, ["日本", "語テ", "キス", "ト"]],
    ["a wide character in one column still goes, alone", "日本", 1, ["日", "本"]],
  ])("%s", (_name, text, room, lines) => {
    expect(wrapWords(text, room)).toEqual(lines);
  });

  test("the first line can have another room than the others", () => {
    expect(wrapWords("one two three four", 3, 13)).toEqual(["one", "two three", "four"]);
  });
});

test("every command's help fits every width from 20 to 120 columns, loses nothing, and breaks only words longer than a line", async () => {
  const chat = await chatCommand();
  const commands: [SynapseCommand, SynapseCommand | undefined][] = [[{ ...chat, subCommands: groups }, undefined]];
  for (const group of [await groups.sessions!(), await groups.config!()]) {
    commands.push([group, undefined]);
    for (const load of Object.values(group.subCommands ?? {})) commands.push([await load(), group]);
  }
  for (const [command, parent] of commands) {
    const rendered = await renderUsage(command as unknown as CommandDef, parent as unknown as CommandDef | undefined);
    const words = (text: string) => Bun.stripANSI(text).split(/\s+/).filter(Boolean);
    for (let width = 20; width <= 120; width++) {
      const fitted = fitUsage(rendered, width);
      for (const line of fitted.split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      expect(words(fitted).join("")).toBe(words(rendered).join(""));
      // Only a word longer than its line is broken; no line has less room than this.
      const room = Math.min(20, width - 6);
      const whole = new Set(words(fitted));
      for (const word of words(rendered)) if (displayWidth(word) <= room) expect(whole).toContain(word);
      for (const example of command.examples ?? []) {
        for (const line of fitExample(example, width).split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      }
    }
  }
});
