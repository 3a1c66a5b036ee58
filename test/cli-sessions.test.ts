/**
 * End to end, through the real CLI: what a power user does with sessions (continue-last, short
 * ids, titles, search, export/import, bulk delete, prune, usage).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { shortIds } from "../src/sessions/refs.ts";
import { anthropicReply, Home, newSessionId, serve, sourceRunner, stopServers } from "./_cli.ts";

afterAll(stopServers);

/** A home with an Anthropic stand-in that answers every request with `reply`. */
function homeAnswering(reply = "ok", extra: Record<string, string> = {}): Home {
  return new Home(sourceRunner, extra).anthropic(serve([anthropicReply(reply)]));
}

async function started(home: Home, args: string[]): Promise<string> {
  const result = await home.run(args);
  expect(result.exitCode).toBe(0);
  return newSessionId(result.stderr);
}

/** A session export with a chosen id, for sessions whose ids share a start; `at` is its time. */
/** `titled: false` leaves the session without a title (only untitled sessions are ever pruned), its message still about `name`. */
function exportWithId(id: string, name: string | null, at = new Date().toISOString(), titled = true): string {
  return JSON.stringify({
    format: "synapse.session",
    version: 1,
    session: { id, name: titled ? name : null, provider: "anthropic", model: "claude-sonnet-4-5", systemPrompt: null, createdAt: at, updatedAt: at },
    messages: [{ id: id.replace(/^.{8}/, "ffffffff"), role: "user", content: `about ${name}`, timestamp: at }],
  });
}

describe("continuing and naming sessions", () => {
  test("-c continues the session used most recently, not the one created last", async () => {
    const home = homeAnswering();
    const first = await started(home, ["first"]);
    const second = await started(home, ["second"]);
    expect((await home.run(["-s", first, "back to the first"])).exitCode).toBe(0);
    expect(await home.run(["-c", "and again"])).toMatchObject({ exitCode: 0, stderr: "" });
    const list = await home.list();
    expect(list.map((s) => [s.id, s.messageCount])).toEqual([
      [first, 6],
      [second, 2],
    ]);
  });

  test("a unique id start or an exact title names a session; ambiguity lists the candidates", async () => {
    const home = homeAnswering();
    for (const [id, name] of [
      ["abcd1111-0000-4000-8000-000000000001", "Trip planning"],
      ["abcd2222-0000-4000-8000-000000000002", "Recipes"],
    ] as const) {
      writeFileSync(join(home.dir, "s.json"), exportWithId(id, name));
      expect((await home.run(["sessions", "import", join(home.dir, "s.json")])).stdout).toBe(`${id}\n`);
    }
    expect((await home.run(["sessions", "show", "abcd2", "--json"])).stdout).toContain('"name": "Recipes"');
    expect((await home.run(["-s", "Trip planning", "Trains?"])).exitCode).toBe(0);
    expect((await home.show("abcd1111")).messages).toHaveLength(3);
    const ambiguous = await home.run(["sessions", "show", "abcd"]);
    expect(ambiguous.exitCode).toBe(2);
    expect(ambiguous.stderr).toBe('error: "abcd" names 2 sessions: abcd1111 (Trip planning), abcd2222 (Recipes); give more of the id\n');
    // The starts it suggests are always longer than what was typed, so they are never ambiguous.
    const longer = await home.run(["sessions", "show", "abcd1111-0000"]);
    expect(longer.exitCode).toBe(0);
    const unknown = await home.run(["-s", "abce", "hi"]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('no session has an id starting with "abce"');
    // Lists show each id's shortest unique start, at least 8 characters.
    const table = (await home.run(["sessions", "list"])).stdout;
    expect(table).toMatch(/^abcd1111 +\S+ \S+ +3 +anthropic\/claude-sonnet-4-5 +Trip planning$/m);
    expect(table).toMatch(/^abcd2222 +\S+ \S+ +1 +anthropic\/claude-sonnet-4-5 +Recipes$/m);
  });

  test("--continue=TITLE continues that session; titles are trimmed, one line, and never read as ids", async () => {
    const home = homeAnswering();
    const trip = await started(home, ["--title", "  Trip planning  ", "Trains?"]);
    await started(home, ["Something else"]);
    expect((await home.show(trip)).session.name).toBe("Trip planning");
    expect((await home.run(["--continue=Trip planning", "And back?"])).exitCode).toBe(0);
    expect((await home.list())[0]).toMatchObject({ id: trip, messageCount: 4 });
    for (const title of ["cafe", "20aa09fc", "two\nlines"]) {
      const refused = await home.run(["--title", title, "hi"]);
      expect({ title, exitCode: refused.exitCode }).toEqual({ title, exitCode: 2 });
      expect((await home.run(["sessions", "rename", trip, title])).exitCode).toBe(2);
    }
    expect((await home.run(["--title", "", "untitled"])).exitCode).toBe(0);
    expect((await home.list())[0]).toMatchObject({ name: null, preview: "untitled" });
  });

  test("--title names a new session; rename changes or clears it", async () => {
    const home = homeAnswering();
    const id = await started(home, ["--title", "Trip planning", "Trains from Lyon?"]);
    expect((await home.show(id)).session.name).toBe("Trip planning");
    expect((await home.run(["sessions", "rename", id.slice(0, 8), "Italy trip"])).exitCode).toBe(0);
    expect((await home.list())[0]).toMatchObject({ id, name: "Italy trip" });
    expect((await home.run(["sessions", "rename", "Italy trip", ""])).exitCode).toBe(0);
    expect((await home.list())[0]).toMatchObject({ id, name: null, preview: "Trains from Lyon?" });
    const refused = await home.run(["-s", id, "--title", "x", "hi"]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("--title names a new session");
  });
});

describe("listing, deleting and pruning", () => {
  test("list shows the 20 most recent and says how many more; -n and --all choose", async () => {
    const home = homeAnswering();
    for (let i = 0; i < 23; i++) await started(home, [`question ${i}`]);
    const list = await home.run(["sessions", "list"]);
    expect(list.stdout.trimEnd().split("\n")).toHaveLength(21);
    expect(list.stdout.split("\n")[1]).toContain("question 22");
    expect(list.stderr).toBe("… and 3 more; `synapse sessions list --all` shows them all\n");
    expect((await home.run(["sessions", "list", "-n", "5"])).stdout.trimEnd().split("\n")).toHaveLength(6);
    expect((await home.run(["sessions", "list", "--all"])).stdout.trimEnd().split("\n")).toHaveLength(24);
    expect(JSON.parse((await home.run(["sessions", "list", "--all", "--json"])).stdout)).toHaveLength(23);
    // Scripts get every session unless they ask for fewer.
    expect(JSON.parse((await home.run(["sessions", "list", "--json"])).stdout)).toHaveLength(23);
    expect(JSON.parse((await home.run(["sessions", "list", "--json", "-n", "2"])).stdout)).toHaveLength(2);
    expect((await home.run(["sessions", "list", "-n", "0"])).exitCode).toBe(2);
    expect((await home.run(["sessions", "list", "-n", "x"])).exitCode).toBe(2);
  });

  test("delete takes several sessions, and --older-than; all must exist before any goes", async () => {
    const home = homeAnswering();
    const ids = [await started(home, ["one"]), await started(home, ["two"]), await started(home, ["three"])];
    const refused = await home.run(["sessions", "delete", ids[0]!.slice(0, 8), "ffff0000"]);
    expect(refused.exitCode).toBe(1);
    expect(await home.list()).toHaveLength(3);
    const deleted = await home.run(["sessions", "delete", ids[0]!.slice(0, 8), ids[1]!, "--yes"]);
    expect(deleted).toMatchObject({ exitCode: 0, stderr: "deleted 2 sessions\n" });
    expect((await home.list()).map((s) => s.id)).toEqual([ids[2]]);
    expect((await home.run(["sessions", "delete", "--older-than", "1d", "--yes"])).stderr).toBe("no sessions are that old; nothing deleted\n");
    for (const duration of ["30x", "0d", "99999999999w", "-1d"]) {
      expect((await home.run(["sessions", "delete", `--older-than=${duration}`])).exitCode).toBe(2);
    }
    expect((await home.run(["sessions", "delete"])).exitCode).toBe(2);
    writeFileSync(join(home.dir, "old.json"), exportWithId("0ddba11e-0000-4000-8000-000000000000", "Ancient", "2026-01-01T00:00:00.000Z"));
    await home.run(["sessions", "import", join(home.dir, "old.json")]);
    expect((await home.run(["sessions", "delete", "--older-than", "30d", "--yes"])).stderr).toBe("deleted 1 session\n");
    expect((await home.list()).map((s) => s.id)).toEqual([ids[2]]);
  });

  test("prune applies retention_days too, and names what it removed", async () => {
    const home = homeAnswering().config("[session]\nmax_sessions = 0\nretention_days = 30\nauto_cleanup = false\n");
    const recent = await started(home, ["recent"]);
    writeFileSync(join(home.dir, "old.json"), exportWithId("0ddba11e-0000-4000-8000-000000000000", "Ancient", "2025-01-01T00:00:00.000Z", false));
    await home.run(["sessions", "import", join(home.dir, "old.json")]);
    const pruned = await home.run(["sessions", "prune"]);
    expect(pruned.stdout).toContain("0ddba11e");
    expect(pruned.stdout).toContain("Ancient");
    expect(pruned.stderr).toBe("deleted 1 sessions: 0 over max_sessions, 1 past retention_days (max_sessions = no limit, retention_days = 30)\n");
    expect((await home.list()).map((s) => s.id)).toEqual([recent]);
  });

  test("prune applies the configured limits on demand; --dry-run only shows", async () => {
    const home = homeAnswering().config("[session]\nmax_sessions = 2\nauto_cleanup = false\nretention_days = 0\n");
    const ids = [];
    for (const q of ["a", "b", "c", "d"]) ids.push(await started(home, [q]));
    const dry = await home.run(["sessions", "prune", "--dry-run"]);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout.trimEnd().split("\n")).toHaveLength(3);
    expect(dry.stderr).toBe("would delete 2 sessions: 2 over max_sessions, 0 past retention_days (max_sessions = 2, retention_days = no limit)\n");
    expect(await home.list()).toHaveLength(4);
    const real = await home.run(["sessions", "prune"]);
    expect(real.stderr).toBe("deleted 2 sessions: 2 over max_sessions, 0 past retention_days (max_sessions = 2, retention_days = no limit)\n");
    expect((await home.list()).map((s) => s.id)).toEqual([ids[3], ids[2]]);
    expect((await home.run(["sessions", "prune"])).stderr).toBe("nothing to prune (max_sessions = 2, retention_days = no limit)\n");
  });
});

describe("short ids", () => {
  test("list, a page of it, search and prune print the starts every id would give, though ids share long starts", async () => {
    const home = homeAnswering().config("[session]\nmax_sessions = 3\nretention_days = 0\nauto_cleanup = false\n");
    // Oldest first; ids in an order of their own, with long shared starts and runs of neighbours.
    // The newest two and the oldest three each have neighbours outside their group.
    const ids = [
      "abcd1111-0000-4000-8000-000000000001",
      "abcd1111-0000-4000-8000-000000000002",
      "f0000000-0000-4000-8000-000000000004",
      "abce0000-0000-4000-8000-000000000003",
      "abcd1111-2200-4000-8000-000000000002",
      "abcd1111-0000-4000-8000-000000000010",
    ];
    const base = Date.now() - 60 * 60_000;
    for (const [i, id] of ids.entries()) {
      writeFileSync(join(home.dir, "s.json"), exportWithId(id, `Session ${i}`, new Date(base + i * 60_000).toISOString(), false));
      expect((await home.run(["sessions", "import", join(home.dir, "s.json")])).exitCode).toBe(0);
    }
    const expected = shortIds([...ids].sort());
    const firstColumn = (stdout: string) => stdout.split("\n").filter((l) => /^[0-9a-f]{8}/.test(l)).map((l) => l.split(" ")[0]);
    const newestFirst = [...ids].reverse();
    expect(firstColumn((await home.run(["sessions", "list"])).stdout)).toEqual(newestFirst.map((id) => expected.get(id)));
    expect(firstColumn((await home.run(["sessions", "list", "-n", "2"])).stdout)).toEqual(newestFirst.slice(0, 2).map((id) => expected.get(id)));
    const hits = firstColumn((await home.run(["sessions", "search", "about"])).stdout);
    expect(hits.sort()).toEqual(ids.map((id) => expected.get(id)!).sort());
    // Prune names the three oldest by the starts they had among all six, before and after deleting them.
    const oldest = ids.slice(0, 3).map((id) => expected.get(id));
    expect(firstColumn((await home.run(["sessions", "prune", "--dry-run"])).stdout)).toEqual(oldest);
    expect(firstColumn((await home.run(["sessions", "prune"])).stdout)).toEqual(oldest);
    expect((await home.list()).map((s) => s.id)).toEqual(newestFirst.slice(0, 3));
  });
});

describe("search", () => {
  test("finds messages by content, best first, marked, with --json; bad syntax is a usage error", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicReply("Trains run twice a day from Lyon to Turin."), anthropicReply("Knead, rest, bake.")]));
    const trip = await started(home, ["--title", "Trip", "Which trains go from Lyon to Turin?"]);
    await started(home, ["How do I bake bread?"]);
    const plain = await home.run(["sessions", "search", "trains"]);
    expect(plain.exitCode).toBe(0);
    const lines = plain.stdout.trimEnd().split("\n");
    // The question and the answer match, each a line of where and a line of what.
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`^${trip.slice(0, 8)} +\\S+ \\S+ +(user|assistant) +Trip$`));
    expect(plain.stdout).toContain("**trains**");
    const json = JSON.parse((await home.run(["sessions", "search", "baking", "--json"])).stdout);
    expect(json).toHaveLength(2);
    expect(Object.keys(json[0])).toEqual(["sessionId", "messageId", "role", "timestamp", "title", "preview", "snippet", "hits", "score"]);
    // In JSON, the snippet is the text as stored and the hits are ranges in it.
    const found = json.map((h: { snippet: string; hits: number[][] }) => [h.snippet, h.hits]).sort();
    expect(found).toEqual([["How do I bake bread?", [[9, 13]]], ["Knead, rest, bake.", [[13, 17]]]]);
    expect(JSON.parse((await home.run(["sessions", "search", "submarine", "--json"])).stdout)).toEqual([]);
    for (const query of ['"unbalanced', "*", "* hello", "nosuchcolumn:foo", "(a OR", "^"]) {
      const bad = await home.run(["sessions", "search", "--", query]);
      expect({ query, exitCode: bad.exitCode }).toEqual({ query, exitCode: 2 });
      expect(bad.stderr).toStartWith(`error: the search ${JSON.stringify(query)} is not valid full-text syntax`);
      expect(bad.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
    expect((await home.run(["sessions", "search", "x", "-n", "99999999999999999999"])).exitCode).toBe(2);
  });
});

test("search hits cannot be forged by a message, in text or --json; ranges count code points", async () => {
  const home = new Home(sourceRunner);
  await started(home, ["-p", "echo", "\u0002fake\u0003 \u{1F9E0} lantern"]);
  const plain = await home.run(["sessions", "search", "lantern"]);
  // Two hits (the question and its echo), each marked once; the planted marks are only text.
  expect(plain.stdout.split("\n").filter((line) => line.startsWith("    "))).toEqual(Array(2).fill("    \u0002fake\u0003 \u{1F9E0} **lantern**"));
  const json = JSON.parse((await home.run(["sessions", "search", "lantern", "--json"])).stdout);
  for (const hit of json) {
    expect(hit).toMatchObject({ snippet: "\u0002fake\u0003 \u{1F9E0} lantern", hits: [[9, 16]] });
    expect([...hit.snippet].slice(9, 16).join("")).toBe("lantern");
  }
  const withJq = Bun.spawnSync(["sh", "-c", "command -v jq >/dev/null || exit 3; jq -r '.[0] | .snippet[.hits[0][0]:.hits[0][1]]'"], { stdin: new TextEncoder().encode(JSON.stringify(json)) });
  if (withJq.exitCode !== 3) expect(withJq.stdout.toString()).toBe("lantern\n");
});

describe("export and import", () => {
  test("a session exported and imported again is unchanged; an existing id needs --new-id", async () => {
    const home = homeAnswering("An answer, with ünïcødé 🧠.");
    const id = await started(home, ["--title", "Keep me", "--system", "Be brief.", "First question"]);
    // Answered by another model: the export keeps that on the reply, the import brings it back.
    await home.run(["-s", id, "-m", "claude-opus-4-1", "Second question\nwith two lines"]);
    const before = await home.run(["sessions", "show", id, "--json"]);
    expect(JSON.parse(before.stdout).messages.map((m: Record<string, unknown>) => m.model)).toEqual([undefined, "claude-sonnet-4-5", undefined, "claude-opus-4-1"]);
    const exported = await home.run(["sessions", "export", id.slice(0, 8)]);
    expect(exported.exitCode).toBe(0);
    const file = join(home.dir, "export.json");
    writeFileSync(file, exported.stdout);

    const again = await home.run(["sessions", "import", file]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain("exists already; import it as a copy with --new-id");

    expect((await home.run(["sessions", "delete", id, "--yes"])).exitCode).toBe(0);
    expect(await home.run(["sessions", "import", file])).toMatchObject({ exitCode: 0, stdout: `${id}\n` });
    expect((await home.run(["sessions", "show", id, "--json"])).stdout).toBe(before.stdout);

    const copy = await home.run(["sessions", "import", "--new-id", "-"], { stdin: exported.stdout });
    expect(copy.exitCode).toBe(0);
    const copyId = copy.stdout.trim();
    expect(copyId).not.toBe(id);
    const original = JSON.parse(before.stdout);
    const duplicate = await home.show(copyId);
    expect(duplicate.session).toEqual({ ...original.session, id: copyId });
    expect(duplicate.messages.map((m) => [m.role, m.content, m.timestamp, m.usage, m.provider, m.model])).toEqual(
      original.messages.map((m: Record<string, unknown>) => [m.role, m.content, m.timestamp, m.usage, m.provider, m.model]),
    );

    const markdown = await home.run(["sessions", "export", id, "--format", "markdown"]);
    expect(markdown.stdout).toStartWith("# Keep me\n");
    expect((await home.run(["sessions", "export", id, "--format", "pdf"])).exitCode).toBe(2);
  });

  test("a version 1 export still imports: its replies are its session's provider and model, and it exports as version 4", async () => {
    const home = homeAnswering();
    const file = join(import.meta.dir, "fixtures/exports/v1-trip.json");
    const id = "5a1e0b7c-3d2f-4e6a-9b8c-1d2e3f4a5b6c";
    expect(await home.run(["sessions", "import", file])).toMatchObject({ exitCode: 0, stdout: `${id}\n` });
    const shown = await home.show(id);
    expect(shown.session).toMatchObject({ title: "Trip", provider: "openai", model: "gpt-4o-mini" });
    expect(shown.messages.map((m) => [m.role, m.provider, m.model])).toEqual([
      ["user", undefined, undefined],
      ["assistant", "openai", "gpt-4o-mini"],
      ["user", undefined, undefined],
      ["assistant", "openai", "gpt-4o-mini"],
    ]);
    const exported = JSON.parse((await home.run(["sessions", "export", id])).stdout);
    expect(exported).toMatchObject({ format: "synapse.session", version: 4, session: { forkedFrom: null } });
    const v1 = JSON.parse(await Bun.file(file).text());
    delete exported.session.forkedFrom;
    expect({ ...exported, version: 1, messages: exported.messages.map(({ provider: _p, model: _m, ...m }: Record<string, unknown>) => m) }).toEqual(v1);
  });

  test("a file that is not an export is refused, naming it, and nothing is stored", async () => {
    const home = homeAnswering();
    const file = join(home.dir, "notes.json");
    writeFileSync(file, JSON.stringify({ hello: "world" }));
    const result = await home.run(["sessions", "import", file]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe(`error: ${file} is not a Synapse session export: "format" is missing\n`);
    expect((await home.run(["sessions", "import", join(home.dir, "missing.json")])).exitCode).toBe(2);
    expect((await home.run(["sessions", "import", home.dir])).stderr).toBe(`error: ${home.dir} is a folder; give the export file (see \`synapse sessions import --help\`)\n`);
    expect((await home.run(["sessions", "import", "-"], { stdin: "" })).stderr).toContain("error: stdin is empty");
    const duplicated = JSON.parse(exportWithId("abcd0000-0000-4000-8000-000000000001", "Dup"));
    duplicated.messages.push(duplicated.messages[0]);
    writeFileSync(file, JSON.stringify(duplicated));
    const dup = await home.run(["sessions", "import", file]);
    expect(dup.exitCode).toBe(1);
    expect(dup.stderr).toContain("messages.1.id repeats messages.0.id");
    expect(await home.list()).toEqual([]);
  });

  test("a message id that exists elsewhere is refused with the --new-id hint, and nothing is stored", async () => {
    const home = homeAnswering();
    const original = JSON.parse(exportWithId("abcd0000-0000-4000-8000-000000000001", "One"));
    const file = join(home.dir, "one.json");
    writeFileSync(file, JSON.stringify(original));
    expect((await home.run(["sessions", "import", file])).exitCode).toBe(0);
    writeFileSync(file, JSON.stringify({ ...original, session: { ...original.session, id: "abcd0000-0000-4000-8000-000000000002" } }));
    const clash = await home.run(["sessions", "import", file]);
    expect(clash.exitCode).toBe(2);
    expect(clash.stderr).toContain("exists already; import it as a copy with --new-id");
    expect(await home.list()).toHaveLength(1);
    expect((await home.run(["sessions", "import", "--new-id", file])).exitCode).toBe(0);
    expect(await home.list()).toHaveLength(2);
  });
});

describe("forks", () => {
  test("sessions fork copies the first N messages into a new session, prints its id, and show tells both sides", async () => {
    const home = homeAnswering("a reply");
    const id = await started(home, ["Plan a trip to Turin"]);
    expect((await home.run(["-s", id, "By train?"])).exitCode).toBe(0);
    const forked = await home.run(["sessions", "fork", id.slice(0, 8), "--at", "2"]);
    expect(forked.exitCode).toBe(0);
    const fork = forked.stdout.trim();
    expect(fork).toMatch(/^[0-9a-f-]{36}$/);
    expect(forked.stderr).toContain(`forked session ${id} at message 2 · continue it with: synapse -s ${fork.slice(0, 8)}`);
    const shown = await home.show(fork);
    expect(shown.session).toMatchObject({ title: "Plan a trip to Turin (fork)", provider: "anthropic", forkedFrom: { sessionId: id, at: 2 }, forks: [] });
    expect(shown.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Plan a trip to Turin"],
      ["assistant", "a reply"],
    ]);
    const original = await home.show(id);
    expect(original.session).toMatchObject({ forkedFrom: null, forks: [{ id: fork, title: "Plan a trip to Turin (fork)", at: 2 }] });
    expect((shown.session.forkedFrom as { messageId: string }).messageId).toBe(original.messages[1]!.id as string);
    // As text: where it came from, and what came of it.
    expect((await home.run(["sessions", "show", fork])).stdout).toContain(`Forked    from ${id.slice(0, 8)} at message 2\n`);
    expect((await home.run(["sessions", "show", id])).stdout).toContain(`Forks     ${fork.slice(0, 8)} at message 2 · Plan a trip to Turin (fork)\n`);
    // Continued like any session; the original is untouched.
    expect((await home.run(["-s", fork, "Or by car?"])).exitCode).toBe(0);
    expect((await home.show(fork)).messages).toHaveLength(4);
    expect((await home.show(id)).messages).toHaveLength(4);
    // Exported and imported elsewhere, the record stays.
    const exported = await home.run(["sessions", "export", fork]);
    expect(JSON.parse(exported.stdout)).toMatchObject({ version: 4, session: { forkedFrom: { sessionId: id, at: 2 } } });
    const other = homeAnswering();
    const file = join(other.dir, "fork.json");
    writeFileSync(file, exported.stdout);
    expect((await other.run(["sessions", "import", file])).exitCode).toBe(0);
    expect((await other.show(fork)).session.forkedFrom).toMatchObject({ sessionId: id, at: 2 });
    expect((await other.run(["sessions", "show", fork])).stdout).toContain(`Forked    from ${id.slice(0, 8)} (deleted since) at message 2\n`);
    // Deleting the original keeps the fork, whose record says the original is gone.
    expect((await home.run(["sessions", "delete", "-y", id])).exitCode).toBe(0);
    expect((await home.run(["sessions", "show", fork])).stdout).toContain(`Forked    from ${id.slice(0, 8)} (deleted since) at message 2\n`);
  });

  test("fork: all by default, at 0, a given title; beyond the end or not a number is a usage error", async () => {
    const home = homeAnswering();
    const id = await started(home, ["--title", "Trip", "Hello"]);
    const all = (await home.run(["sessions", "fork", "Trip"])).stdout.trim();
    expect(await home.show(all)).toMatchObject({ session: { title: "Trip (fork)", forkedFrom: { sessionId: id, at: 2 } } });
    const empty = (await home.run(["sessions", "fork", id, "--at", "0", "--title", "Fresh start"])).stdout.trim();
    expect(await home.show(empty)).toMatchObject({ session: { title: "Fresh start", forkedFrom: { sessionId: id, messageId: null, at: 0 } }, messages: [] });
    for (const [at, said] of [["3", "has 2 messages: it cannot be forked at message 3"], ["x", '--at takes the number of messages to copy (0 or more), not "x"'], ["-1", "--at"]] as const) {
      const result = await home.run(["sessions", "fork", id, "--at", at]);
      expect({ at, exitCode: result.exitCode, stdout: result.stdout }).toEqual({ at, exitCode: 2, stdout: "" });
      expect(result.stderr).toContain(said);
    }
    expect((await home.run(["sessions", "fork", "nothing-like-it"])).exitCode).toBe(1);
    expect(await home.list()).toHaveLength(3);
  });

  test("--retry asks the last question again in a fork, after a normal reply and after an interrupted one; the earlier reply stays", async () => {
    // A stream that ends before its stop: the reply so far is kept, marked interrupted.
    const cut = anthropicReply("Half an answer");
    if (cut.kind !== "sse") throw new Error("an SSE reply was expected");
    const interrupted = { ...cut, body: cut.body.slice(0, cut.body.indexOf("event: message_delta")) };
    const server = serve([anthropicReply("First answer."), interrupted, anthropicReply("Second try."), anthropicReply("Third try.")]);
    const home = new Home(sourceRunner).anthropic(server);
    const id = await started(home, ["Plan a trip"]);
    expect((await home.run(["-c", "By train?"])).exitCode).toBe(1);
    // After an interrupted reply: --retry alone takes the latest session.
    const first = await home.run(["--retry"]);
    expect({ exitCode: first.exitCode, stdout: first.stdout }).toEqual({ exitCode: 0, stdout: "Second try.\n" });
    const fork = /asked again in session ([0-9a-f-]{36}), a fork of ([0-9a-f]+); the earlier reply stays in \2/.exec(first.stderr);
    expect(fork?.[2]).toBe(id.slice(0, 8));
    const forkId = fork![1]!;
    expect((server.requests[2]!.body as { messages: { content: string }[] }).messages.map((m) => m.content)).toEqual(["Plan a trip", "First answer.", "By train?"]);
    const original = await home.show(id);
    expect(original.messages.map((m) => [m.content, m.interrupted ?? false])).toEqual([
      ["Plan a trip", false],
      ["First answer.", false],
      ["By train?", false],
      ["Half an answer", true],
    ]);
    expect(original.session.forks).toMatchObject([{ id: forkId, at: 2 }]);
    const retried = await home.show(forkId);
    expect(retried.session).toMatchObject({ title: null, forkedFrom: { sessionId: id, at: 2 } });
    expect(retried.messages.map((m) => m.content)).toEqual(["Plan a trip", "First answer.", "By train?", "Second try."]);
    // After a normal reply, naming the session: the fork keeps "Second try.".
    const second = await home.run(["--retry", "-s", forkId.slice(0, 8)]);
    expect({ exitCode: second.exitCode, stdout: second.stdout }).toEqual({ exitCode: 0, stdout: "Third try.\n" });
    expect((await home.show(forkId)).messages.map((m) => m.content)).toEqual(["Plan a trip", "First answer.", "By train?", "Second try."]);
    const again = (await home.show(forkId)).session.forks as { id: string; at: number }[];
    expect(again).toHaveLength(1);
    expect((await home.show(again[0]!.id)).messages.map((m) => m.content)).toEqual(["Plan a trip", "First answer.", "By train?", "Third try."]);
    // Usage: no message, no -e, no --title; a session without a question has nothing to ask again.
    for (const args of [["--retry", "Something"], ["--retry", "-s", id, "-c"], ["--retry", "--title", "T"]]) {
      const result = await home.run(args);
      expect({ args, exitCode: result.exitCode, stdout: result.stdout }).toEqual({ args, exitCode: 2, stdout: "" });
    }
    const empty = (await home.run(["sessions", "fork", id, "--at", "0"])).stdout.trim();
    const none = await home.run(["--retry", "-s", empty]);
    expect(none.exitCode).not.toBe(0);
    expect(none.stderr).toContain("there is no question to ask again yet");
    expect(server.requests).toHaveLength(4);
  });
});
