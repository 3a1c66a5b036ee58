/**
 * `bun run build`: the standalone synapse binary (no Bun needed where it runs), with the
 * migrations inside. Bytecode halves start-up. `bun scripts/build.ts OUTFILE` builds elsewhere;
 * the CLI benchmark builds its hello-world reference with the same flags (buildArgs).
 */
import { join } from "node:path";

const root = join(import.meta.dir, "..");

/** `bun build` arguments for one standalone binary: `entry` compiled into `outfile`. */
export function buildArgs(entry: string, outfile: string): string[] {
  // node-llama-cpp's native binaries cannot be carried in one file: a local model, asked of the
  // binary, says how to run one instead (src/providers/llama-cpp.ts).
  // ESM with code splitting: what only some commands import (the MCP client, the line editor)
  // is a chunk of its own, read when imported, so a start-up loads only what it runs (one CJS
  // bundle of everything made --version 2.5 ms slower once the MCP SDK came in).
  return ["build", entry, "--compile", "--bytecode", "--format", "esm", "--splitting", "--external", "node-llama-cpp", "--outfile", outfile];
}

if (import.meta.main) {
  const outfile = process.argv[2] ?? join(root, "dist", "synapse");
  const result = Bun.spawnSync([process.execPath, ...buildArgs(join(root, "src/cli/main.ts"), outfile)], {
    // NODE_ENV is inlined into the bundle: never let a test runner's "test" leak into a build.
    cwd: root,
    env: { ...process.env, NODE_ENV: "production" },
    stdout: "inherit",
    stderr: "inherit",
  });
  process.exit(result.exitCode ?? 1);
}
