/**
 * `bun run build`: the standalone synapse binary (no Bun needed where it runs), with the
 * migrations inside. Bytecode halves start-up. `bun scripts/build.ts OUTFILE` builds elsewhere.
 */
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const outfile = process.argv[2] ?? join(root, "dist", "synapse");
const result = Bun.spawnSync(
  [process.execPath, "build", join(root, "src/cli/main.ts"), "--compile", "--bytecode", "--outfile", outfile],
  // NODE_ENV is inlined into the bundle: never let a test runner's "test" leak into a build.
  { cwd: root, env: { ...process.env, NODE_ENV: "production" }, stdout: "inherit", stderr: "inherit" },
);
process.exit(result.exitCode ?? 1);
