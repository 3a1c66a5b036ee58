import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

type Env = Record<string, string | undefined>;

/** The user's home directory: `$HOME` when set, so tests and sandboxes can move it. */
export function homeDir(env: Env = process.env): string {
  return env.HOME || homedir();
}

/**
 * Where Synapse keeps its configuration and, by default, its database:
 * `$XDG_CONFIG_HOME/synapse`, or `~/.config/synapse`. A relative XDG_CONFIG_HOME is ignored,
 * as the XDG Base Directory spec says it must be.
 */
export function configDir(env: Env = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, "synapse");
  return join(homeDir(env), ".config", "synapse");
}

/** `~` and `~/x` become paths under the home directory; anything else is returned as is. */
export function expandHome(path: string, env: Env = process.env): string {
  if (path === "~") return homeDir(env);
  if (path.startsWith("~/")) return join(homeDir(env), path.slice(2));
  return path;
}
