/**
 * Fenced code blocks in a whole Markdown text (a stored reply): the code in them, for
 * `sessions show -x`, and the lines outside them, where the Markdown export moves headings.
 *
 * Fences are read as CommonMark reads them (three or more backticks or tildes; closed by a
 * line of at least as many of the same character and nothing else; a backtick fence's info
 * string holds no backtick; a fence left open runs to the end), with one liberty: a fence
 * may be indented any amount. Models nest code in list items four or more spaces deep, which
 * renderers show as code, and that is the code a user wants out of a reply. (The streaming
 * renderer, `cli/markdown-stream.ts`, only needs the fences that end blocks at the margin.)
 */

/** A fence: its indentation, its marker, and what follows (`[^]`, since `.` stops at a CRLF's `\r`). */
const fenceLine = /^([ \t]*)(`{3,}|~{3,})([^]*)$/;

/** The fence a code line is in. */
export interface Fence {
  /** How many characters of indentation the opening line had: as many are taken off the code's lines. */
  indent: number;
  char: string;
  length: number;
  /** The info string's first word (`ts` in ```` ```ts title="a.ts" ````), or null. */
  language: string | null;
}

/** One line of a text, and what it is: outside any fence, a fence, or code inside one. */
export interface MarkdownLine {
  /** The line without its `\n` (a CRLF's `\r` stays: the text is kept as it is). */
  text: string;
  kind: "text" | "open" | "code" | "close";
  /** The fence it opens, closes or is inside; null for a line outside any. */
  fence: Fence | null;
}

/** A fenced code block: its language, and its lines as written, each ending with `\n`. */
export interface CodeBlock {
  language: string | null;
  code: string;
}

/** The lines of `text` (split at `\n`; none after a final `\n`), each marked by where it is. */
export function* markdownLines(text: string): Generator<MarkdownLine> {
  const lines = text.split("\n");
  // A final newline ends the last line; it does not start an empty one.
  if (lines.at(-1) === "") lines.pop();
  let fence: Fence | null = null;
  for (const line of lines) {
    if (fence !== null) {
      const close = fenceLine.exec(line);
      const marker = close?.[2];
      if (marker !== undefined && marker[0] === fence.char && marker.length >= fence.length && close![3]!.trim() === "") {
        yield { text: line, kind: "close", fence };
        fence = null;
      } else {
        yield { text: line, kind: "code", fence };
      }
      continue;
    }
    const open = fenceLine.exec(line);
    const [, indent, marker, info] = open ?? [];
    // A backtick fence's info string may not hold a backtick: "```js```" is inline code, not a fence.
    if (indent !== undefined && marker !== undefined && info !== undefined && !(marker[0] === "`" && info.includes("`"))) {
      fence = { indent: indent.length, char: marker[0]!, length: marker.length, language: info.trim().split(/\s+/, 1)[0] || null };
      yield { text: line, kind: "open", fence };
      continue;
    }
    yield { text: line, kind: "text", fence: null };
  }
}

/**
 * The fenced code blocks of `text`, in order: what is between the fences, as written, with as
 * much indentation taken off each line as the opening fence had (a block in a list item comes
 * out at the margin). A block left open (a reply cut short) runs to the end of the text.
 *
 * @example
 * codeBlocks("Run:\n```sh\nls -l\n```\n"); // [{ language: "sh", code: "ls -l\n" }]
 */
export function codeBlocks(text: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let current: CodeBlock | null = null;
  for (const line of markdownLines(text)) {
    if (line.kind === "open") {
      current = { language: line.fence!.language, code: "" };
      blocks.push(current);
    } else if (line.kind === "code" && current !== null) {
      current.code += `${outdent(line.text, line.fence!.indent)}\n`;
    } else {
      current = null;
    }
  }
  return blocks;
}

/** `line` without up to `indent` leading spaces or tabs (CommonMark takes off the fence's indentation). */
function outdent(line: string, indent: number): string {
  let cut = 0;
  while (cut < indent && (line[cut] === " " || line[cut] === "\t")) cut += 1;
  return line.slice(cut);
}

/** An ATX heading: up to three spaces, one to six `#`, then a space, a tab or the end of the line. */
const atxHeading = /^( {0,3})(#{1,6})(?=[ \t\r]|$)/;

/**
 * `text` with each of its headings `levels` deeper (`#` → `###` for 2), never beyond `######`,
 * so that a text placed under a heading of its own keeps the document's outline. Lines inside
 * fenced code (a shell comment, a C `#include`) are left as they are, and so is everything else.
 *
 * @example
 * demoteHeadings("# Plan\n```sh\n# not a heading\n```", 2); // "### Plan\n```sh\n# not a heading\n```"
 */
export function demoteHeadings(text: string, levels: number): string {
  let out = "";
  for (const line of markdownLines(text)) {
    out += `${line.kind === "text" ? line.text.replace(atxHeading, (_, indent: string, marks: string) => `${indent}${"#".repeat(Math.min(6, marks.length + levels))}`) : line.text}\n`;
  }
  // As many newlines at the end as the text had: none when it ended without one.
  return text.endsWith("\n") || text === "" ? out : out.slice(0, -1);
}
