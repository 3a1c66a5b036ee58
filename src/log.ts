// consola/core: the same logger without the default reporters, which cost ~12 ms of start-up.
import { createConsola, type ConsolaReporter } from "consola/core";
import { colorEnabled, styleFor } from "./style.ts";

const style = styleFor(colorEnabled(process.stderr));
const labels: Record<string, string> = {
  fatal: style.red("error"),
  error: style.red("error"),
  warn: style.yellow("warning"),
  debug: style.dim("debug"),
  trace: style.dim("trace"),
};

/** One line per message, `error: …` / `warning: …`, as compilers and git print them. */
const lineReporter: ConsolaReporter = {
  log(entry) {
    const text = entry.args.map((arg) => (arg instanceof Error ? (arg.stack ?? arg.message) : String(arg))).join(" ");
    const label = labels[entry.type];
    process.stderr.write(label ? `${label}: ${text}\n` : `${text}\n`);
  },
};

/**
 * The one logger: everything a person reads goes to stderr, so stdout carries only the answer
 * (and `--json` output) and stays safe to pipe.
 */
// The level is set, not guessed: consola would go quiet wherever it thinks a test is running.
export const log = createConsola({ reporters: [lineReporter], level: 3 });
