// consola/core: the same logger without the default reporters, which cost ~12 ms of start-up.
import type { ConsolaInstance, ConsolaReporter } from "consola/core";
import { colorEnabled, styleFor } from "./style.ts";
import { stderrInfo } from "./tty.ts";

// Neither process.stderr nor node:tty is loaded until something is logged: making that Node
// stream costs more start-up than a whole `synapse --version` should (src/cli/stdout.ts).
let labels: Record<string, string> | undefined;

function labelFor(type: string): string | undefined {
  if (labels === undefined) {
    const style = styleFor(colorEnabled(stderrInfo));
    labels = { fatal: style.red("error"), error: style.red("error"), warn: style.yellow("warning"), debug: style.dim("debug"), trace: style.dim("trace") };
  }
  return labels[type];
}

/**
 * Set once a write had to go through the stream (stderr is non-blocking and full: EAGAIN): from
 * then on every line does, or a later line written directly would overtake the queued rest.
 */
let viaStream = false;

/**
 * Written at once, in order with anything else written to stderr; the stream only if that fails.
 * For text that is no log line (a reasoning model's thinking), so it keeps that order too.
 */
export function writeErr(text: string): void {
  const bytes = Buffer.from(text);
  if (viaStream) {
    process.stderr.write(bytes);
    return;
  }
  let done = 0;
  try {
    // Required here, not imported: node:fs costs about 1.5 ms of start-up to load, and
    // `--help` needs no other part of it.
    const { writeSync } = require("node:fs") as typeof import("node:fs");
    while (done < bytes.length) done += writeSync(2, bytes, done);
  } catch {
    viaStream = true;
    process.stderr.write(bytes.subarray(done));
  }
}

/** One line per message, `error: …` / `warning: …`, as compilers and git print them. */
const lineReporter: ConsolaReporter = {
  log(entry) {
    const text = entry.args.map((arg) => (arg instanceof Error ? (arg.stack ?? arg.message) : String(arg))).join(" ");
    const label = labelFor(entry.type);
    writeErr(label ? `${label}: ${text}\n` : `${text}\n`);
  },
};

/**
 * The one logger: everything a person reads goes to stderr, so stdout carries only the answer
 * (and `--json` output) and stays safe to pipe. consola is made at the first line logged:
 * loading it is about 2 ms of start-up, and most commands that succeed log nothing.
 */
export const log = {
  // The level is set, not guessed: consola would go quiet wherever it thinks a test is running.
  level: 3,
  /** `-q` / `quiet = true`: notes (info) are dropped; notices, warnings and errors still print. */
  quiet: false,
  info: (message: unknown, ...args: unknown[]) => {
    if (!log.quiet) consola().info(message, ...args);
  },
  /** A note that prints even when quiet: what the user must not miss, such as an automatic deletion. */
  notice: (message: unknown, ...args: unknown[]) => consola().info(message, ...args),
  warn: (message: unknown, ...args: unknown[]) => consola().warn(message, ...args),
  error: (message: unknown, ...args: unknown[]) => consola().error(message, ...args),
  debug: (message: unknown, ...args: unknown[]) => consola().debug(message, ...args),
  /** Every line goes to `to` instead of stderr until {@link log.restore}; for tests. */
  capture(to: (...args: unknown[]) => void): void {
    consola().mockTypes(() => to);
  },
  restore(): void {
    consola().restoreAll();
  },
};

let instance: ConsolaInstance | undefined;

function consola(): ConsolaInstance {
  if (instance === undefined) {
    // Required here, not imported, so that it loads only when something is logged.
    const { createConsola } = require("consola/core") as typeof import("consola/core");
    instance = createConsola({ reporters: [lineReporter], level: log.level });
  }
  instance.level = log.level;
  return instance;
}
