/**
 * A search hit's snippet with its hits marked (`**lantern**`, or in colour), whole or cut to
 * a terminal's width.
 */
import type { TextRange } from "../session.ts";
import { displayWidth, splitAtWidth } from "./fit-width.ts";

/** A stretch of a snippet: a hit, or the text between hits. */
export interface Piece {
  text: string;
  hit: boolean;
}

/** The pieces of a snippet with each hit between `open` and `close`. */
export function marked(parts: readonly Piece[], open: string, close: string): string {
  let text = "";
  for (const part of parts) text += part.hit ? `${open}${part.text}${close}` : part.text;
  return text;
}

/**
 * {@link marked} in at most `room` columns, ended with `…` when cut. A hit cut short keeps its
 * closing mark (`**lant…**`): an unclosed `**` would mark everything after it, and an unclosed
 * colour would run on into the next lines.
 */
export function fitMarked(parts: readonly Piece[], open: string, close: string, room: number): string {
  const whole = marked(parts, open, close);
  if (displayWidth(whole) <= room) return whole;
  if (room < 1) return "";
  const marks = displayWidth(open) + displayWidth(close);
  // One column is kept for the `…`.
  let left = room - 1;
  let text = "";
  for (const part of parts) {
    const needs = displayWidth(part.text) + (part.hit ? marks : 0);
    if (needs <= left) {
      text += part.hit ? `${open}${part.text}${close}` : part.text;
      left -= needs;
      continue;
    }
    const { head } = splitAtWidth(part.text, part.hit ? left - marks : left);
    return text + (part.hit && head !== "" ? `${open}${head}…${close}` : `${head}…`);
  }
  return text;
}

/** `text` cut at the ranges' ends: the stretches between hits and the hits, in order. */
export function pieces(text: string, ranges: readonly TextRange[]): Piece[] {
  const out: Piece[] = [];
  let at = 0;
  for (const { start, end } of ranges) {
    if (start < at || end > text.length) continue;
    if (start > at) out.push({ text: text.slice(at, start), hit: false });
    out.push({ text: text.slice(start, end), hit: true });
    at = end;
  }
  if (at < text.length) out.push({ text: text.slice(at), hit: false });
  return out;
}
