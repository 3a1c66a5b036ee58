/**
 * End to end, through the real CLI: `sessions show` without a session (the most recent one),
 * `--last` and `-x` for pipes, and the Markdown export (`--format md`, headings moved below the
 * messages' own).
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Home, sourceRunner } from "./_cli.ts";

const older = "aaaa1111-0000-4000-8000-000000000001";
const newer = "bbbb2222-0000-4000-8000-000000000002";

/** A reply with two code blocks, trailing spaces and no final newline: what a pipe must get exactly. */
const codeReply = "Two steps:  \n\n```sh\nnpm i  \n# a comment, not a heading\n```\n\n1. then:\n\n    ```ts\n    const a = 1;\n    ```\n\nDone.  ";

interface Message {
  role: "user" | "assistant";
  content: string;
  interrupted?: boolean;
}

/** A session export whose messages are `messages`, one second apart from `at`. */
function exported(id: string, title: string | null, at: string, messages: Message[]): string {
  const start = Date.parse(at);
  return JSON.stringify({
    format: "synapse.session",
    version: 2,
    session: { id, name: title, provider: "anthropic", model: "claude-sonnet-4-5", systemPrompt: null, createdAt: at, updatedAt: new Date(start + messages.length * 1000).toISOString() },
    messages: messages.map((m, i) => ({
      id: `${id.slice(0, 24)}${String(i + 1).padStart(12, "0")}`,
      ...m,
      timestamp: new Date(start + (i + 1) * 1000).toISOString(),
      ...(m.role === "assistant" ? { provider: "anthropic", model: "claude-sonnet-4-5" } : {}),
    })),
  });
}

async function imported(home: Home, text: string): Promise<void> {
  const file = join(home.dir, "session.json");
  writeFileSync(file, text);
  expect(await home.run(["sessions", "import", file])).toMatchObject({ exitCode: 0 });
}

/** A home with an older session whose last reply has no code, and a newer one whose last reply has two blocks. */
async function homeWithTwoSessions(): Promise<Home> {
  const home = new Home(sourceRunner);
  await imported(home, exported(older, "Plain", "2026-01-01T10:00:00.000Z", [
    { role: "user", content: "Hello" },
    { role: "assistant", content: "Hi there." },
  ]));
  await imported(home, exported(newer, "Code", "2026-02-01T10:00:00.000Z", [
    { role: "user", content: "How?" },
    { role: "assistant", content: "First answer\n```sh\nold\n```\n" },
    { role: "user", content: "And now?" },
    { role: "assistant", content: codeReply },
  ]));
  return home;
}

describe("sessions show, for the latest session and for pipes", () => {
  test("with no session named, show prints the one used most recently", async () => {
    const home = await homeWithTwoSessions();
    const shown = await home.run(["sessions", "show"]);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toStartWith(`Session   ${newer}\nTitle     Code\n`);
    expect((await home.run(["sessions", "show", "--json"])).stdout).toBe((await home.run(["sessions", "show", newer, "--json"])).stdout);
    // Once the older one is used, it is the latest.
    expect((await home.run(["-s", "Plain", "-p", "echo", "again"])).exitCode).toBe(0);
    expect((await home.run(["sessions", "show"])).stdout).toStartWith(`Session   ${older}\n`);
  });

  test("with no session at all, show says how to start one (exit 1)", async () => {
    const result = await new Home(sourceRunner).run(["sessions", "show", "--last"]);
    expect(result).toEqual({ exitCode: 1, stdout: "", stderr: 'error: there are no sessions yet; start one with: synapse "Hello"\n' });
  });

  test("--last prints the last reply byte for byte: no header, no newline added, trailing spaces kept", async () => {
    const home = await homeWithTwoSessions();
    expect(await home.run(["sessions", "show", "--last"])).toEqual({ exitCode: 0, stdout: codeReply, stderr: "" });
    // With a session named, that session's; --raw changes nothing.
    expect(await home.run(["sessions", "show", "Plain", "--last", "--raw"])).toEqual({ exitCode: 0, stdout: "Hi there.", stderr: "" });
    // --json: the reply as `show --json` lists it.
    const json = await home.run(["sessions", "show", "bbbb", "--last", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: `${newer.slice(0, 24)}000000000004`, role: "assistant", content: codeReply, provider: "anthropic", model: "claude-sonnet-4-5" });
  });

  test("-x prints the code blocks of the last reply, without fences, each ending with a newline", async () => {
    const home = await homeWithTwoSessions();
    expect(await home.run(["sessions", "show", "-x"])).toEqual({ exitCode: 0, stdout: "npm i  \n# a comment, not a heading\nconst a = 1;\n", stderr: "" });
    expect(await home.run(["sessions", "show", newer, "--extract", "--last"])).toMatchObject({ exitCode: 0, stdout: "npm i  \n# a comment, not a heading\nconst a = 1;\n" });
    expect(JSON.parse((await home.run(["sessions", "show", "-x", "--json"])).stdout)).toEqual([
      { language: "sh", code: "npm i  \n# a comment, not a heading\n" },
      { language: "ts", code: "const a = 1;\n" },
    ]);
  });

  test("-x on a reply without code is one line and exit 1; so is a session with no reply", async () => {
    const home = await homeWithTwoSessions();
    expect(await home.run(["sessions", "show", "Plain", "-x"])).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: "error: the last reply of session aaaa1111 has no code block; print it whole with: synapse sessions show aaaa1111 --last\n",
    });
    await imported(home, exported("cccc3333-0000-4000-8000-000000000003", null, "2026-03-01T10:00:00.000Z", [{ role: "user", content: "Unanswered" }]));
    expect(await home.run(["sessions", "show", "--last"])).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: "error: session cccc3333 has no reply yet; see what it holds with: synapse sessions show cccc3333\n",
    });
  });

  test("a reply cut short is printed, with a note on stderr", async () => {
    const home = new Home(sourceRunner);
    await imported(home, exported(older, null, "2026-01-01T10:00:00.000Z", [
      { role: "user", content: "Write it" },
      { role: "assistant", content: "```py\nprint(", interrupted: true },
    ]));
    expect(await home.run(["sessions", "show", "-x"])).toEqual({
      exitCode: 0,
      stdout: "print(\n",
      stderr: "the last reply of session aaaa1111 was interrupted, so it may be incomplete\n",
    });
    expect(await home.run(["sessions", "show", "-x", "-q"])).toEqual({ exitCode: 0, stdout: "print(\n", stderr: "" });
  });
});

describe("sessions export --format md", () => {
  test("md is markdown; headings in a message go below the message's own, # in code stays", async () => {
    const home = new Home(sourceRunner);
    await imported(home, exported(older, "Outline", "2026-01-01T10:00:00.000Z", [
      { role: "user", content: "Plan it" },
      { role: "assistant", content: "# Plan\n\n## Step one\n\n```sh\n# keep me\n## and me\n```\n\n##### Deep\n###### Deepest" },
    ]));
    const md = await home.run(["sessions", "export", "Outline", "--format", "md"]);
    expect(md.exitCode).toBe(0);
    expect(md.stdout).toBe((await home.run(["sessions", "export", "Outline", "--format", "markdown"])).stdout);
    expect(md.stdout).toStartWith("# Outline\n");
    expect(md.stdout).toContain("\n\n### Plan\n\n#### Step one\n\n```sh\n# keep me\n## and me\n```\n\n###### Deep\n###### Deepest\n");
    // The outline: one title, the messages at level 2, what they hold below them.
    const headings = md.stdout.split("\n").filter((line) => /^#{1,6} /.test(line) && !line.includes("keep me") && !line.includes("and me"));
    expect(headings.map((line) => line.split(" ", 1)[0])).toEqual(["#", "##", "##", "###", "####", "######", "######"]);
    expect((await home.run(["sessions", "export", "Outline", "--format", "pdf"])).stderr).toStartWith('error: --format must be one of json, markdown, md, not "pdf"');
  });
});
