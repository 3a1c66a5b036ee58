/**
 * Replies rendered for a terminal, end to end: the real synapse in a pseudo-terminal, a local
 * server speaking Anthropic's streaming format, the screen read back by a headless xterm. Piped,
 * the reply stays byte for byte what is stored.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { anthropicPieces, Home, newSessionId, serve, sourceRunner, stopServers } from "./_cli.ts";

/** Small network chunks too, so the CLI really receives the reply a little at a time. */
const anthropicPieces64 = (pieces: readonly string[]) => anthropicPieces(pieces, 64);
import { randomPieces, recordedReply } from "./_markdown-reply.ts";
import { PtyRun } from "./_pty.ts";

afterAll(stopServers);


/** The test environment with colour: a person's terminal, not NO_COLOR. */
function coloured(home: Home): Record<string, string> {
  const { NO_COLOR: _, ...env } = home.env;
  return env;
}

/** The screen of `synapse ARGS` in a terminal of that size, without the new-session line. */
async function screenOf(home: Home, args: string[], columns: number): Promise<{ lines: string[]; stderrLine: string; wrapped: number[] }> {
  const run = new PtyRun([...sourceRunner, ...args], coloured(home), { columns, rows: 40 });
  expect(await run.finished()).toBe(0);
  const { lines, wrapped } = await run.screen();
  const at = lines.findIndex((line) => line.startsWith("session "));
  const end = at === -1 ? lines.length : at;
  return { lines: lines.slice(0, end), stderrLine: lines.slice(end).join(""), wrapped: wrapped.filter((row) => row < end) };
}

describe("a Markdown reply on a terminal", () => {
  for (const columns of [80, 40]) {
    test(`streamed in small random pieces, it ends on the same screen as arriving whole (${columns} columns)`, async () => {
      const home = new Home(sourceRunner).anthropic(serve([anthropicPieces64([recordedReply]), anthropicPieces64(randomPieces(recordedReply, columns)), anthropicPieces64(randomPieces(recordedReply, 99, 4))]));
      const whole = await screenOf(home, ["Explain WAL"], columns);
      const text = whole.lines.join("\n");
      // Rendered: no Markdown syntax left, headings, lists, tables and code laid out.
      for (const source of ["# Moving", "**readers**", "|---|", "```sql"]) expect(text).not.toContain(source);
      for (const shown of ["Moving a SQLite database", "readers", "journal_mode", "PRAGMA journal_mode = WAL;", "import { Database }"]) expect(text).toContain(shown);
      // Fitted to the width by the renderer, not wrapped by the terminal. (Bun's renderer leaves
      // code lines as they are: at 40 columns one of the example's is longer.)
      expect(whole.wrapped).toHaveLength(columns === 80 ? 0 : 1);
      expect((await screenOf(home, ["Explain WAL"], columns)).lines).toEqual(whole.lines);
      expect((await screenOf(home, ["Explain WAL"], columns)).lines).toEqual(whole.lines);
      // Stored as it came, whatever was shown.
      const { messages } = await home.show(newSessionId(whole.stderrLine));
      expect(messages[1]!.content).toBe(recordedReply);
    });
  }

  test("--raw and render = \"never\" show the source as it came", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicPieces64(randomPieces(recordedReply, 5)), anthropicPieces64(randomPieces(recordedReply, 6))]));
    const raw = await screenOf(home, ["--raw", "Explain WAL"], 120);
    expect(raw.lines.join("\n")).toStartWith("# Moving a SQLite database to WAL mode\n\nWAL mode lets **readers**");
    home.config('render = "never"\n');
    const never = await screenOf(home, ["Explain WAL"], 120);
    expect(never.lines).toEqual(raw.lines);
  });

  test("NO_COLOR drops the colour, not the layout", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicPieces64(randomPieces(recordedReply, 8))]));
    const run = new PtyRun([...sourceRunner, "Explain WAL"], { ...home.env, NO_COLOR: "1" }, { columns: 80, rows: 40 });
    expect(await run.finished()).toBe(0);
    expect(run.output).not.toMatch(/\x1b\[[0-9;]*m/);
    const text = (await run.screen()).lines.join("\n");
    expect(text).toContain("| journal_mode | WAL");
    expect(text).not.toContain("**readers**");
  });
});

describe("a Markdown reply not on a terminal", () => {
  test("piped, stdout is the stored reply byte for byte", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicPieces64(randomPieces(recordedReply, 11))]));
    const result = await home.run(["Explain WAL"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(recordedReply);
    const { messages } = await home.show(newSessionId(result.stderr));
    expect(messages[1]!.content).toBe(recordedReply);
  });

  test('render = "always" renders into a pipe too, at COLUMNS or 80, with no cursor movement', async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicPieces64(randomPieces(recordedReply, 12)), anthropicPieces64([recordedReply])]));
    home.config('render = "always"\n');
    const streamed = await home.run(["Explain WAL"], { env: { COLUMNS: "60" } });
    expect(streamed.exitCode).toBe(0);
    const plain = Bun.stripANSI(streamed.stdout);
    expect(plain).not.toContain("**readers**");
    expect(plain.split("\n").every((line) => Bun.stringWidth(line) <= 60)).toBe(true);
    expect(streamed.stdout).not.toMatch(/\x1b\[\d*[AJ]/);
    const whole = await home.run(["Explain WAL"], { env: { COLUMNS: "60" } });
    expect(whole.stdout).toBe(streamed.stdout);
  });
});

describe("sessions show", () => {
  test("renders assistant messages on a terminal; --raw shows their source; piped and --json never render", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicPieces64([recordedReply])]));
    const first = await home.run(["Explain WAL"]);
    const id = newSessionId(first.stderr);
    const rendered = new PtyRun([...sourceRunner, "sessions", "show", id], coloured(home), { columns: 80, rows: 40 });
    expect(await rendered.finished()).toBe(0);
    const renderedText = (await rendered.screen()).lines.join("\n");
    expect(renderedText).toContain("Moving a SQLite database to WAL mode");
    expect(renderedText).not.toContain("**readers**");
    // The question is shown as it was typed.
    expect(renderedText).toContain("Explain WAL");

    const raw = new PtyRun([...sourceRunner, "sessions", "show", id, "--raw"], home.env, { columns: 200, rows: 40 });
    expect(await raw.finished()).toBe(0);
    expect((await raw.screen()).lines.join("\n")).toContain("WAL mode lets **readers** and a *writer*");

    const piped = await home.run(["sessions", "show", id]);
    expect(piped.stdout).toContain(`\n${recordedReply}\n`);
    home.config('render = "always"\n');
    const json = await home.run(["sessions", "show", id, "--json"]);
    expect(JSON.parse(json.stdout).messages[1].content).toBe(recordedReply);
  });
});

describe("-q / quiet", () => {
  test("drop the new-session line and notes; errors still print", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicPieces64(["Hi."]), anthropicPieces64(["Hi again."])]));
    const loud = await home.run(["Hello"]);
    expect(loud.stderr).toContain("continue it with");
    const quiet = await home.run(["-q", "Hello"]);
    expect(quiet).toMatchObject({ exitCode: 0, stdout: "Hi again.\n", stderr: "" });
    home.config("quiet = true\n");
    const list = await home.run(["sessions", "list", "-n", "1"]);
    expect(list.exitCode).toBe(0);
    expect(list.stderr).toBe("");
    const failed = await home.run(["sessions", "show", "ffffffff"]);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toStartWith("error: ");
  });

  test("an automatic deletion is said even when quiet", async () => {
    const home = new Home(sourceRunner).anthropic(serve([anthropicPieces64(["one"]), anthropicPieces64(["two"])]));
    home.config("quiet = true\n[session]\nmax_sessions = 1\n");
    expect((await home.run(["First"])).stderr).toBe("");
    const second = await home.run(["Second"]);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain("deleted 1 old session");
  });
});
