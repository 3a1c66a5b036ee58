/** `bun run sqlc:generate`: regenerates the query modules and removes ones no query file makes any more. */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { generateToScratch, readFolder, requireSqlc, root, runSqlc } from "./sqlc.ts";

try {
  const sqlc = requireSqlc();
  const result = runSqlc(sqlc, ["generate"]);
  if (!result.ok) {
    process.stderr.write(result.output);
    process.exit(1);
  }
  for (const folder of generateToScratch(sqlc)) {
    for (const name of readFolder(join(root, folder.out)).keys()) {
      if (!folder.files.has(name)) {
        rmSync(join(root, folder.out, name));
        process.stderr.write(`removed stale ${join(folder.out, name)}\n`);
      }
    }
  }
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
