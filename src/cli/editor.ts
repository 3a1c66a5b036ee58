/**
 * A message composed in the user's editor (`$VISUAL`, else `$EDITOR`, else vi), as git and crontab
 * do it: a file in a private temporary folder (0700, the file 0600, since it holds what the user
 * writes), the editor run on the terminal, the file read back and removed whatever happens.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserFacingError } from "../user-error.ts";

/**
 * Where the message ends and the reference below it (the last reply, as comments) begins, as
 * git's commit template marks it: Markdown has no comment syntax a reply could not also hold.
 */
export const scissors = "# ------------------------ >8 ------------------------";

/**
 * The text the user saved, trimmed; null when they saved nothing (an empty buffer sends
 * nothing). `initial` fills the buffer; `reference` (the last reply) is shown below the
 * {@link scissors} line as comments, and everything from that line on is dropped.
 *
 * @throws {UserFacingError} when the editor cannot be started or exits with a failure: nothing is sent.
 */
export async function composeInEditor(initial: string, env: Record<string, string | undefined> = process.env, reference?: string): Promise<string | null> {
  const editor = env.VISUAL?.trim() || env.EDITOR?.trim() || "vi";
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
    // Through the shell, as git does, so `code --wait` or `emacsclient -t` work as set.
    const child = Bun.spawn(["/bin/sh", "-c", `${editor} "$1"`, "sh", file], { stdin: "inherit", stdout: "inherit", stderr: "inherit", env });
    const code = await child.exited;
    if (code !== 0) throw new UserFacingError(`the editor (${editor}) exited with code ${code}; nothing was sent; check $VISUAL / $EDITOR`);
    const saved = readFileSync(file, "utf8");
    const cut = saved.indexOf(`${scissors}\n`);
    const text = (cut === -1 ? saved : saved.slice(0, cut)).trim();
    return text === "" ? null : text;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
