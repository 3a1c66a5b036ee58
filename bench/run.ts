/**
 * `bun run bench`: runs every `bench/*.bench.ts` in name order, each exporting a default async
 * function that prints its figures with `report` (one JSON object per line on stdout).
 * `bun run bench store` runs only the files whose name contains "store".
 */
import { Glob } from "bun";
import { join } from "node:path";

const filter = process.argv[2] ?? "";
const files = [...new Glob("*.bench.ts").scanSync(import.meta.dir)].filter((f) => f.includes(filter)).sort();
for (const file of files) {
  const module = (await import(join(import.meta.dir, file))) as { default: () => Promise<void> };
  await module.default();
}
