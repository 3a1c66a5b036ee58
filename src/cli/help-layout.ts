/**
 * `--help` laid out for a terminal's width. citty's renderUsage pads every description to the
 * longest one and never wraps, so on a narrow window each option's line wraps at the window's
 * edge, into the label column of the next. Here each description is word-wrapped in its own
 * column, or, when that column would be too narrow to read, set on lines of its own under its
 * label; examples are broken with a `\` so they still paste as one command.
 */
import { displayWidth, splitAtWidth } from "./fit-width.ts";

/** Below this many columns a description goes under its label rather than beside it. */
const narrowestDescription = 20;
/** Where a description set under its label starts, and an example's continuation lines. */
const hangingIndent = 6;

// A row of citty's tables: "  " + label padded to the longest + "    " + description padded.
// Labels and descriptions hold single spaces only, so the first run of four or more ends the label.
const tableRow = /^( {2,}\S.*?)( {4,})(\S.*)$/;

/** citty's usage text, each line within `width` columns. */
export function fitUsage(usage: string, width: number): string {
  const out: string[] = [];
  let table: Row[] = [];
  const endTable = () => {
    out.push(...fitTable(table, width));
    table = [];
  };
  for (const raw of usage.split("\n")) {
    // citty pads descriptions with spaces, which would wrap a line whose words fit.
    const line = raw.trimEnd();
    const row = tableRow.exec(line);
    if (row !== null) {
      table.push({ label: row[1]!, gap: row[2]!, description: row[3]! });
      continue;
    }
    endTable();
    // The usage line goes on under the command's name, after `USAGE `.
    const indent = /^ *(USAGE )?/.exec(Bun.stripANSI(line))![0].length;
    out.push(...wrapped(line, width, 0, indent));
  }
  endTable();
  return out.join("\n");
}

/** An example command line, indented by two, within `width` columns. */
export function fitExample(example: string, width: number): string {
  const line = `  ${example}`;
  if (displayWidth(line) <= width) return line;
  const words = shellWords(example);
  // Each line but the last ends with ` \`, so the lines paste as one command.
  const lines: string[] = [];
  let current = `  ${words[0] ?? ""}`;
  for (let i = 1; i < words.length; i++) {
    const word = words[i]!;
    const after = i < words.length - 1 ? " \\".length : 0;
    if (displayWidth(current) + 1 + displayWidth(word) + after <= width) {
      current += ` ${word}`;
      continue;
    }
    lines.push(`${current} \\`);
    // Less indented than the others when that lets a long word (a quoted message) fit whole.
    const indent = Math.min(indentFor(hangingIndent, width), width - displayWidth(word) - after);
    current = `${" ".repeat(Math.max(0, indent))}${word}`;
  }
  lines.push(current);
  // A word wider than the window cannot be broken so that it still pastes: then the example is
  // wrapped like prose, which at least can be read.
  if (lines.some((l) => displayWidth(l) > width)) return wrapped(line, width, 2, hangingIndent).join("\n");
  return lines.join("\n");
}

interface Row {
  /** Padded to the longest label of its table, with the two spaces before it. */
  label: string;
  gap: string;
  description: string;
}

/**
 * A table's rows: as they are when all fit, else each description wrapped in its column, or,
 * when that column would be too narrow, under its label. All rows of a table share the column,
 * so a table is laid out one way.
 */
function fitTable(rows: readonly Row[], width: number): string[] {
  const whole = rows.map((row) => `${row.label}${row.gap}${row.description}`);
  if (whole.every((line) => displayWidth(line) <= width)) return whole;
  return rows.flatMap(({ label, gap, description }) => {
    const column = displayWidth(label) + gap.length;
    if (width - column >= narrowestDescription) {
      const [first = "", ...rest] = wrapWords(description, width - column);
      const pad = " ".repeat(column);
      return [`${label}${gap}${first}`, ...rest.map((l) => `${pad}${l}`)];
    }
    // The label, set left: right-aligned to the others' end, it would line up with nothing now.
    const indent = indentFor(hangingIndent, width);
    return [...wrapped(`  ${label.trimStart()}`, width, 2, 2), ...wrapped(`${" ".repeat(indent)}${description}`, width, indent, indent)];
  });
}

/**
 * `line` (starting with `first` columns of spaces) word-wrapped to `width`, the lines after the
 * first indented by `indent`.
 */
function wrapped(line: string, width: number, first: number, indent: number): string[] {
  if (displayWidth(line) <= width) return [line];
  const lead = indentFor(first, width);
  const pad = indentFor(indent, width);
  const [head = "", ...rest] = wrapWords(line.slice(first), width - lead, width - pad);
  return [`${" ".repeat(lead)}${head}`, ...rest.map((l) => `${" ".repeat(pad)}${l}`)];
}

/** An indent that leaves a line at least 10 columns for its text, where the window has them. */
function indentFor(indent: number, width: number): number {
  return Math.max(0, Math.min(indent, width - 10));
}

/**
 * `text` broken at spaces into lines of at most `firstRoom` columns for the first and `room`
 * for the others (at least one); a word longer than a line is broken where the line is full.
 */
export function wrapWords(text: string, firstRoom: number, room = firstRoom): string[] {
  const lines: string[] = [];
  const roomNow = () => Math.max(1, lines.length === 0 ? firstRoom : room);
  let line: string | null = null;
  let used = 0;
  for (let word of text.split(" ")) {
    let width = displayWidth(word);
    if (line !== null && used + 1 + width <= roomNow()) {
      line += ` ${word}`;
      used += 1 + width;
      continue;
    }
    if (line !== null) lines.push(line);
    while (width > roomNow()) {
      let { head, rest } = splitAtWidth(word, roomNow());
      // A wide character in a one-column room: it goes alone, or nothing would ever be taken.
      if (displayWidth(head) === 0) ({ head, rest } = splitAtWidth(word, 2));
      if (rest === "") break;
      lines.push(head);
      word = rest;
      width = displayWidth(word);
    }
    line = word;
    used = width;
  }
  if (line !== null) lines.push(line);
  return lines;
}

/** A command line split into its words at the spaces outside quotes; the quotes are kept. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let quote: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote === null && c === " ") {
      if (word !== "") words.push(word);
      word = "";
      continue;
    }
    word += c;
    // A backslash takes the next character along, but inside single quotes, where it is itself.
    if (c === "\\" && quote !== "'" && i + 1 < command.length) word += command[++i];
    else if (quote === null && (c === "'" || c === '"')) quote = c;
    else if (c === quote) quote = null;
  }
  if (word !== "") words.push(word);
  return words;
}
