#!/usr/bin/env bun
/**
 * The synapse command: argv in, exit code out. `--version` is answered before the rest of the
 * command line is loaded (run.ts and what it imports are most of a small command's start-up).
 */
import { readArgv } from "./argv.ts";
import { printVersion } from "./version.ts";

const line = readArgv(process.argv.slice(2));
const exit = line.version
  ? printVersion().catch(async (error: unknown) => (await import("./run.ts")).failed(error, line.debug))
  : import("./run.ts").then(({ runLine }) => runLine(line));
void exit.then((code) => {
  process.exitCode = code;
});
