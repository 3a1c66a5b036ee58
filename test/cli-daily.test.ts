/**
 * A daily driver, end to end: automatic cleanup that says what it deleted and never deletes a
 * titled session; a command typed wrong that is refused, not sent; `synapse help`; `-e`.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { anthropicReply, Home, newSessionId, serve, sourceRunner, stopServers } from "./_cli.ts";
import { PtyRun } from "./_pty.ts";

afterAll(stopServers);

describe("cleanup is never silent, and never deletes a titled session", () => {
  test("the automatic cleanup says how many, by which limit, and how to change it; the titled session stays", async () => {
    const home = new Home(sourceRunner).config("[session]\nmax_sessions = 1\n");
    const keep = await home.run(["-p", "echo", "--title", "Keep me", "A long conversation"]);
    expect(keep.exitCode).toBe(0);
    expect((await home.run(["-p", "echo", "First"])).stderr).not.toContain("deleted");
    const second = await home.run(["-p", "echo", "Second"]);
    expect(second.exitCode).toBe(0);
    const notice = second.stderr.split("\n").find((line) => line.startsWith("deleted"));
    expect(notice).toBe(
      `deleted 1 old session: 1 over max_sessions = 1; titled sessions are never deleted this way; change the limits under [session] in ${join(home.dir, "config", "synapse", "config.toml")}, and see what would go next with: synapse sessions prune --dry-run`,
    );
    const titles = (await home.list()).map((s) => s.title ?? s.preview);
    expect(titles).toEqual(["Second", "Keep me"]);
  });

  test("prune keeps titled sessions, past retention or over the limit, and says how many it left alone", async () => {
    const home = new Home(sourceRunner);
    for (const [args, text] of [[["--title", "Keep me"], "Old titled"], [[], "Old one"], [[], "Newer one"]] as const) {
      expect((await home.run(["-p", "echo", ...args, text])).exitCode).toBe(0);
    }
    home.config("[session]\nmax_sessions = 1\n");
    const dryRun = await home.run(["sessions", "prune", "--dry-run"]);
    expect(dryRun.exitCode).toBe(0);
    expect(dryRun.stdout).toContain("Old one");
    expect(dryRun.stdout).not.toContain("Keep me");
    expect(dryRun.stderr).toContain("would delete 1 sessions: 1 over max_sessions, 0 past retention_days");
    expect(dryRun.stderr).toContain("1 titled session is never pruned (only synapse sessions delete removes one)");
    expect((await home.run(["sessions", "prune"])).exitCode).toBe(0);
    expect((await home.list()).map((s) => s.title ?? s.preview)).toEqual(["Newer one", "Keep me"]);
    // Past retention too: the titled session is older than a day, and stays.
    const old = "2020-01-01T00:00:00.000Z";
    const id = (await home.list()).find((s) => s.title === "Keep me")!.id as string;
    const exported = JSON.parse((await home.run(["sessions", "export", id])).stdout);
    exported.session.updatedAt = old;
    exported.session.createdAt = old;
    for (const message of exported.messages) message.timestamp = old;
    expect((await home.run(["sessions", "delete", id, "--yes"])).exitCode).toBe(0);
    expect((await home.run(["sessions", "import", "-"], { stdin: JSON.stringify(exported) })).exitCode).toBe(0);
    home.config("[session]\nmax_sessions = 0\nretention_days = 1\n");
    const pruned = await home.run(["sessions", "prune"]);
    expect(pruned.stderr).toContain("1 titled session is never pruned");
    expect((await home.list()).map((s) => s.title)).toContain("Keep me");
    // Only delete removes it.
    expect((await home.run(["sessions", "delete", "Keep me", "--yes"])).exitCode).toBe(0);
  });
});

describe("a command typed wrong is refused, never sent", () => {
  const typos: [string[], string][] = [
    [["list"], "synapse sessions list"],
    [["sesions", "list"], "synapse sessions list"],
    [["sessons", "show", "abcd"], "synapse sessions show abcd"],
    [["session"], "synapse sessions"],
    [["modles"], "synapse models"],
    [["help", "me"], "synapse --help"],
  ];
  test.each(typos)("%p: did you mean %p", async (words, meant) => {
    const server = serve([anthropicReply("Should never be asked.")]);
    const home = new Home(sourceRunner).anthropic(server);
    const result = await home.run(words);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toStartWith(`error: did you mean "${meant}"? nothing was sent; to send "${words.join(" ")}" to the model as it is, write: synapse -- ${words.join(" ")}`);
    expect(server.requests).toHaveLength(0);
    expect(await home.list()).toEqual([]);
  });

  test("a question that only starts like one is sent; so is a command word after --", async () => {
    const server = serve([anthropicReply("One."), anthropicReply("Two."), anthropicReply("Three.")]);
    const home = new Home(sourceRunner).anthropic(server);
    expect((await home.run(["how", "are", "you"])).exitCode).toBe(0);
    expect((await home.run(["show", "me", "the", "code"])).exitCode).toBe(0);
    // (A flag first: `bun main.ts -- list` would give Bun the `--`; the compiled binary needs none.)
    expect((await home.run(["--raw", "--", "list"])).exitCode).toBe(0);
    const sent = server.requests.map((r) => (r.body as { messages: { content: string }[] }).messages.at(-1)!.content);
    expect(sent).toEqual(["how are you", "show me the code", "list"]);
  });

  test("synapse help [command] is --help", async () => {
    const home = new Home(sourceRunner);
    const top = await home.run(["help"]);
    expect(top.exitCode).toBe(0);
    expect(top.stdout).toBe((await home.run(["--help"])).stdout);
    const list = await home.run(["help", "sessions", "list"]);
    expect(list.stdout).toBe((await home.run(["sessions", "list", "--help"])).stdout);
  });
});

describe("-e: the message written in $EDITOR", () => {
  /** An editor that keeps a copy of the buffer it was given and writes `text` (or fails with `code`). */
  function editor(home: Home, text: string, code = 0): { env: Record<string, string>; seen: string } {
    const seen = join(home.dir, "buffer-seen.md");
    const script = join(home.dir, "editor.sh");
    writeFileSync(script, `#!/bin/sh\ncp "$1" "${seen}"\nprintf '%s' '${text}' > "$1"\nexit ${code}\n`);
    chmodSync(script, 0o700);
    return { env: { EDITOR: script, VISUAL: "" }, seen };
  }

  async function inTerminal(home: Home, args: string[], env: Record<string, string>): Promise<{ code: number; screen: string }> {
    const run = new PtyRun([...sourceRunner, ...args], { ...home.env, ...env }, { columns: 200, rows: 40 });
    const code = await run.finished();
    return { code, screen: (await run.screen()).lines.join("\n") };
  }

  test("what is saved is sent; with -s the last reply is there for reference and is not sent", async () => {
    const server = serve([anthropicReply("First answer."), anthropicReply("Second answer.")]);
    const home = new Home(sourceRunner).anthropic(server);
    const first = editor(home, "Written in the editor");
    const started = await inTerminal(home, ["-e"], first.env);
    expect(started.code).toBe(0);
    const id = newSessionId(started.screen);
    const second = editor(home, "A follow-up");
    expect((await inTerminal(home, ["-s", id, "-e"], second.env)).code).toBe(0);
    expect(readFileSync(second.seen, "utf8")).toContain("# First answer.");
    const sent = server.requests.map((r) => (r.body as { messages: { content: string }[] }).messages.at(-1)!.content);
    expect(sent).toEqual(["Written in the editor", "A follow-up"]);
  });

  test("an empty buffer or a failing editor sends and stores nothing, exit 1 with one line", async () => {
    const server = serve([anthropicReply("Never.")]);
    const home = new Home(sourceRunner).anthropic(server);
    const empty = await inTerminal(home, ["-e"], editor(home, "").env);
    expect(empty.code).toBe(1);
    expect(empty.screen).toContain("error: the message was empty, so nothing was sent or stored");
    const failing = await inTerminal(home, ["-e"], editor(home, "Half a thought", 3).env);
    expect(failing.code).toBe(1);
    expect(failing.screen).toContain("exited with code 3; nothing was sent");
    expect(server.requests).toHaveLength(0);
    expect(await home.list()).toEqual([]);
  });

  test("-e without a terminal is a usage error", async () => {
    const home = new Home(sourceRunner);
    const result = await home.run(["-p", "echo", "-e"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toStartWith("error: -e opens your editor, which needs a terminal");
  });
});
