/**
 * The few C library functions Synapse asks directly, through bun:ffi: each answers in
 * microseconds what the JavaScript way pays milliseconds of start-up for (ICU's time zones for
 * `getTimezoneOffset`, loading node:tty for `isatty`, Node's process.stdout for a terminal's size). Opened once, at the first call; null where
 * it cannot be (an unknown platform, musl's other name, a sandbox that forbids dlopen), and the
 * caller falls back to the JavaScript way.
 */
import type { Pointer } from "bun:ffi";

export interface Libc {
  /** `localtime_r(time, result)`: pointers to a time_t and a struct tm; null on failure. */
  localtime_r(time: Pointer, result: Pointer): unknown;
  /** 1 when the descriptor is a terminal. */
  isatty(fd: number): number;
  /**
   * `ioctl(fd, request, pointer)`; 0 on success. Declared with three fixed arguments, which is
   * how Linux on x86-64 and arm64 passes the variadic one too (macOS on arm64 does not: see
   * {@link terminalSizeRequest}).
   */
  ioctl(fd: number, request: number, argument: Pointer): number;
}

/**
 * TIOCGWINSZ, the ioctl that reads a terminal's size into a `struct winsize`, where calling
 * ioctl through bun:ffi is sound: Linux. Null elsewhere, and the caller asks Node's tty instead.
 */
export const terminalSizeRequest: number | null = process.platform === "linux" ? 0x5413 : null;

let opened: Libc | null | undefined;

export function libc(): Libc | null {
  if (opened === undefined) opened = open();
  return opened;
}

function open(): Libc | null {
  const library = process.platform === "linux" ? "libc.so.6" : process.platform === "darwin" ? "libSystem.B.dylib" : null;
  if (library === null) return null;
  try {
    // Required here, not imported: `--version` loads the modules that use this and never asks.
    const { dlopen, FFIType } = require("bun:ffi") as typeof import("bun:ffi");
    const { symbols } = dlopen(library, {
      localtime_r: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.ptr },
      isatty: { args: [FFIType.i32], returns: FFIType.i32 },
      ioctl: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
    });
    return symbols;
  } catch {
    return null; // the JavaScript way still works
  }
}
