// consola/core: the same logger without the default reporters, which cost ~12 ms of start-up.
import { createConsola, type ConsolaReporter } from "consola/core";
import { writeSync } from "node:fs";
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

/** Written at once, in order with anything else written to stderr; the stream only if that fails. */
function writeErr(text: string): void {
  const bytes = Buffer.from(text);
  if (viaStream) {
    process.stderr.write(bytes);
    return;
  }
  let done = 0;
  try {
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
 * (and `--json` output) and stays safe to pipe.
 */
// The level is set, not guessed: consola would go quiet wherever it thinks a test is running.
export const log = createConsola({ reporters: [lineReporter], level: 3 });
