/**
 * The lease an exchange holds (src/chat/session-lease.ts), on a real SQLite file: renewed while
 * it is held, gone when it is given up. Renewal is observed in the database, not assumed from
 * elapsed time.
 */
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExchangeLease } from "../src/chat/session-lease.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { aSession } from "./_session-store-contract.ts";

test("a held lease is renewed on its timer and released when the exchange ends", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "synapse-lease-")), "sessions.db");
  const store = SqliteStore.open(path);
  const session = aSession();
  await store.createSession(session);
  const db = new Database(path, { readonly: true });
  const expiry = () => (db.query("SELECT expires_at FROM session_leases").values() as [string][]).map((r) => r[0]);

  {
    await using held = new ExchangeLease(store, { ttlMs: 60_000, renewalMs: 10 });
    await held.take(session.id);
    const [first] = expiry();
    expect(first).toBeDefined();
    // Each renewal moves the expiry to a minute from then: wait until one has.
    while (expiry()[0] === first) await Bun.sleep(10);
    expect(expiry()[0]! > first!).toBe(true);
    expect(await store.sessionsInUse([session.id])).toEqual([session.id]);
  }
  expect(expiry()).toEqual([]);
  db.close();
  await store.close();
});

test("a lease on a session that has gone is not_found, and leaves nothing to release", async () => {
  const store = SqliteStore.inMemory();
  const session = aSession();
  await store.createSession(session);
  await store.deleteSession(session.id);
  await using held = new ExchangeLease(store);
  await expect(held.take(session.id)).rejects.toMatchObject({ kind: "not_found" });
  await store.close();
});
