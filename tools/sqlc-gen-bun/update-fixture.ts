/**
 * Rewrites a plugin test fixture's expected/ folder from its recorded request.json:
 *   cd test/fixtures/sqlc-gen-bun/<name> && sqlc generate && bun ../../../../tools/sqlc-gen-bun/update-fixture.ts .
 * (`sqlc generate` runs capture.sh, which records the request.) Review the diff before committing:
 * the fixture tests compare the plugin's output with these files byte for byte.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generate } from "./generate.ts";
import type { GenerateRequest } from "./request.ts";

const fixture = resolve(process.argv[2] ?? ".");
const request = JSON.parse(readFileSync(join(fixture, "request.json"), "utf8")) as GenerateRequest;
mkdirSync(join(fixture, "expected"), { recursive: true });
for (const file of generate(request)) {
  writeFileSync(join(fixture, "expected", file.name), file.contents);
  process.stderr.write(`wrote ${join(fixture, "expected", file.name)}\n`);
}
