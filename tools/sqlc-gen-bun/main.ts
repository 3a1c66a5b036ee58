/**
 * sqlc-gen-bun: a sqlc process plugin (JSON format) that turns annotated SQL into typed
 * functions over bun:sqlite (`driver: bun:sqlite`) or over PostgreSQL through Bun's built-in SQL
 * client (`driver: bun:sql`). sqlc writes the request to stdin and reads exactly one response
 * from stdout; anything for a person goes to stderr, and a non-zero exit makes sqlc write nothing.
 */
import { generate } from "./generate.ts";
import { PluginError, type GenerateRequest } from "./request.ts";

try {
  const request = JSON.parse(await Bun.stdin.text()) as GenerateRequest;
  const files = generate(request).map((file) => ({
    name: file.name,
    contents: Buffer.from(file.contents, "utf8").toString("base64"),
  }));
  process.stdout.write(JSON.stringify({ files }));
} catch (error) {
  if (error instanceof PluginError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`sqlc-gen-bun failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exitCode = 1;
}
