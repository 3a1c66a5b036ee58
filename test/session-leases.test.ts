/**
 * A session with an exchange in progress is safe from every cleanup, in every process: real
 * CLI processes on one database (SQLite and PostgreSQL), one of them streaming a reply from a
 * local server that waits until the test lets it finish.
 */
import { Database } from "bun:sqlite";
import { SQL } from "bun";
import { afterAll, describe, expect, test } from "bun:test";
import { createStorage } from "../src/storage/create-storage.ts";
import { anthropicReply, Home, newSessionId, serve, sourceRunner, stopServers } from "./_cli.ts";
import { dropFreshDatabases, freshDatabase, postgresSkipNote, postgresUrl } from "./_postgres.ts";
import type { Reply } from "./_provider-server.ts";

afterAll(async () => {
  await stopServers();
  await dropFreshDatabases();
});

/** A reply whose first words arrive at once and the rest only when `release` is called. */
function gatedReply(text: string) {
  const events = (anthropicReply(text) as { body: string }).body.split(/(?<=\n\n)/);
  let release!: () => void;
  let headSent!: () => void;
  const sent = new Promise<void>((resolve) => (headSent = resolve));
  const reply: Reply = {
    kind: "gated",
    head: events.slice(0, 4).join(""),
    tail: events.slice(4).join(""),
    release: new Promise<void>((resolve) => (release = resolve)),
    onHead: headSent,
  };
  return { reply, release, headSent: sent };
}

interface Engine {
  name: string;
  /** The database_url for a fresh database. */
  url(home: Home): Promise<string>;
  /** Makes every lease there look as if its holder had died a whole lease period ago. */
  lapseLeases(url: string): Promise<void>;
  /** Makes the database refuse every new session, as a failing disk or server would. */
  refuseNewSessions(url: string): Promise<void>;
}

const engines: Engine[] = [
  {
    name: "SQLite",
    url: async (home) => `sqlite:${home.database}`,
    async lapseLeases(url) {
      const db = new Database(url.slice("sqlite:".length));
      db.run("UPDATE session_leases SET expires_at = '2000-01-01T00:00:00.000Z'");
      db.close();
    },
    async refuseNewSessions(url) {
      const db = new Database(url.slice("sqlite:".length));
      db.run("CREATE TRIGGER refuse BEFORE INSERT ON sessions BEGIN SELECT RAISE(ABORT, 'no new sessions today'); END");
      db.close();
    },
  },
];
if (postgresUrl !== undefined) {
  engines.push({
    name: "PostgreSQL",
    url: () => freshDatabase(),
    async lapseLeases(url) {
      const sql = new SQL(url, { max: 1 });
      await sql.unsafe("UPDATE session_leases SET expires_at = now() - interval '1 second'");
      await sql.close();
    },
    async refuseNewSessions(url) {
      const sql = new SQL(url, { max: 1 });
      await sql.unsafe("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no new sessions today'; END $$");
      await sql.unsafe("CREATE TRIGGER refuse BEFORE INSERT ON sessions FOR EACH ROW EXECUTE FUNCTION refuse()");
      await sql.close();
    },
  });
} else {
  test.skip(`sessions in use on PostgreSQL${postgresSkipNote}`, () => {});
}

function streaming(home: Home, args: string[]) {
  const child = Bun.spawn([...sourceRunner, ...args], { env: home.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { child, output };
}

async function sessionsInUse(url: string, ids: string[]): Promise<string[]> {
  const store = await createStorage(url);
  try {
    return await store.sessionsInUse(ids);
  } finally {
    await store.close();
  }
}

for (const engine of engines) {
  describe(`sessions in use (${engine.name})`, () => {
    test("a session continued while other processes start sessions and prune keeps its history and gets its reply", async () => {
      const slow = gatedReply("Once upon a time there was a long story that took its time to tell.");
      const server = serve([anthropicReply("Hello there."), slow.reply, anthropicReply("A new one.")]);
      const home = new Home(sourceRunner).anthropic(server).config("[session]\nmax_sessions = 2\n");
      const url = await engine.url(home);
      home.env.SYNAPSE_DATABASE_URL = url;

      // Untitled: a titled session is never cleaned up anyway; this one is kept by its lease alone.
      const first = await home.run(["Tell me a long story"]);
      expect(first.exitCode).toBe(0);
      const longTalk = newSessionId(first.stderr);

      // Its question is stored and its reply has begun when the server sends the first words.
      const talk = streaming(home, ["-s", longTalk, "Go on"]);
      await slow.headSent;
      const others = [];
      for (const question of ["A new question", "Another new question"]) {
        const other = await home.run([question]);
        expect(other.stderr).not.toContain("error");
        expect(other.exitCode).toBe(0);
        others.push(other.stderr);
      }
      // SQLite cleans up at each start (PostgreSQL, shared, only on prune): the second start
      // makes room by deleting the first new session, the least recently used one not in use.
      if (engine.name === "SQLite") {
        expect(others[0]).not.toContain("deleted");
        expect(others[1]).toContain("deleted 1 old session: 1 over max_sessions = 2; titled sessions are never deleted this way; change the limits under [session] in ");
        expect(others[1]).toContain("see what would go next with: synapse sessions prune --dry-run\n");
      }
      home.config("[session]\nmax_sessions = 1\n");
      const prune = await home.run(["sessions", "prune"]);
      expect(prune.exitCode).toBe(0);
      const deleteIt = await home.run(["sessions", "delete", longTalk, "--yes"]);
      expect(deleteIt.exitCode).toBe(1);
      expect(deleteIt.stderr).toBe(`error: session ${longTalk} is in use by another synapse process; try again when it has finished\n`);

      slow.release();
      const [stdout, stderr, exitCode] = await talk.output;
      expect(stderr).toBe("");
      expect(exitCode).toBe(0);
      expect(stdout).toBe("Once upon a time there was a long story that took its time to tell.\n");
      const shown = await home.show(longTalk);
      expect(shown.messages.map((m) => [m.role, m.content])).toEqual([
        ["user", "Tell me a long story"],
        ["assistant", "Hello there."],
        ["user", "Go on"],
        ["assistant", "Once upon a time there was a long story that took its time to tell."],
      ]);
      // The limit still holds for everything else; and the lease went with the exchange.
      expect((await home.list()).map((s) => s.id)).toEqual([longTalk]);
      expect(await sessionsInUse(url, [longTalk])).toEqual([]);
    });

    test("a process that dies mid-reply protects its session only until its lease lapses", async () => {
      const slow = gatedReply("This reply never finishes.");
      const server = serve([anthropicReply("Hello there."), slow.reply]);
      const home = new Home(sourceRunner).anthropic(server);
      const url = await engine.url(home);
      home.env.SYNAPSE_DATABASE_URL = url;
      const first = await home.run(["Start"]);
      const id = newSessionId(first.stderr);

      const talk = streaming(home, ["-s", id, "Go on"]);
      await slow.headSent;
      talk.child.kill("SIGKILL");
      await talk.output;
      slow.release();

      // Its question was stored before the reply began; its lease outlives it, for a while.
      expect((await home.show(id)).messages.map((m) => m.content)).toEqual(["Start", "Hello there.", "Go on"]);
      expect(await sessionsInUse(url, [id])).toEqual([id]);
      expect((await home.run(["sessions", "delete", id, "--yes"])).exitCode).toBe(1);

      await engine.lapseLeases(url);
      expect(await sessionsInUse(url, [id])).toEqual([]);
      const deleted = await home.run(["sessions", "delete", id, "--yes"]);
      expect(deleted).toMatchObject({ exitCode: 0, stderr: "deleted 1 session\n" });
    });

    test("a new session that cannot be stored names that step, and leaves nothing behind", async () => {
      const home = new Home(sourceRunner).anthropic(serve([anthropicReply("Never sent.")]));
      const url = await engine.url(home);
      home.env.SYNAPSE_DATABASE_URL = url;
      expect((await home.run(["sessions", "list"])).exitCode).toBe(0);
      await engine.refuseNewSessions(url);
      const result = await home.run(["A question"]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/^error: database error while storing your question \(.*\): .*no new sessions today\n$/);
      expect(await home.list()).toEqual([]);
    });
  });
}
