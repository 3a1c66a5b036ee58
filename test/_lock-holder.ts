/**
 * A child process for the lock tests: takes the SQLite database's write lock (BEGIN IMMEDIATE),
 * prints `locked`, and holds it until its stdin closes; then commits, prints `released`, exits.
 * Usage: bun test/_lock-holder.ts PATH
 */
import { Database } from "bun:sqlite";

const db = new Database(process.argv[2]!);
db.run("PRAGMA busy_timeout = 60000");
db.run("BEGIN IMMEDIATE");
process.stdout.write("locked\n");
await Bun.stdin.text();
db.run("COMMIT");
db.close();
process.stdout.write("released\n");
