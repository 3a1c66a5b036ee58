/**
 * Colour for a person at a terminal, and none for pipes, files, NO_COLOR (any value, per
 * no-color.org) or TERM=dumb.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
  return !env.NO_COLOR && env.TERM !== "dumb" && stream.isTTY === true;
}

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
  green(text: string): string;
}

const paint = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;
const plain = (text: string) => text;

export function styleFor(enabled: boolean): Style {
  return enabled
    ? { bold: paint(1, 22), dim: paint(2, 22), red: paint(31, 39), yellow: paint(33, 39), cyan: paint(36, 39), magenta: paint(35, 39), green: paint(32, 39) }
    : { bold: plain, dim: plain, red: plain, yellow: plain, cyan: plain, magenta: plain, green: plain };
}
