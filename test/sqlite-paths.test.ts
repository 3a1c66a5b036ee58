/**
 * Database paths that are not a plain file Synapse may use: a symbolic link to nothing, a
 * device, a pipe, a file in a folder that is not Synapse's to lock. Each is one clear line from
 * the real CLI, and nothing is created or changed where it should not be.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { Home, sourceRunner } from "./_cli.ts";

function homeWith(database: string): Home {
  const home = new Home(sourceRunner);
  home.env.SYNAPSE_DATABASE_URL = `sqlite:${database}`;
  return home;
}

describe("database paths", () => {
  test("a symbolic link to nothing is named, with where it leads", async () => {
    const home = homeWith("");
    mkdirSync(home.dir, { recursive: true });
    const link = join(home.dir, "sessions.db");
    const target = join(home.dir, "unmounted", "sessions.db");
    symlinkSync(target, link);
    home.env.SYNAPSE_DATABASE_URL = `sqlite:${link}`;
    for (const args of [["sessions", "list"], ["-p", "echo", "hello"]]) {
      const result = await home.run(args);
      expect(result.stderr).toBe(
        `error: the session database ${link} is a symbolic link to ${target}, which does not exist (is its disk mounted?); restore it, fix or remove the link, or set database_url to another file\n`,
      );
      expect(result.exitCode).toBe(1);
    }
    expect(existsSync(target)).toBe(false);
  });

  test.each([
    ["/dev/null", "a device"],
    ["a named pipe", "a pipe"],
  ])("%s is not a file that can hold sessions", async (what) => {
    const home = homeWith("");
    mkdirSync(home.dir, { recursive: true });
    let path = what;
    if (what === "a named pipe") {
      path = join(home.dir, "fifo");
      expect(Bun.spawnSync(["mkfifo", path]).exitCode).toBe(0);
    }
    home.env.SYNAPSE_DATABASE_URL = `sqlite:${path}`;
    const result = await home.run(["-p", "echo", "hello"]);
    expect(result.stderr).toBe(
      `error: ${path} is not a regular file (a device, pipe or socket), so it cannot hold sessions; set database_url to a file such as ~/.config/synapse/sessions.db\n`,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
  });

  test("a database in the home folder warns about its own mode, never asks to lock the home folder", async () => {
    const home = homeWith("");
    const homeFolder = home.env.HOME!;
    mkdirSync(homeFolder, { recursive: true });
    chmodSync(homeFolder, 0o755);
    home.env.SYNAPSE_DATABASE_URL = `sqlite:${join(homeFolder, "sessions.db")}`;
    const result = await home.run(["-p", "echo", "hello"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toContain("chmod");
    chmodSync(join(homeFolder, "sessions.db"), 0o644);
    const exposed = await home.run(["sessions", "list"]);
    expect(exposed.stderr).toContain(`run: chmod 600 ${join(homeFolder, "sessions.db")}`);
    expect(exposed.stderr).not.toContain("chmod 700");
  });
});
