/**
 * Preloaded before every test file (bunfig.toml): seals the tests from the machine they run on.
 * HOME and the XDG folders point into a fresh temporary folder, and no provider key, base URL
 * or Synapse setting leaks in from the developer's environment.
 */
import { setDefaultTimeout } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Bun reads no timeout from bunfig.toml. It is generous because tests spawn real processes
// (sqlc, the CLI, several writers at once) and must pass on a busy 2-core machine: no test may
// depend on how fast the machine is. Bun 1.4.5 applies this to the first test file of a run
// only, so `bun run test` passes the same value as --timeout, which applies to every file.
setDefaultTimeout(120_000);

const sandbox = mkdtempSync(join(tmpdir(), "synapse-test-"));

for (const name of Object.keys(process.env)) {
  // SYNAPSE_TEST_* name what the tests are given to use (a PostgreSQL server), not settings.
  if (name.endsWith("_API_KEY") || name.endsWith("_BASE_URL") || (name.startsWith("SYNAPSE_") && !name.startsWith("SYNAPSE_TEST_"))) {
    delete process.env[name];
  }
}
process.env.HOME = join(sandbox, "home");
process.env.XDG_CONFIG_HOME = join(sandbox, "config");
process.env.XDG_DATA_HOME = join(sandbox, "data");
process.env.XDG_CACHE_HOME = join(sandbox, "cache");
process.env.XDG_STATE_HOME = join(sandbox, "state");
process.env.NO_COLOR = "1";

process.on("exit", () => rmSync(sandbox, { recursive: true, force: true }));
