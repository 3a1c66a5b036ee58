/**
 * End to end, through the real CLI: the files a question carried, as the sessions commands keep
 * them: listed by `show`, written out byte for byte by `sessions attachment`, carried whole by
 * export, import and copy, and gone with the last session that refers to them.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { newId } from "../src/session.ts";
import { Home, sourceRunner, stopServers } from "./_cli.ts";
import { describePostgres, dropFreshDatabases, freshDatabase, postgresSkipNote } from "./_postgres.ts";

afterAll(stopServers);

const sha = (data: Uint8Array) => new Bun.CryptoHasher("sha256").update(data).digest("hex");
// A PNG's signature, then bytes no text holds.
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff, 0xfe, 0x00, 0x80]);
const notes = new TextEncoder().encode("# Notes\n\nbuy milk ☕\n");

/** A version 4 export of a session whose first question carried `files`. */
function exportWith(files: { name: string; data: Uint8Array; mediaType: string }[], id = newId()): string {
  const at = new Date().toISOString();
  return JSON.stringify({
    format: "synapse.session",
    version: 4,
    session: { id, name: null, provider: "echo", model: "echo", systemPrompt: null, createdAt: at, updatedAt: at, forkedFrom: null },
    messages: [
      {
        id: newId(),
        role: "user",
        content: "what are these?",
        timestamp: at,
        attachments: files.map((f) => ({ name: f.name, mediaType: f.mediaType, size: f.data.byteLength, sha256: sha(f.data) })),
      },
      { id: newId(), role: "assistant", content: "a chart and notes", timestamp: at, provider: "echo", model: "echo" },
    ],
    files: Object.fromEntries(files.map((f) => [sha(f.data), Buffer.from(f.data).toString("base64")])),
  });
}

/** The CLI's stdout as bytes, exactly. */
async function bytesOf(home: Home, args: string[]): Promise<{ bytes: Uint8Array; stderr: string; exitCode: number }> {
  const child = Bun.spawn([...sourceRunner, ...args], { env: home.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [bytes, stderr, exitCode] = await Promise.all([new Response(child.stdout).bytes(), new Response(child.stderr).text(), child.exited]);
  return { bytes, stderr, exitCode };
}

async function imported(home: Home, text: string, extra: string[] = []): Promise<string> {
  const result = await home.run(["sessions", "import", ...extra, "-"], { stdin: text });
  expect(result.exitCode).toBe(0);
  return (await home.list())[0]!.id as string;
}

const both = [
  { name: "chart.png", data: png, mediaType: "image/png" },
  { name: "notes.md", data: notes, mediaType: "text/plain" },
];

describe("files kept with a session", () => {
  test("show lists each file (name, type, size, hash start); --json lists them whole", async () => {
    const home = new Home(sourceRunner);
    const id = await imported(home, exportWith(both));
    const shown = await home.run(["sessions", "show", id]);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toContain(`file chart.png · image/png · 16 bytes · ${sha(png).slice(0, 12)}\nfile notes.md · text/plain · ${notes.byteLength} bytes · ${sha(notes).slice(0, 12)}\nwhat are these?`);
    const json = await home.show(id);
    expect(json.messages[0]!.attachments).toEqual([
      { name: "chart.png", mediaType: "image/png", size: 16, sha256: sha(png) },
      { name: "notes.md", mediaType: "text/plain", size: notes.byteLength, sha256: sha(notes) },
    ]);
    expect(json.messages[1]!.attachments).toBeUndefined();
  });

  test("sessions attachment writes a file out byte for byte, by hash start or name", async () => {
    const home = new Home(sourceRunner);
    const id = await imported(home, exportWith(both));
    const image = await bytesOf(home, ["sessions", "attachment", id, sha(png).slice(0, 8)]);
    expect(image.exitCode).toBe(0);
    expect(image.bytes).toEqual(png);
    expect((await bytesOf(home, ["sessions", "attachment", id.slice(0, 8), "notes.md"])).bytes).toEqual(notes);
    const missing = await home.run(["sessions", "attachment", id, "0000"]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain(`session ${id} carries no file whose SHA-256 starts with "0000" or named so; synapse sessions show ${id.slice(0, 8)} lists its files`);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stdout).toBe("");
  });

  test("export embeds each file once and import restores it exactly, --new-id too; the Markdown export names them", async () => {
    const home = new Home(sourceRunner);
    const id = await imported(home, exportWith([...both, { name: "same-chart.png", data: png, mediaType: "image/png" }]));
    const exported = await home.run(["sessions", "export", id]);
    expect(exported.exitCode).toBe(0);
    const data = JSON.parse(exported.stdout);
    expect(data.version).toBe(5);
    expect(Object.keys(data.files).sort()).toEqual([sha(png), sha(notes)].sort());
    const other = new Home(sourceRunner);
    const copy = await imported(other, exported.stdout);
    expect(copy).toBe(id);
    expect((await bytesOf(other, ["sessions", "attachment", id, sha(png)])).bytes).toEqual(png);
    expect((await bytesOf(other, ["sessions", "attachment", id, "notes.md"])).bytes).toEqual(notes);
    expect((await other.run(["sessions", "export", id])).stdout).toBe(exported.stdout);
    const renamed = await other.run(["sessions", "import", "--new-id", "-"], { stdin: exported.stdout });
    expect(renamed.exitCode).toBe(0);
    const markdown = await home.run(["sessions", "export", id, "--format", "md"]);
    expect(markdown.stdout).toContain(`- File: \`chart.png\` (image/png, 16 bytes, SHA-256 \`${sha(png).slice(0, 12)}\`)`);
  });

  test("an export whose file is damaged or missing is refused, and nothing is stored", async () => {
    const home = new Home(sourceRunner);
    const good = JSON.parse(exportWith(both));
    const damaged = structuredClone(good);
    damaged.files[sha(png)] = Buffer.from(png.slice(1)).toString("base64");
    const missing = structuredClone(good);
    delete missing.files[sha(notes)];
    for (const [bad, said] of [
      [damaged, "are not the file its SHA-256 and size name: the export is damaged"],
      [missing, `names file ${sha(notes).slice(0, 12)}…, which "files" does not hold`],
    ] as const) {
      const result = await home.run(["sessions", "import", "-"], { stdin: JSON.stringify(bad) });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(said);
    }
    expect(await home.list()).toEqual([]);
  });

  test("sessions copy carries the files; deleting the last session that holds one removes it", async () => {
    const home = new Home(sourceRunner);
    const id = await imported(home, exportWith(both));
    const target = join(home.dir, "copy.db");
    const copied = await home.run(["sessions", "copy", "--to", `sqlite:${target}`]);
    expect(copied.exitCode).toBe(0);
    const there = { SYNAPSE_DATABASE_URL: `sqlite:${target}` };
    const child = Bun.spawn([...sourceRunner, "sessions", "attachment", id, "chart.png"], { env: { ...home.env, ...there }, stdout: "pipe", stderr: "pipe" });
    expect(await new Response(child.stdout).bytes()).toEqual(png);
    expect(await child.exited).toBe(0);
    // Another session shares the chart: deleting the first keeps it, deleting both removes it.
    const second = await imported(home, exportWith([{ name: "again.png", data: png, mediaType: "image/png" }]));
    expect((await home.run(["sessions", "delete", id, "--yes"])).exitCode).toBe(0);
    expect((await bytesOf(home, ["sessions", "attachment", second, "again.png"])).bytes).toEqual(png);
    expect((await home.run(["sessions", "delete", second, "--yes"])).exitCode).toBe(0);
    const { Database } = await import("bun:sqlite");
    const db = new Database(home.database, { readonly: true });
    try {
      expect(db.query("SELECT count(*) AS n FROM attachments").get()).toEqual({ n: 0 });
      expect(db.query("SELECT count(*) AS n FROM message_attachments").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  test("an image is not written to a terminal", async () => {
    const home = new Home(sourceRunner);
    const id = await imported(home, exportWith(both));
    const { PtyRun } = await import("./_pty.ts");
    const run = new PtyRun([...sourceRunner, "sessions", "attachment", id, "chart.png"], home.env);
    const exitCode = await run.finished();
    expect(exitCode).toBe(2);
    expect(run.output).toContain("chart.png is an image (image/png); redirect it to a file: > chart.png");
    // A text file is shown, its control characters as escapes, as stored text is everywhere.
    const sneaky = new TextEncoder().encode("plain \u001b[2J text\n");
    const other = await imported(home, exportWith([{ name: "sneaky.txt", data: sneaky, mediaType: "text/plain" }]));
    const text = new PtyRun([...sourceRunner, "sessions", "attachment", other, "sneaky.txt"], home.env);
    expect(await text.finished()).toBe(0);
    expect(text.output).toContain("plain \\x1b[2J text");
  });
});

describePostgres(`files on PostgreSQL${postgresSkipNote}`, () => {
  afterAll(dropFreshDatabases);

  test("sessions copy to PostgreSQL and back carries every file byte for byte; export from there is the same", async () => {
    const home = new Home(sourceRunner);
    const id = await imported(home, exportWith(both));
    const url = await freshDatabase();
    expect((await home.run(["sessions", "copy", "--to", url])).exitCode).toBe(0);
    const onPostgres = { SYNAPSE_DATABASE_URL: url };
    const image = Bun.spawn([...sourceRunner, "sessions", "attachment", id, "chart.png"], { env: { ...home.env, ...onPostgres }, stdout: "pipe", stderr: "pipe" });
    expect(await new Response(image.stdout).bytes()).toEqual(png);
    expect(await image.exited).toBe(0);
    const here = await home.run(["sessions", "export", id]);
    const there = await home.run(["sessions", "export", id], { env: onPostgres });
    expect(there.stdout).toBe(here.stdout);
    const back = join(home.dir, "back.db");
    expect((await home.run(["sessions", "copy", "--from", url, "--to", `sqlite:${back}`])).exitCode).toBe(0);
    expect((await home.run(["sessions", "export", id], { env: { SYNAPSE_DATABASE_URL: `sqlite:${back}` } })).stdout).toBe(here.stdout);
  });
});
