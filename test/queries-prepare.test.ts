/**
 * SQLite itself confirms that every generated statement compiles against the migrated schema:
 * sqlc checks syntax and names, but some statements it accepts SQLite would refuse.
 */
import { describe, expect, test } from "bun:test";
import { Glob } from "bun";
import { join } from "node:path";
import { expandSlices } from "../src/storage/sqlite/generated/_runtime.ts";
import { openDatabase } from "../src/storage/sqlite/bootstrap.ts";

const generated = join(import.meta.dir, "../src/storage/sqlite/generated");
const modules = [...new Glob("*.ts").scanSync(generated)].filter((f) => !f.startsWith("_")).sort();

async function statementsOf(file: string): Promise<[string, string][]> {
  const module = (await import(join(generated, file))) as Record<string, unknown>;
  return Object.entries(module).filter((e): e is [string, string] => e[0].endsWith("Sql") && typeof e[1] === "string");
}

describe("every generated statement prepares against a freshly migrated database", async () => {
  const db = openDatabase(":memory:");
  for (const file of modules) {
    for (const [name, sql] of await statementsOf(file)) {
      test(`${file}: ${name}`, () => {
        // Slices are prepared both empty and with several elements.
        for (const length of [0, 3]) {
          const expanded = expandSlices(sql, new Proxy({}, { get: () => length }));
          expect(() => db.prepare(expanded).finalize()).not.toThrow();
        }
      });
    }
  }
});

test("the check fails for a statement SQLite rejects", () => {
  const db = openDatabase(":memory:");
  // sqlc accepts this (it does not know SQLite's function list); SQLite does not.
  expect(() => db.prepare("SELECT no_such_function(id) FROM sessions")).toThrow("no such function");
});

test("there are generated modules to check", () => {
  expect(modules).toContain("sessions.ts");
  expect(modules).toContain("messages.ts");
});
