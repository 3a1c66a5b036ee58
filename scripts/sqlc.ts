/**
 * Finding the pinned sqlc, and generating into a scratch folder to learn exactly which files the
 * queries produce (sqlc itself never deletes a stale generated file, and `sqlc diff` ignores them).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve } from "node:path";

export const pinnedVersion = "v1.31.1";
export const installHint = `CGO_ENABLED=0 go install github.com/sqlc-dev/sqlc/cmd/sqlc@${pinnedVersion}`;
export const root = resolve(import.meta.dir, "..");

/** sqlc from PATH, else where `go install` puts it; null when it is not installed. */
export function findSqlc(): string | null {
  const candidates = [Bun.which("sqlc")];
  const gopath = process.env.GOPATH || (process.env.HOME ? join(process.env.HOME, "go") : "");
  if (gopath) candidates.push(join(gopath.split(":")[0]!, "bin", "sqlc"));
  if (process.env.GOBIN) candidates.push(join(process.env.GOBIN, "sqlc"));
  return candidates.find((c): c is string => !!c && existsSync(c)) ?? null;
}

/** The path of the pinned sqlc; throws with the install command when missing or another version. */
export function requireSqlc(): string {
  const sqlc = findSqlc();
  if (sqlc === null) throw new Error(`sqlc ${pinnedVersion} is not installed; install it with: ${installHint}`);
  const version = Bun.spawnSync([sqlc, "version"]).stdout.toString().trim();
  if (version !== pinnedVersion) {
    throw new Error(`${sqlc} is sqlc ${version || "(unknown version)"}, but this project pins ${pinnedVersion}; install it with: ${installHint}`);
  }
  return sqlc;
}

export function runSqlc(sqlc: string, args: string[]): { ok: boolean; output: string } {
  const result = Bun.spawnSync([sqlc, ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  return { ok: result.exitCode === 0, output: result.stdout.toString() + result.stderr.toString() };
}

interface SqlcConfig {
  plugins?: { process?: { cmd?: string } }[];
  sql: { schema: string | string[]; queries: string | string[]; codegen?: { out: string }[] }[];
}

export interface GeneratedFolder {
  /** The out folder as written in sqlc.yaml, relative to the repository. */
  out: string;
  /** File name → contents, as the plugin produces them now. */
  files: Map<string, string>;
}

/** Runs the whole sqlc pipeline into a scratch folder and returns what each out folder should hold. */
export function generateToScratch(sqlc: string): GeneratedFolder[] {
  const config = Bun.YAML.parse(readFileSync(join(root, "sqlc.yaml"), "utf8")) as SqlcConfig;
  const scratch = mkdtempSync(join(tmpdir(), "sqlc-check-"));
  // sqlc joins every path in its config to the config's folder, absolute or not.
  const absolute = (p: string) => relative(scratch, isAbsolute(p) ? p : join(root, p));
  const folders: { out: string; scratchOut: string }[] = [];
  for (const plugin of config.plugins ?? []) {
    if (plugin.process?.cmd) plugin.process.cmd = absolute(plugin.process.cmd);
  }
  config.sql.forEach((block, b) => {
    block.schema = Array.isArray(block.schema) ? block.schema.map(absolute) : absolute(block.schema);
    block.queries = Array.isArray(block.queries) ? block.queries.map(absolute) : absolute(block.queries);
    block.codegen?.forEach((codegen, c) => {
      const scratchOut = `out-${b}-${c}`;
      folders.push({ out: codegen.out, scratchOut: join(scratch, scratchOut) });
      codegen.out = scratchOut;
    });
  });
  // JSON is YAML, and sqlc picks the format from the file name.
  const configPath = join(scratch, "sqlc.json");
  writeFileSync(configPath, JSON.stringify(config));
  const result = Bun.spawnSync([sqlc, "generate", "-f", configPath], { cwd: scratch, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`sqlc generate failed:\n${result.stdout}${result.stderr}`);
  return folders.map(({ out, scratchOut }) => ({ out, files: readFolder(scratchOut) }));
}

export function readFolder(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(folder)) return files;
  for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(folder.length + 1), readFileSync(path, "utf8"));
  }
  return files;
}
