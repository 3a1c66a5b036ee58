/**
 * The user's editor (`$VISUAL`, else `$EDITOR`, else vi), run on the terminal as git and crontab
 * run it: for a message composed in a private temporary file, and for the config file itself.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserFacingError } from "../user-error.ts";

type Env = Record<string, string | undefined>;

function editorOf(env: Env): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || "vi";
}

/** Runs `editor` on `file`, on the terminal; its exit code. */
async function runEditor(editor: string, file: string, env: Env): Promise<number> {
  // Through the shell, as git does, so `code --wait` or `emacsclient -t` work as set.
  const child = Bun.spawn(["/bin/sh", "-c", `${editor} "$1"`, "sh", file], { stdin: "inherit", stdout: "inherit", stderr: "inherit", env });
  return child.exited;
}

/**
 * Where the message ends and the reference below it (the last reply, as comments) begins, as
 * git's commit template marks it: Markdown has no comment syntax a reply could not also hold.
 */
export const scissors = "# ------------------------ >8 ------------------------";

/**
 * The text the user saved, trimmed; null when they saved nothing (an empty buffer sends
 * nothing). `initial` fills the buffer; `reference` (the last reply) is shown below the
 * {@link scissors} line as comments, and everything from that line on is dropped. The file is in
 * a private temporary folder (0700, the file 0600, since it holds what the user writes), removed
 * whatever happens.
 *
 * @throws {UserFacingError} when the editor cannot be started or exits with a failure: nothing is sent.
 */
export async function composeInEditor(initial: string, env: Env = process.env, reference?: string): Promise<string | null> {
  const editor = editorOf(env);
  const folder = mkdtempSync(join(tmpdir(), "synapse-"));
  try {
    const file = join(folder, "message.md");
    const below =
      reference === undefined
        ? ""
        : `\n\n${scissors}\n# Write your message above this line; this line and everything below it is not sent.\n# The last reply, for reference:\n#\n${reference
            .split("\n")
            .map((line) => `# ${line}`.trimEnd())
            .join("\n")}\n`;
    writeFileSync(file, `${initial}${below}`, { mode: 0o600 });
    const code = await runEditor(editor, file, env);
    if (code !== 0) throw new UserFacingError(`the editor (${editor}) exited with code ${code}; nothing was sent; check $VISUAL / $EDITOR`);
    const saved = readFileSync(file, "utf8");
    const cut = saved.indexOf(`${scissors}\n`);
    const text = (cut === -1 ? saved : saved.slice(0, cut)).trim();
    return text === "" ? null : text;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Opens `file` itself in the editor (`synapse config edit`): what the user saves is kept as it
 * is, whatever comes next.
 *
 * @throws {UserFacingError} when the editor cannot be started or exits with a failure.
 */
export async function editInEditor(file: string, env: Env = process.env): Promise<void> {
  const editor = editorOf(env);
  const code = await runEditor(editor, file, env);
  if (code !== 0) throw new UserFacingError(`the editor (${editor}) exited with code ${code}, leaving ${file} as it saved it; check $VISUAL / $EDITOR`);
}
