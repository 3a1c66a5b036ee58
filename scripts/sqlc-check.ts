/**
 * `bun run sqlc:check`: fails when the committed generated code is not what the queries, the
 * schema and the plugin produce now (`sqlc diff`), or when a generated file lingers that nothing
 * produces. Without sqlc it skips with a warning on a developer's machine, and fails in CI.
 */
import { join } from "node:path";
import { findSqlc, generateToScratch, installHint, readFolder, requireSqlc, root, runSqlc } from "./sqlc.ts";

function fail(message: string): never {
  process.stderr.write(`sqlc:check: ${message}\n`);
  process.exit(1);
}

if (findSqlc() === null && process.env.CI !== "true") {
  process.stderr.write(`sqlc:check: skipped, sqlc is not installed (the generated code is committed). To check: ${installHint}\n`);
  process.exit(0);
}

let sqlc: string;
try {
  sqlc = requireSqlc();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

const diff = runSqlc(sqlc, ["diff"]);
if (!diff.ok) {
  process.stderr.write(diff.output);
  fail("the generated code differs from what sqlc makes of queries/ and schema/; run `bun run sqlc:generate` and commit the result");
}

const stale: string[] = [];
for (const folder of generateToScratch(sqlc)) {
  for (const name of readFolder(join(root, folder.out)).keys()) {
    if (!folder.files.has(name)) stale.push(join(folder.out, name));
  }
}
if (stale.length > 0) {
  fail(`stale generated files that no query file produces: ${stale.join(", ")}; run \`bun run sqlc:generate\` to remove them`);
}
process.stderr.write("sqlc:check: generated code is up to date\n");
