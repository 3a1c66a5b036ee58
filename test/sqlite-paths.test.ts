/**
 * Database paths that are not a plain file Synapse may use: a symbolic link to nothing, a
 * device, a pipe, a file in a folder that is not Synapse's to lock. Each is one clear line from
 * the real CLI, and nothing is created or changed where it should not be.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
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

  test("a folder that is a symbolic link to nothing is named, with where it leads, and nothing is made", async () => {
    // The config folder on a disk that is not mounted: the default database path goes through it.
    const home = new Home(sourceRunner);
    mkdirSync(home.dir, { recursive: true });
    const target = join(home.dir, "unmounted", "synapse");
    const configFolder = join(home.env.XDG_CONFIG_HOME!, "synapse");
    mkdirSync(home.env.XDG_CONFIG_HOME!, { recursive: true });
    symlinkSync(target, configFolder);
    const line = (link: string) =>
      `error: the session database folder ${link} is a symbolic link to ${target}, which does not exist (is its disk mounted?); restore it, fix or remove the link, or set database_url to another file\n`;
    for (const args of [["sessions", "list"], ["-p", "echo", "hello"]]) {
      const result = await home.run(args);
      expect({ args, stderr: result.stderr, exitCode: result.exitCode }).toEqual({ args, stderr: line(configFolder), exitCode: 1 });
    }
    // The same link named in database_url, as the folder or as a folder above it.
    const dlink = join(home.dir, "dlink");
    symlinkSync(target, dlink);
    for (const database of [join(dlink, "x.db"), join(dlink, "deeper", "x.db")]) {
      home.env.SYNAPSE_DATABASE_URL = `sqlite:${database}`;
      const result = await home.run(["sessions", "list"]);
      expect({ database, stderr: result.stderr, exitCode: result.exitCode }).toEqual({ database, stderr: line(dlink), exitCode: 1 });
    }
    expect(existsSync(join(home.dir, "unmounted"))).toBe(false);
  });

  test("a symbolic link loop, and a file taken for a folder, are said as such", async () => {
    const home = homeWith("");
    mkdirSync(home.dir, { recursive: true });
    const loop1 = join(home.dir, "loop1");
    symlinkSync(join(home.dir, "loop2"), loop1);
    symlinkSync(loop1, join(home.dir, "loop2"));
    const file = join(home.dir, "a-file");
    writeFileSync(file, "");
    for (const [database, said] of [
      [loop1, "goes through a loop of symbolic links (links that lead to each other); fix or remove the links, or set database_url to another file"],
      [join(loop1, "x.db"), "goes through a loop of symbolic links (links that lead to each other); fix or remove the links, or set database_url to another file"],
      [join(file, "x.db"), "goes through a file as if it were a folder; move that file away, or set database_url to a file in a folder"],
      [join(file, "sub", "x.db"), "goes through a file as if it were a folder; move that file away, or set database_url to a file in a folder"],
    ]) {
      home.env.SYNAPSE_DATABASE_URL = `sqlite:${database}`;
      const result = await home.run(["-p", "echo", "hello"]);
      expect({ database, stderr: result.stderr, exitCode: result.exitCode }).toEqual({
        database,
        stderr: `error: the session database path ${database} ${said}\n`,
        exitCode: 1,
      });
    }
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
