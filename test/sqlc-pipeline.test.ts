/**
 * The pipeline as a developer meets it: the real sqlc, our plugin, a copy of the project's
 * schema and queries. Needs the pinned sqlc; skipped without it on a developer's machine, never
 * in CI (where .ci/run installs it).
 */
import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findSqlc, root } from "../scripts/sqlc.ts";

const sqlc = findSqlc();
const run = sqlc !== null || process.env.CI === "true" ? describe : describe.skip;

function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "sqlc-pipeline-"));
  for (const part of ["sqlc.yaml", "schema", "queries", "tools", "src/storage/sqlite/generated", "src/storage/postgres/generated"]) {
    cpSync(join(root, part), join(dir, part), { recursive: true });
  }
  return dir;
}

function sqlcIn(dir: string, command: string) {
  const result = Bun.spawnSync([sqlc!, command], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  return { exitCode: result.exitCode, output: result.stdout.toString() + result.stderr.toString() };
}

function edit(path: string, from: string, to: string): void {
  const text = readFileSync(path, "utf8");
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

run("sqlc pipeline", () => {
  test("the committed code is what sqlc and the plugin generate", () => {
    expect(sqlcIn(copyProject(), "diff")).toEqual({ exitCode: 0, output: "" });
  });

  test("a query edited without regenerating is drift, shown as a diff", () => {
    const dir = copyProject();
    edit(join(dir, "queries/sqlite/sessions.sql"), "UPDATE sessions SET updated_at = @updated_at WHERE id = @id AND state = 'visible';", "UPDATE sessions SET updated_at = @updated_at WHERE id = @id AND state = 'visible' AND 1 = 1;");
    const result = sqlcIn(dir, "diff");
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain("+export const touchSessionSql = `UPDATE sessions SET updated_at = ?1 WHERE id = ?2 AND state = 'visible' AND 1 = 1`;");
    expect(sqlcIn(dir, "generate").exitCode).toBe(0);
    expect(sqlcIn(dir, "diff").exitCode).toBe(0);
  });

  test("a typo in a column name fails generation with sqlc's message, writing nothing", () => {
    const dir = copyProject();
    const before = readFileSync(join(dir, "src/storage/sqlite/generated/sessions.ts"), "utf8");
    edit(join(dir, "queries/sqlite/sessions.sql"), "UPDATE sessions SET updated_at = @updated_at WHERE id = @id AND state = 'visible';", "UPDATE sessions SET updated_at = @updated_at WHERE idd = @id AND state = 'visible';");
    const result = sqlcIn(dir, "generate");
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('column "idd" does not exist');
    expect(readFileSync(join(dir, "src/storage/sqlite/generated/sessions.ts"), "utf8")).toBe(before);
  });

  test("a command the plugin cannot generate fails with the query and file named", () => {
    const dir = copyProject();
    edit(join(dir, "queries/sqlite/sessions.sql"), "-- name: TouchSession :execrows", "-- name: TouchSession :execresult");
    const result = sqlcIn(dir, "generate");
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain("sessions.sql: query TouchSession: command :execresult is not supported");
  });
});
