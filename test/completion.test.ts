/**
 * Shell completion end to end: the scripts `synapse completion SHELL` prints, loaded into real
 * bash, zsh and fish, completing commands, flags, providers, session ids and titles from a
 * database the real CLI made in a temporary HOME. The shells run the `synapse` on their PATH:
 * here, one that runs the source.
 *
 * Bash's completion function is driven as readline drives it (COMP_WORDS, COMP_CWORD,
 * COMP_LINE, COMP_POINT) and its COMPREPLY read; fish is asked with `complete -C`. Then each
 * shell is used as a person uses it, in a pseudo-terminal: a line typed, Tab, and the words the
 * shell then runs, which shows a title with spaces was inserted quoted. zsh and fish are
 * tested where they are installed (Debian: apt-get install zsh fish).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Home, newSessionId, root, sourceRunner } from "./_cli.ts";
import { PtyRun } from "./_pty.ts";

const home = new Home(sourceRunner).config('[providers.mine]\ntype = "openai"\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "mine-model"\n');
const bin = join(home.dir, "bin");
const env = { ...home.env, PATH: `${bin}:${home.env.PATH}`, TERM: "xterm" };
const ids: Record<string, string> = {};
/** Each session's id as lists show it (its first 8 characters: four random UUIDs share no more). */
const short = (name: string) => ids[name]!.slice(0, 8);
const has = { zsh: Bun.which("zsh") !== null, fish: Bun.which("fish") !== null };

beforeAll(async () => {
  mkdirSync(bin);
  writeFileSync(join(bin, "synapse"), `#!/bin/sh\nexec '${process.execPath}' '${join(root, "src/cli/main.ts")}' "$@"\n`);
  chmodSync(join(bin, "synapse"), 0o755);
  for (const [title, message] of [
    ["Trip planning", "Trains from Lyon to Turin?"],
    ["Trip notes", "Notes"],
    ["Lyon: food", "Where to eat"],
  ] as const) {
    ids[title] = newSessionId((await home.run(["-p", "echo", "--title", title, message])).stderr);
  }
  ids.untitled = newSessionId((await home.run(["-p", "echo", "No title here"])).stderr);
});

/** Quoted for bash. */
const sh = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

async function shell(command: string[]): Promise<string> {
  const child = Bun.spawn(command, { env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (code !== 0 || stderr !== "") throw new Error(`${command[0]} failed (${code}): ${stderr}`);
  return stdout;
}

/**
 * `_synapse` run as readline runs it for `line`, which bash split into `words` (at spaces, and at
 * `=` and `:`): the replies, and what it asked readline to do (compopt, which bash allows only
 * inside a real completion, so it is recorded here instead).
 */
async function bashComplete(line: string, words: string[]): Promise<{ replies: string[]; asked: string[] }> {
  const out = await shell([
    "bash",
    "--norc",
    "--noprofile",
    "-c",
    [
      "source <(synapse completion bash)",
      "asked=()",
      'compopt() { asked+=("$*"); }',
      `COMP_LINE=${sh(line)} COMP_POINT=${line.length} COMP_CWORD=${words.length - 1}`,
      `COMP_WORDS=(${words.map(sh).join(" ")})`,
      "_synapse",
      `for r in "\${COMPREPLY[@]}"; do printf 'reply[%s]\\n' "$r"; done`,
      `for a in "\${asked[@]}"; do printf 'asked[%s]\\n' "$a"; done`,
    ].join("\n"),
  ]);
  const all = (kind: string) => [...out.matchAll(new RegExp(`^${kind}\\[(.*)\\]$`, "gm"))].map((m) => m[1]!);
  return { replies: all("reply"), asked: all("asked") };
}

describe("bash", () => {
  test("the script registers a completion function for synapse", async () => {
    expect(await shell(["bash", "--norc", "--noprofile", "-c", "source <(synapse completion bash); complete -p synapse"])).toBe("complete -F _synapse synapse\n");
  });

  const titles = ["Trip planning", "Trip notes", "Lyon: food"];
  test.each<[string, string[], () => string[], string[]]>([
    // Commands: the hidden ones (completion, __complete) are not offered.
    ["synapse ", ["synapse", ""], () => ["chat", "config", "models", "sessions", "tools"], []],
    ["synapse se", ["synapse", "se"], () => ["sessions"], []],
    ["synapse sessions sh", ["synapse", "sessions", "sh"], () => ["show"], []],
    // Flags, each command its own.
    ["synapse --sy", ["synapse", "--sy"], () => ["--system"], []],
    ["synapse sessions list -", ["synapse", "sessions", "list", "-"], () => ["--limit", "-n", "--all", "--json", "--quiet", "-q", "--debug", "--help", "-h"], []],
    ["synapse sessions export x --f", ["synapse", "sessions", "export", "x", "--f"], () => ["--format"], []],
    ["synapse sessions export x --format=m", ["synapse", "sessions", "export", "x", "--format", "=", "m"], () => ["markdown", "md"], []],
    // Providers: built-in, presets, the configuration's own, echo.
    ["synapse -p m", ["synapse", "-p", "m"], () => ["mine", "mistral"], []],
    ["synapse chat --provider ec", ["synapse", "chat", "--provider", "ec"], () => ["echo"], []],
    // Sessions by title, readline told to quote what it inserts.
    ["synapse sessions show Trip\\ p", ["synapse", "sessions", "show", "Trip\\ p"], () => ["Trip planning"], ["-o filenames"]],
    ['synapse sessions show "Trip', ["synapse", "sessions", "show", '"Trip'], () => ["Trip notes", "Trip planning"], ["-o filenames"]],
    ["synapse chat -s 'Trip n", ["synapse", "chat", "-s", "'Trip n"], () => ["Trip notes"], ["-o filenames"]],
    ["synapse sessions delete x Tri", ["synapse", "sessions", "delete", "x", "Tri"], () => ["Trip notes", "Trip planning"], ["-o filenames"]],
    // --continue=REF, which bash splits at `=`: readline keeps `--continue=`.
    ["synapse --continue=Trip\\ p", ["synapse", "--continue", "=", "Trip\\ p"], () => ["Trip planning"], ["-o filenames"]],
    // A colon splits too: readline keeps `Lyon:`, and inserts the rest.
    ["synapse -s Lyon:", ["synapse", "-s", "Lyon", ":"], () => [" food"], ["-o filenames"]],
    // Not sessions: a new title, the words of a message.
    ["synapse sessions rename x Tri", ["synapse", "sessions", "rename", "x", "Tri"], () => [], []],
    ["synapse What is Tri", ["synapse", "What", "is", "Tri"], () => [], []],
    ["synapse -- se", ["synapse", "--", "se"], () => [], []],
    // A file: readline's own completion.
    ["synapse sessions import ", ["synapse", "sessions", "import", ""], () => [], ["-o default"]],
  ])("%s", async (line, words, expected, asked) => {
    const result = await bashComplete(line, words);
    expect(result.replies.sort()).toEqual(expected().sort());
    expect(result.asked).toEqual(asked);
  });

  test("sessions by the start of their id, in any case, as lists show them", async () => {
    for (const [name, typed] of [
      ["Trip planning", ids["Trip planning"]!.slice(0, 5)],
      ["untitled", ids.untitled!.slice(0, 5).toUpperCase()],
    ] as const) {
      expect(await bashComplete(`synapse -s ${typed}`, ["synapse", "-s", typed])).toEqual({ replies: [short(name)], asked: ["-o filenames"] });
    }
  });

  test("with nothing typed after -s, the most recent sessions: short ids and titles", async () => {
    const { replies } = await bashComplete("synapse -s ", ["synapse", "-s", ""]);
    expect(replies.sort()).toEqual([...Object.keys(ids).map(short), ...titles].sort());
    // `--continue=` gives the same, after the `=` readline keeps.
    expect((await bashComplete("synapse --continue=", ["synapse", "--continue", "="])).replies.sort()).toEqual(replies);
  });
});

describe.skipIf(!has.fish)("fish", () => {
  test.each<[string, () => string[]]>([
    ["synapse se", () => ["sessions\tList, search, show, fork, export, import, copy and delete stored sessions"]],
    ["synapse --sy", () => ["--system\tSystem prompt for a new session"]],
    ["synapse -p m", () => ["mine\tmine-model", "mistral\tmistral-small-latest"]],
    ["synapse -s ID", () => [`${short("Trip planning")}\tTrip planning`]],
    ["synapse sessions show Trip", () => [`Trip notes\tsession ${short("Trip notes")}`, `Trip planning\tsession ${short("Trip planning")}`]],
    ["synapse sessions show ID", () => [`${short("untitled")}\tNo title here`]],
    ["synapse --continue=Trip", () => [`--continue=Trip notes\tsession ${short("Trip notes")}`, `--continue=Trip planning\tsession ${short("Trip planning")}`]],
    ["synapse sessions export x --format ", () => ["json", "markdown", "md"]],
  ])("complete -C %j", async (line, expected) => {
    const typed = line.replace("ID", line.includes("show") ? ids.untitled!.slice(0, 5) : ids["Trip planning"]!.slice(0, 5));
    const out = await shell(["fish", "--no-config", "-c", `synapse completion fish | source; complete -C ${fishQuote(typed)}`]);
    expect(out.split("\n").filter((l) => l !== "").sort()).toEqual(expected().sort());
  });
});

function fishQuote(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** Each shell at a terminal, its prompt `$ `, the completion loaded. */
const interactive: Record<"bash" | "zsh" | "fish", { command: string[]; setup: string; available: boolean }> = {
  bash: { command: ["bash", "--norc", "--noprofile", "-i"], setup: "PS1='$ '; source <(synapse completion bash)", available: true },
  zsh: { command: ["zsh", "-f", "-i"], setup: "PROMPT='$ '; autoload -U compinit && compinit -u -D && source <(synapse completion zsh)", available: has.zsh },
  fish: {
    command: ["fish", "--no-config", "-i", "-C", "function fish_prompt; echo '$ '; end; set -g fish_autosuggestion_enabled 0"],
    setup: "synapse completion fish | source",
    available: has.fish,
  },
};

for (const [name, shellAt] of Object.entries(interactive)) {
  describe.skipIf(!shellAt.available)(`${name} at a terminal`, () => {
    test("Tab completes a command, a flag, a provider, an id and titles, quoted", async () => {
      const run = new PtyRun(shellAt.command, env, { columns: 200, rows: 40 });
      // `printf 'A%sB\n' X` prints AXB: the typed line's echo never holds it, the output does.
      const line = async (text: string): Promise<void> => {
        const from = run.output.length;
        run.write(`${text}; printf 'DO%sNE\\n' X\r`);
        await run.waitFor("DOXNE", from);
        // The next prompt: the line editor is reading keys again.
        await run.waitFor("$ ", run.output.indexOf("DOXNE", from));
        await Bun.sleep(50);
      };
      /** The words the shell runs once `typed` and a Tab are entered: printf shows each between <>. */
      const tab = async (typed: string): Promise<string[]> => {
        const from = run.output.length;
        // Tab, then to the line's start (Ctrl+A) to put printf before the words.
        await line(`${typed}\t\x01printf '<%s>' \x05`);
        const printed = /((?:<[^<>\n]*>)+)DOXNE/.exec(run.output.slice(from))?.[1] ?? "";
        return [...printed.matchAll(/<([^<>\n]*)>/g)].map((m) => m[1]!);
      };
      try {
        await line(shellAt.setup);
        expect(await tab("synapse sess")).toEqual(["synapse", "sessions"]);
        expect(await tab("synapse --sys")).toEqual(["synapse", "--system"]);
        expect(await tab("synapse -p ech")).toEqual(["synapse", "-p", "echo"]);
        expect(await tab(`synapse -s ${ids["Trip notes"]!.slice(0, 5)}`)).toEqual(["synapse", "-s", short("Trip notes")]);
        expect(await tab("synapse sessions show Trip\\ p")).toEqual(["synapse", "sessions", "show", "Trip planning"]);
        expect(await tab('synapse sessions show "Trip p')).toEqual(["synapse", "sessions", "show", "Trip planning"]);
        expect(await tab("synapse -s Lyon:\\ f")).toEqual(["synapse", "-s", "Lyon: food"]);
        expect(await tab("synapse --continue=Trip\\ p")).toEqual(["synapse", "--continue=Trip planning"]);
      } finally {
        run.write("exit\r");
        await run.finished();
      }
    });
  });
}

describe("the hidden commands", () => {
  test("are in no --help, and refuse what they do not know", async () => {
    const help = await home.run(["--help"]);
    expect(help.stdout).not.toContain("completion");
    expect(help.stdout).not.toContain("__complete");
    expect(await home.run(["completion", "tcsh"])).toMatchObject({ exitCode: 2, stdout: "", stderr: expect.stringContaining('no completion for "tcsh"; give one of bash, zsh, fish') });
    expect(await home.run(["__complete", "models", "x"])).toMatchObject({ exitCode: 2, stdout: "" });
  });

  test("__complete sessions never creates a database", async () => {
    const empty = new Home(sourceRunner);
    const result = await empty.run(["__complete", "sessions", "--", ""]);
    expect(result).toMatchObject({ exitCode: 1, stdout: "" });
    expect(await Bun.file(empty.database).exists()).toBe(false);
  });
});
