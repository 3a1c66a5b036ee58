/**
 * Output that fits the window: the real synapse in pseudo-terminals 80 and 40 columns wide, its
 * output replayed into a headless xterm of the same width. No row of `sessions list`, `sessions
 * search` or `--help` may wrap, cuts end in `…`, colours and hit marks stay balanced, and the
 * list says when in words. Piped, the output is what it always was.
 */
import { describe, expect, test } from "bun:test";
import { renderUsage, type CommandDef } from "citty";
import { groups } from "../src/cli/commands/index.ts";
import { Home, sourceRunner } from "./_cli.ts";
import { PtyRun, type Screen } from "./_pty.ts";

const now = Date.now();
const ids = { old: "0b5e2c1e-8a6f-4c3b-9d2e-6f1a7c9b4d20", titled: "1c6f3d2f-9b70-4d4c-8e3f-7a2b8d0c5e31", recent: "2d7a4e30-ac81-4e5d-9f40-8b3c9e1d6f42" };
// Wide characters and emoji that a headless xterm measures as Bun.stringWidth does, or narrower.
// (It measures by Unicode 6: a ZWJ family such as 👨‍👩‍👧 is three columns there, two in Bun and
// in current terminals; the unit tests of fit-width.ts cover those.)
const oldQuestion = "lantern 日本語のテキスト 🧑‍💻 coder 🙂 flag 🇫🇷 and plain words past the edge";
const longTitle = "日本語のタイトル 🧑‍💻 a title long enough to be cut in a window eighty columns wide";
const sessions = [
  { id: ids.old, title: null, provider: "anthropic", model: "claude-sonnet-4-5", at: "2020-01-15T12:00:00.000Z", question: oldQuestion },
  { id: ids.titled, title: longTitle, provider: "openai", model: "gpt-4o-mini", at: new Date(now - 3 * 3_600_000).toISOString(), question: "Where is the lantern? Words here and there, enough of them to run past the edge" },
  { id: ids.recent, title: null, provider: "echo", model: "echo", at: new Date(now - 10_000).toISOString(), question: "lantern short" },
];

function exported(s: (typeof sessions)[number], index: number): string {
  const message = (n: number, role: string, content: string) => ({ id: `${n}${index}${s.id.slice(2)}`, role, content, timestamp: s.at });
  return JSON.stringify({
    format: "synapse.session",
    version: 1,
    session: { id: s.id, name: s.title, provider: s.provider, model: s.model, systemPrompt: null, createdAt: s.at, updatedAt: s.at },
    messages: [message(1, "user", s.question), message(2, "assistant", `A lantern answer, long: ${s.question}`)],
  });
}

/** A home with the three sessions, times shown in UTC; made once, read by every test. */
const home = (async () => {
  const made = new Home(sourceRunner, { TZ: "UTC" });
  for (const [index, s] of sessions.entries()) {
    const result = await made.run(["sessions", "import", "-"], { stdin: exported(s, index) });
    expect(result.exitCode).toBe(0);
  }
  return made;
})();

/** The environment with colours on (Home's has NO_COLOR) or off. */
function envWith(env: Record<string, string>, colour: boolean): Record<string, string> {
  const { NO_COLOR: _, ...rest } = env;
  return colour ? rest : env;
}

interface Run {
  screen: Screen;
  /** What was written, line by line, escape sequences and all. */
  written: string[];
}

async function inTerminal(args: string[], columns: number, colour = false): Promise<Run> {
  const { env } = await home;
  const run = new PtyRun([...sourceRunner, ...args], envWith(env, colour), { columns, rows: 40 });
  expect(await run.finished()).toBe(0);
  const written = run.output.split(/\r?\n/);
  while (written.at(-1) === "") written.pop();
  return { screen: await run.screen(), written };
}

/** No line wrapped, and each line written fits in `columns` by itself. */
function expectFits({ screen, written }: Run, columns: number): void {
  expect(screen.wrapped).toEqual([]);
  for (const line of written) expect(Bun.stringWidth(line)).toBeLessThanOrEqual(columns);
}

const count = (line: string, part: string) => line.split(part).length - 1;

for (const columns of [80, 40]) {
  describe(`in a terminal ${columns} columns wide`, () => {
    for (const colour of [false, true]) {
      const how = colour ? "in colour" : "with NO_COLOR";
      test(`sessions list: no row wraps, titles are cut with …, times are relative (${how})`, async () => {
        const run = await inTerminal(["sessions", "list"], columns, colour);
        expectFits(run, columns);
        const rows = run.screen.lines;
        expect(rows).toHaveLength(4);
        expect(rows[0]).toStartWith("ID        UPDATED     MSGS  MODEL");
        // Most recently used first, each with its time said as a person would.
        expect(rows[1]).toMatch(/^2d7a4e30  (just now|\d+ min ago) +2  echo\/echo/);
        expect(rows[2]).toMatch(/^1c6f3d2f  \d+ h ago +2  openai\/gpt-/);
        expect(rows[3]).toMatch(/^0b5e2c1e  2020-01-15 +2  anthropic\/c/);
        // The long title and first message are cut to the room left, or the rows themselves.
        expect(rows[2]).toEndWith("…");
        expect(rows[3]).toEndWith("…");
        if (columns === 80) expect(rows[2]).toContain("日本語");
        // A bold title cut short is still closed.
        for (const line of run.written) expect(count(line, "\x1b[1m")).toBe(count(line, "\x1b[22m"));
      });

      test(`sessions search: no line wraps, lines are cut with …, hit marks stay balanced (${how})`, async () => {
        const run = await inTerminal(["sessions", "search", "lantern"], columns, colour);
        expectFits(run, columns);
        const lines = run.screen.lines;
        expect(lines).toHaveLength(12);
        expect(lines.filter((line) => line.endsWith("…")).length).toBeGreaterThan(0);
        for (const line of run.written) {
          if (colour) expect(count(line, "\x1b[1;33m")).toBe(count(line, "\x1b[22;39m"));
          else expect(count(line, "**") % 2).toBe(0);
        }
        if (!colour) expect(lines.filter((line) => line.startsWith("    ")).every((line) => line.includes("**lan"))).toBe(true);
      });
    }

    test("--help: every line fits; descriptions are wrapped or set under their labels", async () => {
      for (const args of [["--help"], ["sessions", "search", "--help"], ["sessions", "--help"]]) {
        const run = await inTerminal(args, columns);
        expectFits(run, columns);
        expect(run.screen.lines).toContain("EXAMPLES");
      }
      const { screen } = await inTerminal(["--help"], columns);
      const session = screen.lines.findIndex((line) => line.includes("-s, --session=<id>"));
      if (columns === 80) {
        // Beside its label, going on under the description column.
        expect(screen.lines[session]).toBe("     -s, --session=<id>    Continue this session, with its whole history: its");
        expect(screen.lines[session + 1]).toBe("                           id, a unique start of it, or its exact title");
      } else {
        expect(screen.lines[session]).toBe("  -s, --session=<id>");
        expect(screen.lines[session + 1]).toStartWith("      Continue this session");
      }
      // An example too long for the window is broken with a backslash, so it still pastes.
      const example = screen.lines.findIndex((line) => line.startsWith("  synapse -p openai -m gpt-4o-mini"));
      expect(screen.lines[example]).toEndWith(" \\");
      expect(screen.lines[example + 1]).toMatch(/^ {6}\S/);
      expect(screen.lines.slice(example, example + 3).join(" ")).toContain('"Capital of Peru?"');
    });
  });
}

test("the spinner's line is cut to the window, so clearing it leaves nothing behind", async () => {
  const fresh = new Home(sourceRunner);
  const run = new PtyRun([...sourceRunner, "-p", "echo", "hi there"], fresh.env, { columns: 20, rows: 10 });
  expect(await run.finished()).toBe(0);
  // Drawn once at least (at once, as the exchange starts), cut to 20 columns less the frame's 2.
  expect(run.output).toContain("\r⠋ waiting for the r…");
  const screen = await run.screen();
  expect(screen.lines[0]).toBe("hi there");
  expect(screen.lines.join("\n")).not.toContain("waiting");
});

describe("piped, as always", () => {
  const time = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;

  test("sessions list: full times, whole rows", async () => {
    const result = await (await home).run(["sessions", "list"]);
    expect(result.exitCode).toBe(0);
    const row = (id: string, at: string, model: string, title: string) => `${id}  ${time(at)}     2  ${model.padEnd(27)}  ${title}`;
    expect(result.stdout).toBe(
      [
        `ID        UPDATED           MSGS  ${"MODEL".padEnd(27)}  TITLE / FIRST MESSAGE`,
        row("2d7a4e30", sessions[2]!.at, "echo/echo", "lantern short"),
        row("1c6f3d2f", sessions[1]!.at, "openai/gpt-4o-mini", longTitle),
        row("0b5e2c1e", sessions[0]!.at, "anthropic/claude-sonnet-4-5", oldQuestion),
        "",
      ].join("\n"),
    );
  });

  test("sessions search: whole lines, hits marked **like this**", async () => {
    const result = await (await home).run(["sessions", "search", "lantern"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`1c6f3d2f  ${time(sessions[1]!.at)}  user  ${longTitle}\n    Where is the **lantern**? Words here and there, enough of them to run past the edge\n`);
    expect(result.stdout).toContain(`0b5e2c1e  ${time(sessions[0]!.at)}  user  ${oldQuestion}\n    **lantern** ${oldQuestion.slice("lantern ".length)}\n`);
  });

  test("--help: citty's text as it renders it, padding and all, with the examples", async () => {
    const result = await (await home).run(["sessions", "search", "--help"]);
    const sessionsGroup = await groups.sessions!();
    const search = await sessionsGroup.subCommands!.search!();
    const usage = await renderUsage(search as unknown as CommandDef, sessionsGroup as unknown as CommandDef);
    expect(result.stdout).toBe(`${Bun.stripANSI(usage)}\n\nEXAMPLES\n\n${search.examples!.map((e) => `  ${e}`).join("\n")}\n`);
    expect(result.stdout.split("\n").some((line) => line.length > 80)).toBe(true);
  });
});
