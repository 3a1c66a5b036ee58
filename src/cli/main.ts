#!/usr/bin/env bun
/** The synapse command. Everything happens in run(); this only hands over argv and the exit code. */
import { run } from "./run.ts";

void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
