/**
 * Preloaded before every test file (bunfig.toml): seals the tests from the machine they run on.
 * HOME, the XDG folders and TMPDIR point into a fresh temporary folder, and no provider key, base URL
 * or Synapse setting leaks in from the developer's environment.
 */
import { afterAll } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
// Every temporary folder a test makes (homes, builds, databases) goes inside the sandbox, and so
// is removed with it: a run leaves nothing behind in /tmp (they were never removed one by one).
process.env.TMPDIR = join(sandbox, "tmp");
mkdirSync(process.env.TMPDIR);

// A preload's afterAll runs once, after every file (bun test fires no "exit" event for it).
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));
