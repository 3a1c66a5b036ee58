/**
 * Copying sessions between stores: a session the target holds an earlier state of is brought up
 * to date all or nothing, so a copy the target refuses never loses what the target had.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copySessions, extendStep } from "../src/sessions/copy.ts";
import { PostgresStore } from "../src/storage/postgres/postgres-store.ts";
import type { SessionStore } from "../src/storage/session-store.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { toStoredTime } from "../src/storage/timestamps.ts";
import { aMessage, aSession, at } from "./_session-store-contract.ts";
import { dropFreshDatabases, freshDatabase, postgresUrl } from "./_postgres.ts";

afterAll(dropFreshDatabases);

const targets: [string, () => Promise<SessionStore>][] = [["SQLite", async () => SqliteStore.inMemory()]];
if (postgresUrl !== undefined) targets.push(["PostgreSQL", async () => PostgresStore.open(await freshDatabase())]);
else test.skip("copying to PostgreSQL (set SYNAPSE_TEST_POSTGRES_URL to run it)", () => {});

for (const [engine, openTarget] of targets) {
  describe(`copying to ${engine}`, () => {
    test("a later state the target refuses leaves the target's earlier state intact; the other sessions go on", async () => {
      const path = join(mkdtempSync(join(tmpdir(), "synapse-copy-")), "sessions.db");
      const from = SqliteStore.open(path);
      const to = await openTarget();
      try {
        const session = aSession({ title: "Trip", updatedAt: at(10) });
        const earlier = [aMessage(session.id, "user", "Which trains run to Turin?", at(1)), aMessage(session.id, "assistant", "Two a day.", at(2))];
        await from.importSession(session, earlier);
        await to.importSession(session, earlier);
        // The source moves on with a message no store takes (written by something else than Synapse).
        const raw = new Database(path);
        raw.query("INSERT INTO messages (id, session_id, role, content, timestamp) VALUES (?, ?, 'user', ?, ?)").run(crypto.randomUUID(), session.id, "binary\u0000data", toStoredTime(at(20)));
        raw.query("UPDATE sessions SET name = 'Trip, later', updated_at = ? WHERE id = ?").run(toStoredTime(at(20)), session.id);
        raw.close();
        const other = aSession({ updatedAt: at(30) });
        await from.importSession(other, [aMessage(other.id, "user", "And back?", at(30))]);

        const result = await copySessions(from, to);
        expect(result).toMatchObject({ copied: 1, updated: 0, messages: 1, unchanged: 0, newer: 0, conflicts: [] });
        expect(result.failed).toEqual([{ id: session.id, reason: expect.stringContaining("NUL character") }]);
        expect(await to.getSession(session.id)).toEqual(session);
        expect(await to.getMessages(session.id)).toEqual(earlier);
        expect(await to.getMessages(other.id)).toHaveLength(1);
      } finally {
        await from.close();
        await to.close();
      }
    });

    test("a long way behind is made up in short steps; a step refused keeps every message the target had and those of the steps before", async () => {
      const from = SqliteStore.inMemory();
      const to = await openTarget();
      try {
        const session = aSession({ title: "Long", updatedAt: at(5_000) });
        const messages = Array.from({ length: 2 + extendStep.messages + 300 }, (_, i) => aMessage(session.id, i % 2 === 0 ? "user" : "assistant", `message ${i}`, at(i)));
        const earlier = messages.slice(0, 2);
        await from.importSession(session, messages);
        await to.importSession({ ...session, updatedAt: at(1) }, earlier);
        // A message of the second step has an id the target already gives another session's message.
        const clash = messages[2 + extendStep.messages + 100]!;
        const other = aSession();
        await to.importSession(other, [{ ...aMessage(other.id, "user", "mine", at(1)), id: clash.id }]);

        const result = await copySessions(from, to);
        expect(result.failed).toEqual([{ id: session.id, reason: expect.stringContaining(`message ${clash.id} exists already`) }]);
        const firstStep = messages.slice(0, 2 + extendStep.messages);
        expect(await to.getMessages(session.id)).toEqual(firstStep);
        expect(await to.getSession(session.id)).toEqual({ ...session, updatedAt: firstStep.at(-1)!.timestamp });

        // Once the clash is gone, the next copy goes on from there to the source's state exactly.
        await to.deleteSession(other.id);
        expect(await copySessions(from, to)).toMatchObject({ updated: 1, messages: 300, failed: [] });
        expect(await to.getMessages(session.id)).toEqual(messages);
        expect(await to.getSession(session.id)).toEqual(session);
      } finally {
        await from.close();
        await to.close();
      }
    });

    test("each reply keeps the provider and model that wrote it, copied whole or brought up to date", async () => {
      const from = SqliteStore.inMemory();
      const to = await openTarget();
      try {
        const session = aSession({ updatedAt: at(10) });
        const messages = [
          aMessage(session.id, "user", "q", at(1)),
          aMessage(session.id, "assistant", "by the session's own", at(2)),
          aMessage(session.id, "user", "q2", at(3)),
          { ...aMessage(session.id, "assistant", "by another model", at(4)), model: "claude-opus-4-1" },
          aMessage(session.id, "user", "q3", at(5)),
          { ...aMessage(session.id, "assistant", "by another provider", at(6)), provider: "openai", model: "gpt-4o" },
        ];
        await from.importSession(session, messages);
        await to.importSession({ ...session, updatedAt: at(4) }, messages.slice(0, 4));
        const whole = aSession();
        const wholeMessages = [aMessage(whole.id, "user", "hi"), { ...aMessage(whole.id, "assistant", "hello"), provider: "echo", model: "echo" }];
        await from.importSession(whole, wholeMessages);
        expect(await copySessions(from, to)).toMatchObject({ copied: 1, updated: 1, failed: [] });
        expect(await to.getMessages(session.id)).toEqual(messages);
        expect(await to.getMessages(whole.id)).toEqual(wholeMessages);
        expect(await to.getSession(session.id)).toEqual(session);
      } finally {
        await from.close();
        await to.close();
      }
    });
  });
}
