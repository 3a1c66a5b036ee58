/**
 * The command line read once (src/cli/argv.ts): the flags every command shares, where the
 * command's name is, and each command's arguments checked and read. End to end, the same is
 * seen through the real CLI in cli.test.ts.
 */
import { describe, expect, test } from "bun:test";
import type { ArgsDef } from "citty";
import { firstWord, readArgs, readArgv } from "../src/cli/argv.ts";
import chat from "../src/cli/commands/chat.ts";
import exportCommand from "../src/cli/commands/sessions/export.ts";
import list from "../src/cli/commands/sessions/list.ts";
import prune from "../src/cli/commands/sessions/prune.ts";

describe("readArgv", () => {
  test.each([
    [["hi"], { debug: false, help: false, version: false }],
    [["--debug", "hi"], { debug: true, help: false, version: false }],
    [["sessions", "list", "-h"], { debug: false, help: true, version: false }],
    [["--help", "--debug"], { debug: true, help: true, version: false }],
    // After `--` they are words of the message.
    [["--", "--help", "--debug"], { debug: false, help: false, version: false }],
    [["--debug=1", "hi"], { debug: false, help: false, version: false }],
    [["--version"], { debug: false, help: false, version: true }],
    [["-v"], { debug: false, help: false, version: true }],
    // Only as the sole argument: elsewhere it is an unknown option of the command.
    [["--version", "hi"], { debug: false, help: false, version: false }],
  ])("%j", (argv, expected) => {
    const { debug, help, version } = readArgv(argv);
    expect({ debug, help, version }).toEqual(expected);
  });

  test("each argument is read as a flag (with its value after =), a word, or an operand after --", () => {
    expect(readArgv(["-s", "abcd", "--continue=Trip", "-", "--", "-p"]).args).toEqual([
      { kind: "flag", text: "-s", flag: "-s", inline: undefined },
      { kind: "word", text: "abcd" },
      { kind: "flag", text: "--continue=Trip", flag: "--continue", inline: "Trip" },
      { kind: "word", text: "-" },
      { kind: "end", text: "--" },
      { kind: "operand", text: "-p" },
    ]);
  });
});

describe("firstWord", () => {
  const chatArgs = chat.args as ArgsDef;
  test.each([
    [["sessions", "list"], chatArgs, 0],
    // -s takes a value: "sessions" is the session here, and "list" the message.
    [["-s", "sessions", "list"], chatArgs, 2],
    [["--session=x", "sessions"], chatArgs, 1],
    [["-c", "sessions"], chatArgs, 1],
    [["--", "sessions"], chatArgs, -1],
    // A table that knows no flag takes every flag for one without a value.
    [["--limit", "5", "list"], {}, 1],
    [["--json"], {}, -1],
  ])("%j", (argv, args, expected) => {
    expect(firstWord(readArgv(argv).args, args)).toBe(expected);
  });
});

describe("readArgs", () => {
  const commands = { chat, export: exportCommand, list, prune } as Record<string, { args?: ArgsDef; variadic?: boolean }>;
  const read = (command: string, argv: string[]) => {
    const { values, inline } = readArgs(readArgv(argv).args, commands[command]!, "synapse");
    return { values: { ...values } as Record<string, unknown>, inline };
  };

  test.each<[string, string, string[], Record<string, unknown>, Record<string, string>]>([
    ["words are the message", "chat", ["Hello", "there"], { _: ["Hello", "there"], message: "Hello" }, {}],
    ["a flag's value, by its name and its alias", "chat", ["-s", "abcd", "hi"], { _: ["hi"], message: "hi", session: "abcd", s: "abcd" }, {}],
    ["a value after =, empty too", "chat", ["--title=", "hi"], { _: ["hi"], message: "hi", title: "" }, {}],
    ["the last value wins", "chat", ["-m", "a", "-m", "b", "hi"], { _: ["hi"], message: "hi", model: "b", m: "b" }, {}],
    ["a value is taken as typed, even one that looks like a flag", "chat", ["-p", "--no-json", "hi"], { _: ["hi"], message: "hi", provider: "--no-json", p: "--no-json" }, {}],
    ["after --, flags are words", "chat", ["--", "-p", "x"], { _: ["-p", "x"], message: "-p" }, {}],
    ["--continue alone", "chat", ["-c", "hi"], { _: ["hi"], message: "hi", continue: true, c: true }, {}],
    ["--continue=REF keeps the reference aside", "chat", ["--continue=Trip", "hi"], { _: ["hi"], message: "hi", continue: true, c: true }, { continue: "Trip" }],
    ["--continue=false is a reference too", "chat", ["--continue=false", "hi"], { _: ["hi"], message: "hi", continue: false, c: false }, { continue: "false" }],
    ["the first --continue=REF is the one", "chat", ["--continue=A", "--continue=B", "hi"], { _: ["hi"], message: "hi", continue: true, c: true }, { continue: "A" }],
    ["a --no-X wins wherever it stands", "chat", ["--no-continue", "-c", "hi"], { _: ["hi"], message: "hi", continue: false, c: false }, {}],
    ["a kebab-case flag", "prune", ["--dry-run"], { _: [], "dry-run": true }, {}],
    ["an enum's default", "export", ["abcd"], { _: ["abcd"], session: "abcd", format: "json" }, {}],
    ["an enum's value", "export", ["abcd", "--format", "markdown"], { _: ["abcd"], session: "abcd", format: "markdown" }, {}],
    ["an enum's other name", "export", ["abcd", "--format", "md"], { _: ["abcd"], session: "abcd", format: "md" }, {}],
    ["-n and its value", "list", ["-n", "5", "--json"], { _: [], limit: "5", n: "5", json: true }, {}],
  ])("%s", (_case, command, argv, values, inline) => {
    expect(read(command, argv)).toEqual({ values, inline });
  });

  test("a value flag given again keeps every value, in order: -f is repeatable", () => {
    const line = readArgv(["-f", "a.md", "--file", "b c.png", "--file=d.txt", "-m", "x", "hi"]).args;
    const { values, repeated } = readArgs(line, commands.chat!, "synapse");
    expect(repeated).toEqual({ file: ["a.md", "b c.png", "d.txt"], model: ["x"] });
    expect((values as Record<string, unknown>).file).toBe("d.txt");
    expect(readArgs(readArgv(["hi"]).args, commands.chat!, "synapse").repeated).toEqual({});
    expect(() => readArgs(readArgv(["hi", "-f"]).args, commands.chat!, "synapse")).toThrow("-f needs a value");
  });

  test.each<[string, string[], string]>([
    ["chat", ["--bogus", "hi"], "unknown option --bogus"],
    ["chat", ["--no-title", "hi"], "unknown option --no-title"],
    ["chat", ["--version", "hi"], "unknown option --version"],
    ["chat", ["-s"], "-s needs a value"],
    ["chat", ["-s", "--", "hi"], "-s needs a value"],
    ["chat", ["-s=abcd", "hi"], "write -s VALUE (with a space), not -s=VALUE"],
    ["list", ["extra"], "too many arguments: synapse takes none"],
    ["export", ["abcd", "junk"], "too many arguments: synapse takes one"],
    ["export", [], "missing required argument SESSION"],
    ["export", ["--format", "pdf"], "missing required argument SESSION"],
    ["export", ["abcd", "--format", "pdf"], '--format must be one of json, markdown, md, not "pdf"'],
  ])("%s %j is refused", (command, argv, message) => {
    expect(() => read(command, argv)).toThrow(message);
  });
});
