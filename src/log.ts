import { createConsola } from "consola";

/**
 * The one logger: everything a person reads goes to stderr, so stdout carries only the answer
 * (and `--json` output) and stays safe to pipe.
 */
export const log = createConsola({
  stdout: process.stderr,
  stderr: process.stderr,
  formatOptions: { date: false },
});
