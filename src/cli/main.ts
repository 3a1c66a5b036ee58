#!/usr/bin/env bun
/**
 * The synapse command. For now it answers --help and --version only; chatting and the sessions
 * commands come with the CLI issue.
 */
import { defineCommand, runMain } from "citty";
import packageJson from "../../package.json" with { type: "json" };

const main = defineCommand({
  meta: {
    name: "synapse",
    version: packageJson.version,
    description: "A terminal client for large language models whose conversations persist",
  },
  run() {
    process.stderr.write("synapse: chatting is not available in this build yet; see `synapse --help`\n");
    process.exitCode = 1;
  },
});

await runMain(main);
