import { afterAll, expect, test } from "bun:test";
import { SQL } from "bun";
import { cleanUp } from "../src/sessions/cleanup.ts";
import { createStorage, describeDatabase } from "../src/storage/create-storage.ts";
import { StorageError } from "../src/storage/errors.ts";
import { openPostgres } from "../src/storage/postgres/bootstrap.ts";
import { migrations } from "../src/storage/postgres/migrations.ts";
import { PostgresStore } from "../src/storage/postgres/postgres-store.ts";
import { aMessage, aSession, at, sessionStoreContract } from "./_session-store-contract.ts";
import type { Attachment, StoredMessage } from "../src/session.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { Home, sourceRunner } from "./_cli.ts";
import { describePostgres, dropFreshDatabases, freshDatabase, postgresSkipNote, postgresUrl } from "./_postgres.ts";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

if (postgresUrl !== undefined) sessionStoreContract("PostgresStore", async () => PostgresStore.open(await freshDatabase()));
else test.skip("SessionStore contract: PostgresStore (set SYNAPSE_TEST_POSTGRES_URL to run it)", () => {});

afterAll(dropFreshDatabases);

test(`the embedded PostgreSQL migrations are exactly the files in schema/postgres/`, () => {
  const dir = join(import.meta.dir, "../schema/postgres");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort();
  expect(migrations.map((m) => m.file)).toEqual(files);
  for (const m of migrations) expect(m.sql).toBe(readFileSync(join(dir, m.file), "utf8"));
});

describePostgres(`PostgreSQL storage${postgresSkipNote}`, () => {
  async function ledger(url: string): Promise<string[]> {
    const sql = new SQL(url, { max: 1 });
    try {
      return ((await sql.unsafe("SELECT version FROM _synapse_migrations ORDER BY version").values()) as [string][]).map((r) => r[0]);
    } finally {
      await sql.close();
    }
  }

  test("createStorage opens postgres:// and postgresql:// URLs; opening again is a no-op", async () => {
    const url = await freshDatabase();
    const store = await createStorage(url);
    const session = aSession();
    await store.createSession(session);
    await store.close();
    const again = await createStorage(url.replace(/^postgres:/, "postgresql:"));
    expect(await again.getSession(session.id)).toEqual(session);
    await again.close();
    expect(await ledger(url)).toEqual(migrations.map((m) => m.version));
  });

  test("processes starting at once migrate the database once", async () => {
    const url = await freshDatabase();
    const stores = await Promise.all(Array.from({ length: 5 }, () => PostgresStore.open(url)));
    for (const store of stores) await store.close();
    expect(await ledger(url)).toEqual(migrations.map((m) => m.version));
  });

  test("a database written by a newer Synapse is refused and left as it was", async () => {
    const url = await freshDatabase();
    await (await PostgresStore.open(url)).close();
    const sql = new SQL(url, { max: 1 });
    await sql.unsafe("INSERT INTO _synapse_migrations (version, file, checksum) VALUES ('20990101_001', 'future.sql', 'x')");
    await sql.close();
    const error = await PostgresStore.open(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).kind).toBe("migration");
    expect((error as StorageError).message).toContain("was written by a newer Synapse (schema 20990101_001)");
    expect(await ledger(url)).toEqual([...migrations.map((m) => m.version), "20990101_001"]);
  });

  test("an edited migration is refused", async () => {
    const url = await freshDatabase();
    await (await PostgresStore.open(url)).close();
    const sql = new SQL(url, { max: 1 });
    await sql.unsafe("UPDATE _synapse_migrations SET checksum = 'edited'");
    await sql.close();
    const error = (await PostgresStore.open(url).catch((e: unknown) => e)) as StorageError;
    expect(error.kind).toBe("migration");
    expect(error.message).toContain("differs from the one applied");
  });

  test("an unreachable server and refused credentials are clear errors that never show the password", async () => {
    const refused = (await PostgresStore.open("postgres://me:hunter2-secret@127.0.0.1:1/x").catch((e: unknown) => e)) as StorageError;
    expect(refused.kind).toBe("database");
    expect(refused.message).toBe("cannot reach PostgreSQL at postgres://me@127.0.0.1:1/x (connection refused); is the server running, and does database_url name it?");
    const url = new URL(await freshDatabase());
    url.username = "nobody_here";
    url.password = "hunter2-secret";
    const denied = (await PostgresStore.open(url.toString()).catch((e: unknown) => e)) as StorageError;
    expect(denied.kind).toBe("database");
    expect(denied.message).toContain("refused the credentials");
    expect(denied.message).not.toContain("hunter2");
    const missing = new URL(url);
    missing.username = new URL(process.env.SYNAPSE_TEST_POSTGRES_URL!).username;
    missing.password = "";
    missing.pathname = "/no_such_database_here";
    const noDb = (await PostgresStore.open(missing.toString()).catch((e: unknown) => e)) as StorageError;
    expect(noDb.message).toContain("does not exist");
  });

  test("processes appending to one session and to their own keep every message, in each writer's order", async () => {
    const url = await freshDatabase();
    const setup = await PostgresStore.open(url);
    const shared = aSession();
    const own = [aSession(), aSession()];
    for (const session of [shared, ...own]) await setup.createSession(session);
    const perWriter = 100;
    const plan = [
      [shared.id, "s1"],
      [shared.id, "s2"],
      [shared.id, "s3"],
      [own[0]!.id, "o1"],
      [own[1]!.id, "o2"],
    ] as const;
    const writer = join(import.meta.dir, "_writer.ts");
    const results = await Promise.all(
      plan.map(async ([session, label]) => {
        const child = Bun.spawn([process.execPath, writer, url, session, label, String(perWriter)], { stdin: "ignore", stdout: "ignore", stderr: "pipe" });
        return { stderr: await new Response(child.stderr).text(), exitCode: await child.exited };
      }),
    );
    for (const result of results) expect(result).toEqual({ stderr: "", exitCode: 0 });
    const expected = Array.from({ length: perWriter }, (_, i) => i);
    const order = (contents: string[], label: string) =>
      contents.filter((c) => c.startsWith(`${label}:`)).map((c) => Number(c.slice(label.length + 1).split(" ")[0]));
    const sharedContents = (await setup.getMessages(shared.id)).map((m) => m.content);
    expect(sharedContents).toHaveLength(3 * perWriter);
    for (const label of ["s1", "s2", "s3"]) expect(order(sharedContents, label)).toEqual(expected);
    for (const [i, session] of own.entries()) expect(order((await setup.getMessages(session.id)).map((m) => m.content), `o${i + 1}`)).toEqual(expected);
    expect((await setup.listSessions()).find((s) => s.id === shared.id)?.messageCount).toBe(3 * perWriter);
    await setup.close();
  });

  test("sessions copy moves a database to PostgreSQL and back unchanged, and running it again copies nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "synapse-copy-"));
    const source = `sqlite:${join(dir, "source.db")}`;
    const back = `sqlite:${join(dir, "back.db")}`;
    const pg = await freshDatabase();
    const store = await createStorage(source);
    const sessions = [
      aSession({ title: "Trip", systemPrompt: "Be brief.", createdAt: at(0), updatedAt: at(5000) }),
      aSession({ createdAt: at(10), updatedAt: at(10) }),
    ];
    for (const session of sessions) await store.createSession(session);
    await store.addMessage(aMessage(sessions[0]!.id, "user", "Trains from Lyon?", at(1000)));
    await store.addMessage({ ...aMessage(sessions[0]!.id, "assistant", "Twice a day.", at(1000)), usage: { inputTokens: 3, outputTokens: 4 } });
    await store.addMessage({ ...aMessage(sessions[1]!.id, "assistant", "Once upon", at(20)), interrupted: true });
    await store.close();

    const env = { PATH: process.env.PATH!, HOME: dir, XDG_CONFIG_HOME: join(dir, "config"), NO_COLOR: "1" };
    const copy = (from: string, to: string) =>
      Bun.spawnSync([process.execPath, join(import.meta.dir, "../src/cli/main.ts"), "sessions", "copy", "--from", from, "--to", to], { env, stdout: "pipe", stderr: "pipe" });
    const there = copy(source, pg);
    expect(there.exitCode).toBe(0);
    expect(there.stderr.toString()).toBe(`copied 2 sessions (3 messages) from ${source} to ${describeDatabase(pg)}\n`);
    const again = copy(source, pg);
    expect(again.stderr.toString()).toBe(`copied 0 sessions (0 messages) from ${source} to ${describeDatabase(pg)}; 2 were there already\n`);
    expect(copy(pg, back).exitCode).toBe(0);

    const dump = async (url: string) => {
      const s = await createStorage(url);
      const out = [];
      for (const summary of await s.listSessions()) out.push([await s.getSession(summary.id), await s.getMessages(summary.id), summary]);
      await s.close();
      return out;
    };
    const original = await dump(source);
    expect(await dump(pg)).toEqual(original);
    expect(await dump(back)).toEqual(original);

    // The source moves on; copying again brings the target up to date.
    const later = await createStorage(source);
    await later.addMessage(aMessage(sessions[0]!.id, "user", "And back?", at(6000)));
    await later.close();
    const update = copy(source, pg);
    expect(update.stderr.toString()).toBe(`copied 0 sessions (1 messages) from ${source} to ${describeDatabase(pg)}; 1 brought up to date, 1 were there already\n`);
    expect(await dump(pg)).toEqual(await dump(source));

    // Copying the older backup back leaves what is newer there; a session that went two ways
    // is reported, never overwritten, and the copy fails.
    expect(copy(back, pg).stderr.toString()).toBe(
      `copied 0 sessions (0 messages) from ${back} to ${describeDatabase(pg)}; 1 were there already, 1 are newer there and were left as they are\n`,
    );
    const elsewhere = await createStorage(back);
    await elsewhere.addMessage(aMessage(sessions[0]!.id, "user", "only in the backup", at(7000)));
    await elsewhere.close();
    const conflict = copy(back, pg);
    expect(conflict.exitCode).toBe(1);
    expect(conflict.stderr.toString()).toContain(`warning: session ${sessions[0]!.id} differs in the target (other messages); it was left as it is there`);
    expect(await dump(pg)).toEqual(await dump(source));

    // A source that does not exist is an error, not an empty copy; nor is one database copied into itself.
    const missing = copy(`sqlite:${join(dir, "typo.db")}`, pg);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr.toString()).toBe(`error: there is no session database at ${join(dir, "typo.db")}; check the path\n`);
    expect(copy(pg, pg.replace(/^postgres:/, "postgresql:")).exitCode).toBe(2);
  });

  test("TLS is used when the URL asks for it (this test server has none, so it must refuse)", async () => {
    const url = `${await freshDatabase()}?sslmode=require`;
    const error = (await PostgresStore.open(url).catch((e: unknown) => e)) as StorageError;
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toContain("TLS with PostgreSQL at");
    expect(error.message).toContain("check sslmode in database_url");
  });

  test("a cleanup never deletes a session a writer is writing to at that moment", async () => {
    const url = await freshDatabase();
    const store = await PostgresStore.open(url);
    const old = aSession({ updatedAt: at(-1000) });
    const newer = aSession({ updatedAt: at(0) });
    for (const session of [old, newer]) await store.createSession(session);
    // A writer, mid-transaction, as addMessage does it: the shared lock, then the write.
    const raw = new SQL(url, { max: 1 });
    const writer = await raw.reserve();
    await writer.unsafe("BEGIN");
    await writer.unsafe("SELECT pg_advisory_xact_lock_shared(7354105931)");
    await writer.unsafe("UPDATE sessions SET updated_at = now() WHERE id = $1", [old.id]);
    let finished = false;
    const cleanup = cleanUp(store, { maxSessions: 1, retentionDays: 0 }).then((r) => {
      finished = true;
      return r;
    });
    await Bun.sleep(300);
    expect(finished).toBe(false);
    await writer.unsafe("COMMIT");
    writer.release();
    const result = await cleanup;
    // The session just written to is now the most recent: the other one went.
    expect(result.removed.map((s) => s.id)).toEqual([newer.id]);
    expect((await store.listSessions()).map((s) => s.id)).toEqual([old.id]);
    await raw.close();
    await store.close();
  });

  test("content PostgreSQL cannot hold is refused alike by every store: NUL characters", async () => {
    const store = await PostgresStore.open(await freshDatabase());
    const session = aSession();
    await store.createSession(session);
    const error = (await store.addMessage(aMessage(session.id, "user", "a\0b")).catch((e: unknown) => e)) as StorageError;
    expect(error.kind).toBe("invalid_data");
    // A very long message is stored whole; only its start is indexed for search.
    const long = `needle ${"lorem ipsum dolor ".repeat(120_000)}`;
    await store.addMessage(aMessage(session.id, "user", long));
    expect((await store.getMessages(session.id))[0]!.content).toBe(long);
    expect(await store.searchMessages("needle")).toHaveLength(1);
    await store.close();
  });

  test("a tsvector index finds messages by stemmed words and follows deletes", async () => {
    const store = await PostgresStore.open(await freshDatabase());
    const session = aSession();
    await store.createSession(session);
    await store.addMessage(aMessage(session.id, "user", "Baking bread at home"));
    expect((await store.searchMessages("bake")).map((h) => h.sessionId)).toEqual([session.id]);
    // websearch syntax never fails: an unbalanced quote is read as words.
    expect(await store.searchMessages('"unbalanced')).toEqual([]);
    await store.deleteSession(session.id);
    expect(await store.searchMessages("bake")).toEqual([]);
    await store.close();
  });
});

describePostgres(`PostgreSQL: long sessions stored in batches${postgresSkipNote}`, () => {
  /** Sessions whose kept summary differs from their messages: none, ever. */
  async function summaryMismatches(url: string): Promise<unknown[]> {
    const sql = new SQL(url, { max: 1 });
    try {
      return await sql.unsafe(`SELECT s.id FROM sessions AS s
        WHERE s.message_count <> (SELECT count(*) FROM messages AS m WHERE m.session_id = s.id)
          OR s.first_user_message IS DISTINCT FROM (SELECT substr(m.content, 1, 500) FROM messages AS m
            WHERE m.session_id = s.id AND m.role = 'user' ORDER BY m.seq LIMIT 1)`);
    } finally {
      await sql.close();
    }
  }

  test("counts and first user messages are right after batched inserts and deletes", async () => {
    const url = await freshDatabase();
    const store = await PostgresStore.open(url);
    const session = aSession();
    // More messages than one batch holds, and a few long enough to split batches by size.
    const messages = [
      aMessage(session.id, "system", "Be brief.", at(0)),
      aMessage(session.id, "assistant", "Hello.", at(1)),
      ...Array.from({ length: 12_000 }, (_, i) => aMessage(session.id, i % 2 === 0 ? "user" : "assistant", `${i} ${"x".repeat(i % 1000 === 999 ? 1_500_000 : 20)}`, at(2 + i))),
    ];
    await store.importSession(session, messages);
    const other = aSession();
    await store.importSession(other, [aMessage(other.id, "assistant", "No question yet.", at(0))]);
    expect((await store.getMessages(session.id)).map((m) => m.id)).toEqual(messages.map((m) => m.id));
    const summary = async (id: string) => (await store.listSessions()).find((s) => s.id === id);
    expect(await summary(session.id)).toMatchObject({ messageCount: 12_002, preview: "0 xxxxxxxxxxxxxxxxxxxx" });
    expect(await summary(other.id)).toMatchObject({ messageCount: 1, preview: null });
    await store.addMessage(aMessage(other.id, "user", "Now a question", at(5)));
    expect(await summary(other.id)).toMatchObject({ messageCount: 2, preview: "Now a question" });

    // Deletes of many messages at once, across sessions, first user messages among them.
    const sql = new SQL(url, { max: 1 });
    await sql.unsafe("DELETE FROM messages WHERE content LIKE '0 %' OR content LIKE '%2 x%' OR content = 'Now a question'");
    await sql.close();
    expect(await summary(session.id)).toMatchObject({ preview: "4 xxxxxxxxxxxxxxxxxxxx" });
    expect(await summary(other.id)).toMatchObject({ messageCount: 1, preview: null });
    expect(await summaryMismatches(url)).toEqual([]);
    expect(await store.deleteSession(session.id)).toBe(true);
    expect(await summaryMismatches(url)).toEqual([]);
    await store.close();
  });

  test("a database written before migration 002 keeps its summaries, and its triggers work after it", async () => {
    const url = await freshDatabase();
    const old = await openPostgres(url, migrations.slice(0, 1));
    const session = aSession();
    await old.unsafe("INSERT INTO sessions (id, provider, model, created_at, updated_at) VALUES ($1, 'anthropic', 'm', now(), now())", [session.id]);
    for (const [role, content] of [["assistant", "Hi"], ["user", "First"], ["user", "Second"]]) {
      await old.unsafe("INSERT INTO messages (id, session_id, role, content, timestamp) VALUES ($1, $2, $3, $4, now())", [crypto.randomUUID(), session.id, role, content]);
    }
    await old.close();
    const store = await PostgresStore.open(url);
    expect((await store.listSessions())[0]).toMatchObject({ messageCount: 3, preview: "First" });
    await store.addMessage(aMessage(session.id, "user", "Third"));
    expect((await store.listSessions())[0]).toMatchObject({ messageCount: 4, preview: "First" });
    expect(await summaryMismatches(url)).toEqual([]);
    await store.close();
  });

  test("a database written before migration 004 reads each reply as written by its session's provider and model, and stores only overrides", async () => {
    const url = await freshDatabase();
    const previous = migrations.findIndex((m) => m.file.includes("_004_"));
    const old = await openPostgres(url, migrations.slice(0, previous));
    const session = aSession({ provider: "openai", model: "gpt-4o", updatedAt: at(2) });
    await old.unsafe("INSERT INTO sessions (id, provider, model, created_at, updated_at) VALUES ($1, 'openai', 'gpt-4o', $2, $3)", [session.id, session.createdAt, session.updatedAt]);
    const question = aMessage(session.id, "user", "Capital of Peru?", at(0));
    const answer = { ...aMessage(session.id, "assistant", "Lima.", at(1)), usage: { inputTokens: 12, outputTokens: 3 } };
    for (const m of [question, answer]) {
      await old.unsafe("INSERT INTO messages (id, session_id, role, content, timestamp, input_tokens, output_tokens) VALUES ($1, $2, $3, $4, $5, $6, $7)", [
        m.id, m.sessionId, m.role, m.content, m.timestamp, m.usage?.inputTokens ?? null, m.usage?.outputTokens ?? null,
      ]);
    }
    await old.close();
    const store = await PostgresStore.open(url);
    const read = [question, { ...answer, provider: "openai", model: "gpt-4o" }];
    expect(await store.getMessages(session.id)).toEqual(read);
    const pages: StoredMessage[] = [];
    for await (const page of await store.messagePages(session.id, { pageSize: 1 })) pages.push(...page);
    expect(pages).toEqual(read);
    // One by one and in a batch (an import), a reply by the session's own provider and model is
    // stored as the old ones are, and one by another model names it.
    await store.addMessage({ ...aMessage(session.id, "assistant", "own", at(3)), provider: "openai", model: "gpt-4o" });
    await store.addMessage({ ...aMessage(session.id, "assistant", "other", at(4)), provider: "openai", model: "o3" });
    const imported = aSession({ provider: "openai", model: "gpt-4o" });
    await store.importSession(imported, [
      { ...aMessage(imported.id, "assistant", "imported own", at(5)), provider: "openai", model: "gpt-4o" },
      { ...aMessage(imported.id, "assistant", "imported other", at(6)), provider: "deepseek", model: "gpt-4o" },
    ]);
    expect((await store.getMessages(imported.id)).map((m) => [m.provider, m.model])).toEqual([["openai", "gpt-4o"], ["deepseek", "gpt-4o"]]);
    await store.close();
    const sql = new SQL(url, { max: 1 });
    expect(await sql.unsafe("SELECT content, provider, model FROM messages ORDER BY seq").values()).toEqual([
      ["Capital of Peru?", null, null],
      ["Lima.", null, null],
      ["own", null, null],
      ["other", null, "o3"],
      ["imported own", null, null],
      ["imported other", "deepseek", null],
    ]);
    await sql.close();
  });

  test("sessions prune is not held up by an import in progress", async () => {
    const url = await freshDatabase();
    const store = await PostgresStore.open(url);
    for (const age of [3, 2, 1]) await store.createSession(aSession({ updatedAt: at(-age * 1000) }));
    const session = aSession();
    const messages = Array.from({ length: 3000 }, (_, i) => aMessage(session.id, i % 2 === 0 ? "user" : "assistant", `message ${i}`, at(i)));

    // Another transaction inserts the import's last message id and does not commit yet: the
    // import stops there, its transaction open, until that one ends.
    const blocker = new SQL(url, { max: 1 });
    const held = await blocker.reserve();
    const watcher = new SQL(url, { max: 1 });
    const owner = (await store.listSessions())[0]!.id;
    await held.unsafe("BEGIN");
    await held.unsafe("INSERT INTO messages (id, session_id, role, content, timestamp) VALUES ($1, $2, 'user', 'blocker', now())", [messages.at(-1)!.id, owner]);
    const importing = store.importSession(session, messages);
    const waiting = async (event: string) =>
      ((await watcher.unsafe("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = $1", [event])) as { n: number }[])[0]!.n > 0;
    while (!(await waiting("transactionid"))) await Bun.sleep(20);

    // The blocker's message holds the newest session's row: only max_sessions, which keeps that one, applies.
    const home = new Home(sourceRunner, { SYNAPSE_DATABASE_URL: url }).config("[session]\nmax_sessions = 1\nretention_days = 0\n");
    const prune = home.run(["sessions", "prune"]);
    let pruned: Awaited<typeof prune> | undefined;
    void prune.then((r) => (pruned = r));
    // Either prune finishes, or it is seen waiting for a lock the import holds: a failure.
    let result: { stderr: string; exitCode: number } | undefined;
    while ((result = pruned) === undefined) {
      if (await waiting("advisory")) result = { stderr: "prune waited for a lock the import held", exitCode: -1 };
      else await Bun.sleep(20);
    }
    await held.unsafe("ROLLBACK");
    held.release();
    await importing;
    await prune;
    expect(result.stderr).toContain("deleted 2 sessions: 2 over max_sessions");
    expect(result.exitCode).toBe(0);
    expect((await store.getMessages(session.id)).length).toBe(3000);
    await blocker.close();
    await watcher.close();
    await store.close();
  });
});

describePostgres(`PostgreSQL: a file's last link removed while another links to it${postgresSkipNote}`, () => {
  const bytes = new TextEncoder().encode("a file two sessions share\n");
  const hash = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
  const file = (name = "shared.txt"): Attachment => ({ name, mediaType: "text/plain", size: bytes.byteLength, sha256: hash, data: bytes });
  const question = (sessionId: string, content: string): StoredMessage => ({ ...aMessage(sessionId, "user", content), attachments: [file()] });

  /** Files no link refers to (none, ever), and how many links the shared one has. */
  async function fileState(sql: SQL): Promise<{ orphans: number; links: number; stored: boolean }> {
    const [row] = (await sql.unsafe(`SELECT
        (SELECT count(*)::int FROM attachments AS a WHERE NOT EXISTS (SELECT 1 FROM message_attachments AS ma WHERE ma.sha256 = a.sha256)) AS orphans,
        (SELECT count(*)::int FROM message_attachments WHERE sha256 = $1) AS links,
        EXISTS (SELECT 1 FROM attachments WHERE sha256 = $1) AS stored`, [hash])) as { orphans: number; links: number; stored: boolean }[];
    return row!;
  }

  /** What the first connection of this database waiting for a lock waits for (`advisory`: a file's), once one does. */
  async function lockWaitedFor(sql: SQL): Promise<string> {
    for (;;) {
      const rows = (await sql.unsafe("SELECT wait_event FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' LIMIT 1")) as { wait_event: string }[];
      if (rows.length > 0) return rows[0]!.wait_event;
      await Bun.sleep(10);
    }
  }

  /** A session carrying the shared file, hidden for deletion (a pending purge), and one to link it again. */
  async function setUp(store: PostgresStore, sql: SQL): Promise<{ gone: string; kept: string }> {
    const gone = aSession();
    const kept = aSession();
    await store.importSession(gone, [question(gone.id, "first")]);
    await store.createSession(kept);
    await sql.unsafe("UPDATE sessions SET state = 'deleting', hidden_until = NULL WHERE id = $1", [gone.id]);
    return { gone: gone.id, kept: kept.id };
  }

  test("a writer linking the file first: the purge waits for it, then sees its link and keeps the file", async () => {
    const url = await freshDatabase();
    const store = await PostgresStore.open(url);
    const sql = new SQL(url, { max: 2 });
    const { kept } = await setUp(store, sql);
    // A writer mid-transaction, as the store writes a question with a file: the lock, the file
    // (there already), the message and its link; not committed yet.
    const writer = await sql.reserve();
    const id = crypto.randomUUID();
    await writer.unsafe("BEGIN");
    await writer.unsafe("SELECT synapse_lock_attachments($1::text[])", [[hash]]);
    await writer.unsafe("INSERT INTO attachments (sha256, media_type, size, data) VALUES ($1, 'text/plain', $2, $3) ON CONFLICT (sha256) DO NOTHING", [hash, bytes.byteLength, bytes]);
    await writer.unsafe("INSERT INTO messages (id, session_id, role, content, timestamp) VALUES ($1, $2, 'user', 'again', now())", [id, kept]);
    await writer.unsafe("INSERT INTO message_attachments (message_id, position, session_id, name, sha256) VALUES ($1, 0, $2, 'again.txt', $3)", [id, kept, hash]);
    // The purge removes the last committed link and must not judge the file until the writer is done.
    let purged = false;
    const purge = store.purgePendingDeletions().then((progress) => {
      purged = true;
      return progress;
    });
    const waited = await lockWaitedFor(sql);
    expect(purged).toBe(false);
    await writer.unsafe("COMMIT");
    writer.release();
    // Without the lock, the purge removed the file it saw unlinked, then failed on the writer's link.
    expect((await purge).sessions).toBe(1);
    expect(waited).toBe("advisory");
    expect(await fileState(sql)).toEqual({ orphans: 0, links: 1, stored: true });
    expect(await store.readAttachment(hash)).toEqual(bytes);
    expect((await store.getMessages(kept))[0]!.attachments).toEqual([{ name: "again.txt", mediaType: "text/plain", size: bytes.byteLength, sha256: hash }]);
    await sql.close();
    await store.close();
  });

  test("the purge removing the file first: a writer linking it waits, then stores it again", async () => {
    const url = await freshDatabase();
    const store = await PostgresStore.open(url);
    const sql = new SQL(url, { max: 2 });
    const { gone, kept } = await setUp(store, sql);
    // A purge mid-transaction, as a batch does it: its messages go, the trigger takes the file's
    // lock and removes the file, which has no link left; not committed yet.
    const purger = await sql.reserve();
    await purger.unsafe("BEGIN");
    await purger.unsafe("DELETE FROM messages WHERE session_id = $1", [gone]);
    expect(((await purger.unsafe("SELECT count(*)::int AS n FROM attachments")) as { n: number }[])[0]!.n).toBe(0);
    let added = false;
    const asked = question(kept, "again");
    const adding = store.addMessage(asked).then(() => (added = true));
    const waited = await lockWaitedFor(sql);
    expect(added).toBe(false);
    await purger.unsafe("COMMIT");
    purger.release();
    await adding;
    expect(waited).toBe("advisory");
    expect(await fileState(sql)).toEqual({ orphans: 0, links: 1, stored: true });
    expect(await store.readAttachment(hash)).toEqual(bytes);
    expect((await store.getMessages(kept))[0]!.attachments).toEqual([{ name: "shared.txt", mediaType: "text/plain", size: bytes.byteLength, sha256: hash }]);
    await sql.close();
    await store.close();
  });

  test("two processes deleting and adding the same file at once: it is stored exactly while a link is, and nothing fails", async () => {
    const url = await freshDatabase();
    const one = await PostgresStore.open(url);
    const two = await PostgresStore.open(url);
    const sql = new SQL(url, { max: 1 });
    let live: string[] = [];
    for (let i = 0; i < 3; i++) {
      const session = aSession();
      await one.importSession(session, [question(session.id, `first ${i}`)]);
      live.push(session.id);
    }
    for (let round = 0; round < 25; round++) {
      // One process deletes some of the sessions carrying the file (all of them every fifth
      // round) while the other stores new questions carrying it, in new sessions and old ones.
      const doomed = round % 5 === 4 ? live : live.slice(0, 2);
      const fresh = Array.from({ length: 2 }, () => aSession());
      const survivors = live.filter((id) => !doomed.includes(id));
      await Promise.all([
        ...doomed.map((id, i) => (i % 2 === 0 ? one : two).deleteSession(id)),
        ...fresh.map((session, i) => (i % 2 === 0 ? two : one).importSession(session, [question(session.id, `round ${round}`)])),
        ...survivors.map((id) => two.addMessage(question(id, `more in round ${round}`))),
      ]);
      live = [...survivors, ...fresh.map((s) => s.id)];
      const state = await fileState(sql);
      expect(state.orphans).toBe(0);
      expect(state.stored).toBe(true);
      expect(state.links).toBeGreaterThan(0);
      expect(await two.readAttachment(hash)).toEqual(bytes);
    }
    await one.deleteSessions(live);
    expect(await fileState(sql)).toEqual({ orphans: 0, links: 0, stored: false });
    expect(await one.readAttachment(hash)).toBeNull();
    await sql.close();
    await one.close();
    await two.close();
  });
});
