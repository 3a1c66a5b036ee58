/**
 * The big database (bench/_big-database.ts) on PostgreSQL, for the store benchmark to run on
 * both adapters: copied from the SQLite one in bulk (unnest arrays; a session at a time would
 * take many minutes) into `synapse_bench_<version>`, once per server, and reused after that.
 */
import { Database } from "bun:sqlite";
import { SQL } from "bun";
import { PostgresStore } from "../src/storage/postgres/postgres-store.ts";
import { sessionCount } from "./_big-database.ts";

const databaseName = "synapse_bench_v2";

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** The URL of the populated bench database on the server `serverUrl` names. */
export async function ensureBigPostgres(serverUrl: string, sqlitePath: string): Promise<string> {
  const admin = new SQL(serverUrl, { max: 1 });
  const url = withDatabase(serverUrl, databaseName);
  try {
    const exists = (await admin.unsafe("SELECT 1 FROM pg_database WHERE datname = $1", [databaseName]).values()).length > 0;
    if (exists) {
      // Only a copy that ran to its end marked itself ready; a half-built one is built again.
      const check = new SQL(url, { max: 1 });
      const ready = await check.unsafe("SELECT to_regclass('bench_ready') IS NOT NULL").values().catch(() => [[false]]);
      await check.close();
      if (ready[0]?.[0] === true) return url;
      await admin.unsafe(`DROP DATABASE ${databaseName} WITH (FORCE)`);
    }
    await admin.unsafe(`CREATE DATABASE ${databaseName}`);
  } finally {
    await admin.close();
  }
  const started = performance.now();
  await (await PostgresStore.open(url)).close();
  const sql = new SQL(url, { max: 1 });
  const source = new Database(sqlitePath, { readonly: true });
  const sessions = source.query("SELECT id, name, provider, model, system_prompt, created_at, updated_at FROM sessions").values();
  await sql.unsafe(
    `INSERT INTO sessions (id, name, provider, model, system_prompt, created_at, updated_at)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])`,
    [0, 1, 2, 3, 4, 5, 6].map((i) => sessions.map((row) => row[i])),
  );
  const messages = source.query("SELECT id, session_id, role, content, timestamp, interrupted, input_tokens, output_tokens FROM messages WHERE seq > ? ORDER BY seq LIMIT 20000");
  const seqOf = source.query("SELECT seq FROM messages WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET 19999");
  let after = 0;
  for (;;) {
    const rows = messages.values(after);
    if (rows.length === 0) break;
    const columns = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => rows.map((row) => (i === 5 ? row[i] === 1 : row[i])));
    await sql.unsafe(
      `INSERT INTO messages (id, session_id, role, content, timestamp, interrupted, input_tokens, output_tokens)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::boolean[], $7::int[], $8::int[])`,
      columns,
    );
    const next = seqOf.values(after)[0];
    if (next === undefined) break;
    after = next[0] as number;
  }
  // The counts the triggers kept moved updated_at on the way; restore the source's exactly.
  await sql.unsafe(
    `UPDATE sessions AS s SET updated_at = v.updated_at FROM unnest($1::uuid[], $2::timestamptz[]) AS v(id, updated_at) WHERE s.id = v.id`,
    [sessions.map((row) => row[0]), sessions.map((row) => row[6])],
  );
  await sql.unsafe("VACUUM ANALYZE");
  await sql.unsafe(`CREATE TABLE bench_ready (sessions integer NOT NULL); INSERT INTO bench_ready VALUES (${sessionCount})`);
  source.close();
  await sql.close();
  process.stderr.write(`bench: copied the big database to PostgreSQL in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return url;
}

/** A scratch copy of the bench database for writes, and the function that drops it. */
export async function scratchCopy(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  // A name of its own, so two benchmark runs on one server never collide.
  const name = `${databaseName}_scratch_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
  const admin = new SQL(serverUrl, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${databaseName}`);
  await admin.close();
  return {
    url: withDatabase(serverUrl, name),
    drop: async () => {
      const again = new SQL(serverUrl, { max: 1 });
      await again.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.close();
    },
  };
}
