/**
 * Whether stdin, stdout and stderr are terminals, as cheaply as that can be known, and without
 * making Node's process streams (which cost milliseconds of every run).
 */
import { ptr } from "bun:ffi";
import { libc, terminalSizeRequest } from "./libc.ts";

const known = new Map<number, boolean>();

/**
 * True for a terminal. Asked of the C library's isatty (microseconds); only where that cannot be
 * called, of node:fs (a pipe or a file is told apart by one fstat) and node:tty for a character
 * device: loading node:tty costs about 3 ms of a command's start-up, node:fs about 1.5 ms.
 * Asked once per descriptor: what it is connected to does not change while Synapse runs, and a
 * list asks for every row's colours.
 */
export function isTerminal(fd: number): boolean {
  let answer = known.get(fd);
  if (answer === undefined) {
    answer = ask(fd);
    known.set(fd, answer);
  }
  return answer;
}

function ask(fd: number): boolean {
  const c = libc();
  if (c !== null) return c.isatty(fd) === 1;
  try {
    // Required here, not imported: `--version` loads this module but never asks.
    if (!(require("node:fs") as typeof import("node:fs")).fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false; // closed
  }
  return (require("node:tty") as typeof import("node:tty")).isatty(fd);
}

/** A descriptor as `colorEnabled` and `textFor` read a stream: asked only when they ask. */
function terminalInfo(fd: number): { readonly isTTY: boolean } {
  return {
    get isTTY() {
      return isTerminal(fd);
    },
  };
}

export const stdinInfo = terminalInfo(0);
export const stdoutInfo = terminalInfo(1);
export const stderrInfo = terminalInfo(2);

export interface TerminalSize {
  columns: number;
  rows: number;
}

// struct winsize: unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel.
const winsize = new Uint16Array(4);

/**
 * The size of the terminal on `fd` now (it changes when the window is resized), or null when
 * `fd` is not a terminal or says no size (0 × 0, as some serial consoles and CI terminals do).
 */
export function terminalSize(fd: number): TerminalSize | null {
  if (!isTerminal(fd)) return null;
  const c = libc();
  if (c !== null && terminalSizeRequest !== null) {
    winsize.fill(0);
    if (c.ioctl(fd, terminalSizeRequest, ptr(winsize)) === 0) return sized(winsize[1]!, winsize[0]!);
    return null;
  }
  // Where ioctl cannot be called through bun:ffi (macOS): Node's stream for that descriptor.
  const stream = fd === 2 ? process.stderr : process.stdout;
  return sized(stream.columns ?? 0, stream.rows ?? 0);
}

function sized(columns: number, rows: number): TerminalSize | null {
  return columns > 0 && rows > 0 ? { columns, rows } : null;
}
