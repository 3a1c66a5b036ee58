/**
 * Names that are sent to servers, stored and shown on one line (a model, a provider): they must
 * hold no control characters (C0 with newline and tab, DEL, C1) and no bidirectional controls
 * (embeddings, overrides, isolates), which would break or reorder every line they appear in.
 */
const controls = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
/** Embeddings, overrides and isolates: they make text display in another order than it is. */
const bidiControls = /[\u202A-\u202E\u2066-\u2069]/u;

/** Whether `text` holds a control character or a bidirectional control. */
export function hasControls(text: string): boolean {
  return controls.test(text);
}

/** Characters that take no room on screen: zero-width spaces and joiners, the word joiner, a BOM. */
const invisible = /[\u200B-\u200D\u2060\uFEFF]/gu;

/** `text` without the characters that take no room on screen. */
export function withoutInvisible(text: string): string {
  return text.replace(invisible, "");
}

/** Whether `text` holds anything a reader would see: not only spaces, newlines or zero-width characters. */
export function hasVisibleText(text: string): boolean {
  return withoutInvisible(text).trim() !== "";
}

/** Whether `text` holds a bidirectional control. */
export function hasBidiControls(text: string): boolean {
  return bidiControls.test(text);
}

/** What a name must be, said for people: ends "must be …" and "expected …" messages. */
export const plainName = "a name without control characters (such as a newline or escape) or bidirectional controls (U+202A–U+202E, U+2066–U+2069)";
