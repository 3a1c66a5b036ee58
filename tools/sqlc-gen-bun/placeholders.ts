/**
 * Finds the placeholders in the SQL text sqlc hands over: `?NNN` (named parameters after sqlc's
 * rewrite), bare `?`, and `/*SLICE:name*\/?` for `sqlc.slice(name)`. String literals, quoted
 * identifiers and comments are skipped, so a `?` inside them is not a placeholder.
 */

export type Placeholder = { kind: "number"; number: number } | { kind: "slice"; name: string; number: number };

export interface ScannedSql {
  /** Placeholders in the order they appear in the text. */
  placeholders: Placeholder[];
  /**
   * The text with every placeholder made a bare `?` in textual order, slice markers kept, so
   * arguments can be bound by position once the slices are expanded.
   */
  positional: string;
}

const sliceMarker = /^\/\*SLICE:([A-Za-z_][A-Za-z0-9_]*)\*\/\?/;

export function scanPlaceholders(sql: string): ScannedSql {
  const placeholders: Placeholder[] = [];
  let positional = "";
  let highest = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const rest = sql.slice(i, i + 2);
    if (ch === "'" || ch === '"' || ch === "`") {
      const end = closingQuote(sql, i, ch);
      positional += sql.slice(i, end);
      i = end;
    } else if (ch === "[") {
      const end = sql.indexOf("]", i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      positional += sql.slice(i, stop);
      i = stop;
    } else if (rest === "--") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? sql.length : end;
      positional += sql.slice(i, stop);
      i = stop;
    } else if (rest === "/*") {
      const slice = sliceMarker.exec(sql.slice(i));
      if (slice) {
        highest += 1;
        placeholders.push({ kind: "slice", name: slice[1]!, number: highest });
        positional += slice[0];
        i += slice[0].length;
      } else {
        const end = sql.indexOf("*/", i + 2);
        const stop = end === -1 ? sql.length : end + 2;
        positional += sql.slice(i, stop);
        i = stop;
      }
    } else if (ch === "?") {
      let j = i + 1;
      while (j < sql.length && sql[j]! >= "0" && sql[j]! <= "9") j++;
      // SQLite numbers a bare `?` one past the highest number used so far.
      const number = j > i + 1 ? Number(sql.slice(i + 1, j)) : highest + 1;
      highest = Math.max(highest, number);
      placeholders.push({ kind: "number", number });
      positional += "?";
      i = j;
    } else {
      positional += ch;
      i += 1;
    }
  }
  return { placeholders, positional };
}

/** Index just past the quote that closes the one at `start`; a doubled quote is an escaped one. */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i += 1;
  }
  return sql.length;
}
