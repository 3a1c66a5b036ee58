/**
 * PostgreSQL for the tests: `SYNAPSE_TEST_POSTGRES_URL` names a server where the test user may
 * create databases (.ci/run starts one with scripts/test-postgres.sh). Without it the tests are
 * skipped on a developer's machine, and fail in CI, where they must run.
 */
import { SQL } from "bun";
import { describe } from "bun:test";

export const postgresUrl = process.env.SYNAPSE_TEST_POSTGRES_URL;

if (postgresUrl === undefined && process.env.CI === "true") {
  throw new Error("CI must provide SYNAPSE_TEST_POSTGRES_URL (see scripts/test-postgres.sh)");
}

/** `describe`, or `describe.skip` with the reason in its name when there is no server. */
export const describePostgres = postgresUrl === undefined ? describe.skip : describe;
export const postgresSkipNote = postgresUrl === undefined ? " (skipped: set SYNAPSE_TEST_POSTGRES_URL)" : "";

const created: string[] = [];

/** A new, empty database on the test server; its URL. Each test gets its own, so runs never collide. */
export async function freshDatabase(): Promise<string> {
  const admin = new SQL(postgresUrl!, { max: 1 });
  const name = `synapse_t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
    created.push(name);
  } finally {
    await admin.close();
  }
  const url = new URL(postgresUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops the databases {@link freshDatabase} made (call it from afterAll). */
export async function dropFreshDatabases(): Promise<void> {
  if (postgresUrl === undefined || created.length === 0) return;
  const admin = new SQL(postgresUrl, { max: 1 });
  try {
    for (const name of created.splice(0)) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.close();
  }
}
