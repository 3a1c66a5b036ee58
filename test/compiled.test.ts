import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrations } from "../src/storage/sqlite/migrations.ts";

test("a bun build --compile binary carries the migrations and runs without the source tree", () => {
  const dir = mkdtempSync(join(tmpdir(), "synapse-compiled-"));
  const binary = join(dir, "open-store");
  const build = Bun.spawnSync([process.execPath, "build", join(import.meta.dir, "fixtures/compiled/open-store.ts"), "--compile", "--outfile", binary]);
  expect(build.exitCode).toBe(0);
  const database = join(dir, "data", "sessions.db");
  // Run from an empty folder with no Bun on PATH: nothing but the binary itself.
  const run = Bun.spawnSync([binary, database], { cwd: dir, env: { PATH: "/nonexistent", HOME: dir } });
  expect(run.stderr.toString()).toBe("");
  expect(run.stdout.toString()).toBe('[[1,"from a binary"]]');
  const db = new Database(database, { readonly: true });
  expect(db.query("SELECT COUNT(*) AS n FROM _synapse_migrations").get()).toEqual({ n: migrations.length });
  db.close();
}, 120_000);
