/**
 * The template `synapse config edit` writes: every key the loader knows is in it, it is valid
 * TOML that the loader reads without a warning once uncommented, and the values it gives as
 * defaults are the loader's own.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/load.ts";
import { KNOWN_KEYS, MCP_SERVER_TABLE_KEYS, PROVIDER_TABLE_KEYS } from "../src/config/schema.ts";
import { configTemplate } from "../src/config/template.ts";

const template = configTemplate();

/** Loads `toml` as the config file of an empty environment; warnings are collected. */
function load(toml: string | undefined) {
  const dir = mkdtempSync(join(tmpdir(), "synapse-template-"));
  const env = { HOME: join(dir, "home"), XDG_CONFIG_HOME: join(dir, "xdg") };
  if (toml !== undefined) {
    mkdirSync(join(dir, "xdg", "synapse"), { recursive: true });
    writeFileSync(join(dir, "xdg", "synapse", "config.toml"), toml, { mode: 0o600 });
  }
  const warnings: string[] = [];
  const config = loadConfig({ env, warn: (m) => warnings.push(m) });
  return { config: { ...config, configPath: "", configFileLoaded: false }, warnings };
}

/** The template's sections (`""` for the top), each with its commented `key = value` lines. */
function sections(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>([["", []]]);
  let current = "";
  for (const line of text.split("\n")) {
    const table = /^# \[([\w.]+)\]$/.exec(line)?.[1];
    if (table !== undefined) found.set((current = table), []);
    const key = /^# ([\w-]+) = /.exec(line)?.[1];
    if (key !== undefined) found.get(current)!.push(key);
  }
  return found;
}

describe("the config template", () => {
  test("names every key the file may hold, in its table, and nothing else is uncommented", () => {
    const found = sections(template);
    for (const [table, keys] of Object.entries(KNOWN_KEYS)) {
      // A key that is a table has a section of its own, not a line.
      expect({ table, keys: found.get(table) }).toEqual({ table, keys: keys.filter((key) => KNOWN_KEYS[key] === undefined && key !== "providers" && key !== "aliases" && key !== "servers") });
    }
    // Two example servers: one started by a command, one reached at a URL.
    expect([...found.get("mcp.servers.files")!, ...found.get("mcp.servers.browser")!].sort()).toEqual([...MCP_SERVER_TABLE_KEYS].sort());
    // Two example providers: a server's wire format, and a GGUF file run in-process.
    expect(new Set([...found.get("providers.local")!, ...found.get("providers.gemma")!])).toEqual(new Set(PROVIDER_TABLE_KEYS));
    expect(found.get("aliases")).toEqual(["fast"]);
    expect(template.split("\n").filter((line) => line !== "" && !line.startsWith("#"))).toEqual([]);
  });

  test("as it is, it changes nothing: the same as no file", () => {
    expect(load(template)).toEqual(load(undefined));
  });

  test("every line uncommented is valid: it loads without an error or a warning", () => {
    const { warnings, config } = load(template.replace(/^# (\[[\w.]+\]|[\w-]+ = )/gm, "$1"));
    expect(warnings).toEqual([]);
    expect(config.providers.local).toMatchObject({ type: "openai", baseUrl: "http://127.0.0.1:8080/v1", headers: { "x-team": "platform" } });
    expect(config.providers.gemma).toMatchObject({ type: "llama.cpp", local: { contextSize: 4096, threads: 4, gpu: "auto" }, model: "gemma-3-1b-it-q4_k_m" });
    expect(config.aliases).toEqual({ fast: { provider: "groq", model: "llama-3.1-8b-instant" } });
    expect(config.mcp.servers.files).toMatchObject({ transport: "stdio", command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/home/me/notes"] });
    expect(config.mcp.servers.browser).toMatchObject({ transport: "http", url: "http://127.0.0.1:8931/mcp" });
  });

  test("each value not marked as an example is the default: uncommented, they change nothing", () => {
    let table = "";
    const defaults = template
      .split("\n")
      .map((line) => {
        const header = /^# \[([\w.]+)\]$/.exec(line)?.[1];
        if (header !== undefined) table = header;
        // Only the tables the loader knows by name: [providers.local] and [aliases] are examples whole.
        if (KNOWN_KEYS[table] === undefined) return line;
        if (header !== undefined) return `[${header}]`;
        return /^# [\w-]+ = /.test(line) && !line.includes("# default:") ? line.slice(2) : line;
      })
      .join("\n");
    expect(defaults).toContain("\nmax_sessions = 100 ");
    expect(defaults).toContain('\nbase_url = "https://api.openai.com/v1"\n');
    expect(load(defaults)).toEqual(load(undefined));
  });
});
