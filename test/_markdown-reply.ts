/** A Markdown reply as models write them, and ways to cut it into pieces as a stream would. */

/** A recorded reply with every kind of block, two code fences and a word longer than a line. */
export const recordedReply = [
  "# Moving a SQLite database to WAL mode",
  "",
  "WAL mode lets **readers** and a *writer* work at the same time; `synchronous = FULL` makes each commit durable. A supercalifragilisticexpialidocious-and-then-some-more-characters-word never fits a narrow line.",
  "",
  "## Steps",
  "",
  "1. Open the database",
  "2. Switch the journal:",
  "   - run the pragma",
  "   - check the answer",
  "3. Keep the `-wal` file with the database",
  "",
  "> A checkpoint moves the WAL's pages into the database file.",
  "",
  "| setting | value | why |",
  "|---|---|---|",
  "| journal_mode | WAL | concurrent readers |",
  "| synchronous | FULL | durable commits |",
  "",
  "```sql",
  "PRAGMA journal_mode = WAL;",
  "",
  "PRAGMA synchronous = FULL;",
  "```",
  "",
  "Then, from TypeScript:",
  "",
  "```ts",
  'import { Database } from "bun:sqlite";',
  'const db = new Database("sessions.db");',
  'db.run("PRAGMA journal_mode = WAL");',
  "```",
  "",
  "See [the SQLite docs](https://sqlite.org/wal.html) for more.",
  "",
].join("\n");

/** A small seeded generator, so a failing cut can be reproduced. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomPieces(text: string, seed: number, max = 12): string[] {
  const next = random(seed);
  const pieces: string[] = [];
  for (let at = 0; at < text.length; ) {
    const size = 1 + Math.floor(next() * max);
    pieces.push(text.slice(at, at + size));
    at += size;
  }
  return pieces;
}

