/**
 * The config file: which one is read, and what it holds once parsed as TOML and validated. Its
 * problems are `ConfigError`s naming the file and the key; unknown keys and a key readable by
 * other users are warnings.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as v from "valibot";
import { configDir, expandHome } from "../paths.ts";
import { errnoCode, isRecord } from "../unknown-values.ts";
import { nonEmpty, type Env } from "./env-and-flags.ts";
import { ConfigError } from "./errors.ts";
import { ConfigFileSchema, KNOWN_KEYS, REMOTE_PROVIDERS, type ConfigFile } from "./schema.ts";
import { closestKnownKey, unknownKeys } from "./unknown-keys.ts";
import { isCredentialHeader } from "./providers.ts";

/**
 * Which file is read: `path`, else `$SYNAPSE_CONFIG`, else `<config dir>/config.toml`. The
 * second value says whether the user named the file, in which case it must exist.
 */
export function configFilePath(env: Env, path?: string): { path: string; explicit: boolean } {
  const chosen = nonEmpty(path) ?? nonEmpty(env.SYNAPSE_CONFIG);
  if (chosen !== undefined) return { path: expandHome(chosen, env), explicit: true };
  return { path: join(configDir(env), "config.toml"), explicit: false };
}

/**
 * Writes `text` as a new config file at `path`, its folder first when missing (0700), the file
 * 0600: it may come to hold API keys, and is never readable by others even for an instant.
 * Returns false, touching nothing, when something is there already.
 *
 * @throws {ConfigError} `write` when the folder or the file cannot be made, or `path` is a folder.
 */
export function createConfigFile(path: string, text: string): boolean {
  const folder = dirname(path);
  try {
    if (!existsSync(folder)) {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      // (mkdir's mode is masked by the umask; chmod is not.)
      chmodSync(folder, 0o700);
    }
    // "wx": a file that is there (or made meanwhile by someone else) is left as it is.
    writeFileSync(path, text, { flag: "wx", mode: 0o600 });
    return true;
  } catch (error) {
    const code = errnoCode(error) ?? String(error);
    if (code === "EEXIST") {
      if (!statSync(path).isDirectory()) return false;
      throw new ConfigError("write", `cannot edit config file ${path}: it is a directory; remove it, or name a file with SYNAPSE_CONFIG`, { file: path });
    }
    const why = code === "EACCES" ? "permission denied" : code === "ENOTDIR" ? "a folder on its path is a file" : code;
    throw new ConfigError("write", `cannot create config file ${path}: ${why}; check its folder's permissions, or name another file with SYNAPSE_CONFIG`, { file: path, cause: error });
  }
}

/** Reads and validates the file; `undefined` when it does not exist and was not named. */
export function readConfigFile(path: string, explicit: boolean, warn: (message: string) => void): ConfigFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = errnoCode(error) ?? String(error);
    if (code === "ENOENT" && !explicit) return undefined;
    const why =
      code === "ENOENT"
        ? "it does not exist (it was named by SYNAPSE_CONFIG)"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES"
            ? "permission denied"
            : code;
    throw new ConfigError("read", `cannot read config file ${path}: ${why}`, { file: path, cause: error });
  }

  let raw: unknown;
  try {
    raw = Bun.TOML.parse(text);
  } catch (error) {
    // Bun's TOML errors carry no position in the file (their line/column are the caller's), so
    // the parser's own words, which usually quote the offending token, have to do.
    const raw = error instanceof Error ? error.message.replace(/^TOML Parse error:\s*/, "") : String(error);
    // The parser quotes the offending token, which may be an API key typed without quotes.
    const detail = raw.replace(/"([^"]*)"/g, (quoted, token: string) => (token.length <= 16 ? quoted : '"…"'));
    throw new ConfigError("parse", `config file ${path} is not valid TOML: ${detail}`, {
      file: path,
      cause: error,
    });
  }

  if (isRecord(raw)) {
    for (const key of Object.keys(KNOWN_KEYS)) {
      if (key !== "" && Array.isArray(raw[key])) {
        throw new ConfigError("invalid", `config file ${path}: "${key}" must be a table ([${key}]), but it is an array of tables ([[${key}]])`, {
          file: path,
          key,
        });
      }
    }
    if (isRecord(raw.mcp) && Array.isArray(raw.mcp.servers)) {
      throw new ConfigError("invalid", `config file ${path}: "mcp.servers" must be a table of servers ([mcp.servers.NAME]), but it is an array of tables ([[mcp.servers]])`, {
        file: path,
        key: "mcp.servers",
      });
    }
  }

  for (const key of unknownKeys(raw)) {
    const suggestion = closestKnownKey(key);
    warn(`unknown key "${key}" in ${path} is ignored${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`);
  }

  const result = v.safeParse(ConfigFileSchema, raw);
  if (!result.success) {
    const issue = result.issues[0];
    const key = issue.path?.map((item) => String(item.key)).join(".") ?? "";
    throw new ConfigError(
      "invalid",
      `config file ${path}: "${key}" must be ${issue.message}, but it is ${describe(issue.input)}`,
      { file: path, key },
    );
  }

  const holdsKey =
    REMOTE_PROVIDERS.some((name) => result.output[name]?.api_key !== undefined) ||
    Object.values(result.output.providers ?? {}).some((table) => table.api_key !== undefined || Object.keys(table.headers ?? {}).some(isCredentialHeader)) ||
    // An MCP server's token is passed in its env (GITHUB_PERSONAL_ACCESS_TOKEN, BRAVE_API_KEY).
    Object.values(result.output.mcp?.servers ?? {}).some((server) => Object.keys(server.env ?? {}).some(isCredentialHeader));
  if (holdsKey && process.platform !== "win32") {
    const mode = statSync(path).mode;
    if ((mode & 0o044) !== 0) {
      warn(
        `config file ${path} holds an API key and is readable by other users ` +
          `(mode ${(mode & 0o777).toString(8)}); fix it with: chmod 600 ${path}`,
      );
    }
  }
  return result.output;
}

/**
 * A value for a message. Long strings are not quoted: a misplaced API key (`anthropic =
 * "sk-…"`) must not end up in an error message.
 */
function describe(value: unknown): string {
  if (typeof value === "string") return value.length <= 16 ? `the string "${value}"` : "a long string";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return "an array";
  if (isRecord(value)) return value.constructor === Object ? "a table" : "a date";
  return String(value);
}
