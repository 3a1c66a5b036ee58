/** Whether a file descriptor is a terminal, as cheaply as that can be known. */

/**
 * True for a terminal. A pipe or a file (what scripts, tests and benchmarks give) is told apart by
 * one fstat; only a character device is asked of node:tty, whose loading costs about 2 ms of a
 * command's start-up.
 */
export function isTerminal(fd: number): boolean {
  try {
    // Required here, not imported: `--version` loads this module but never asks.
    if (!(require("node:fs") as typeof import("node:fs")).fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false; // closed
  }
  return (require("node:tty") as typeof import("node:tty")).isatty(fd);
}
