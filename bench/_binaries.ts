/**
 * The two binaries the whole-process benches time: synapse, compiled into the cache as `name`
 * (or the one SYNAPSE_BENCH_BINARY names, built elsewhere, an older commit say), and a Bun
 * hello-world built with the same flags, the reference every figure is set beside.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildArgs } from "../scripts/build.ts";
import { cacheDir } from "./_big-database.ts";

const root = join(import.meta.dir, "..");

function build(entry: string, outfile: string): void {
  const result = Bun.spawnSync([process.execPath, ...buildArgs(entry, outfile)], {
    cwd: root,
    // NODE_ENV is inlined into the bundle: never let a test runner's value leak into a build.
    env: { ...process.env, NODE_ENV: "production" },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (result.exitCode !== 0) throw new Error(`bun build ${entry} failed: ${result.stderr}`);
}

export function compiledBinaries(name: string): { binary: string; hello: string } {
  const given = process.env.SYNAPSE_BENCH_BINARY;
  const binary = given ?? join(cacheDir, name);
  if (given === undefined) build(join(root, "src/cli/main.ts"), binary);
  const helloSource = join(cacheDir, "hello-world.ts");
  writeFileSync(helloSource, 'console.log("Hello, world!");\n');
  const hello = join(cacheDir, "hello-world");
  build(helloSource, hello);
  return { binary, hello };
}
