import { describe, expect, test } from "bun:test";
import { codeBlocks, demoteHeadings } from "../src/markdown-fences.ts";

describe("codeBlocks", () => {
  test.each<[string, string, { language: string | null; code: string }[]]>([
    ["none in plain text", "Just words.\n", []],
    ["one, with its language", "Run:\n```sh\nls -l\n```\n", [{ language: "sh", code: "ls -l\n" }]],
    ["two, each as written (trailing spaces kept)", "```ts\nconst a = 1;  \n```\nthen\n~~~\nb\n\n~~~", [
      { language: "ts", code: "const a = 1;  \n" },
      { language: null, code: "b\n\n" },
    ]],
    ["the language is the info string's first word", "```python title=\"x.py\"\npass\n```", [{ language: "python", code: "pass\n" }]],
    ["an empty block", "```\n```\n", [{ language: null, code: "" }]],
    ["a longer fence holds a shorter one", "````md\n```js\nx\n```\n````\n", [{ language: "md", code: "```js\nx\n```\n" }]],
    ["a closing fence has nothing after it", "```\na\n``` not closed\nb\n```\n", [{ language: null, code: "a\n``` not closed\nb\n" }]],
    ["backticks do not close tildes", "~~~\na\n```\n~~~\n", [{ language: null, code: "a\n```\n" }]],
    ["```js``` on one line is inline code, not a fence", "```js```\ntext\n", []],
    ["a block in a list item comes out at the margin", "1. Install:\n\n    ```sh\n    npm i\n      --save\n    ```\n", [{ language: "sh", code: "npm i\n  --save\n" }]],
    ["a block left open runs to the end", "Here:\n```py\nprint(1)", [{ language: "py", code: "print(1)\n" }]],
    ["CRLF lines stay as they are", "```\r\na\r\n```\r\n", [{ language: null, code: "a\r\n" }]],
  ])("%s", (_case, text, blocks) => {
    expect(codeBlocks(text)).toEqual(blocks);
  });
});

describe("demoteHeadings", () => {
  test.each<[string, string, string]>([
    ["each level moves down by two", "# A\n## B\n### C\n", "### A\n#### B\n##### C\n"],
    ["never beyond six", "#### D\n##### E\n###### F", "###### D\n###### E\n###### F"],
    ["# lines in fenced code stay", "# Title\n```sh\n# a comment\n## b\n```\n# After\n", "### Title\n```sh\n# a comment\n## b\n```\n### After\n"],
    ["what is not a heading stays", "#hashtag\n####### seven\n    # indented code\ntext # not at the start\n", "#hashtag\n####### seven\n    # indented code\ntext # not at the start\n"],
    ["up to three spaces in, an empty heading, a closing sequence", "   # x\n#\n## y ##\n", "   ### x\n###\n#### y ##\n"],
    ["no final newline stays none", "# A", "### A"],
    ["an empty text", "", ""],
  ])("%s", (_case, text, demoted) => {
    expect(demoteHeadings(text, 2)).toBe(demoted);
  });
});
