/**
 * What `synapse config check` prints: the configuration as a chat resolves it (defaults < file <
 * environment), with every provider's address, model and whether its key is set. A key is never
 * shown, a header whose name says it is a credential shows as `***` (as `synapse models` does),
 * and a database URL is shown without its password.
 */
import { nonEmpty, type Env } from "../config/env-and-flags.ts";
import { isCredentialHeader } from "../config/providers.ts";
import type { McpServerConfig, ResolvedConfig } from "../config/schema.ts";
import { defaultDatabaseUrl, describeDatabase, isPostgresUrl, sqlitePathOf } from "../storage/create-storage.ts";
import { colorEnabled, styleFor } from "../style.ts";
import { stdoutInfo, terminalSize } from "../tty.ts";
import { fitWidth } from "./fit-width.ts";
import { printJson } from "./format.ts";
import { keyState, maskedHeaders, providerJson } from "./models-output.ts";
import { writeOut } from "./stdout.ts";
import { textFor } from "./terminal-text.ts";

type DatabaseSource = "default" | "file" | "environment";

/**
 * The database a chat would open, as it may be shown, and what chose it. A URL a chat would
 * refuse (an unknown scheme) is refused here as well, with the same error.
 */
function databaseOf(config: ResolvedConfig, env: Env): { url: string; source: DatabaseSource } {
  const url = config.session.databaseUrl ?? defaultDatabaseUrl(env);
  if (!isPostgresUrl(url)) sqlitePathOf(url, env);
  const source: DatabaseSource = nonEmpty(env.SYNAPSE_DATABASE_URL) !== undefined ? "environment" : config.session.databaseUrl !== undefined ? "file" : "default";
  return { url: describeDatabase(url), source };
}

/** What would stop a chat started now, though the file itself is fine: said as warnings. */
export function configProblems(config: ResolvedConfig): string[] {
  if (config.provider === "echo") return [];
  const provider = config.providers[config.provider];
  if (provider === undefined) return [];
  const problems: string[] = [];
  if (keyState(provider) === "missing") {
    problems.push(
      `${provider.label}, the provider a chat uses, has no API key; set ${provider.keyEnv === undefined ? "" : `${provider.keyEnv}, or `}api_key under ${provider.table} in ${config.configPath}`,
    );
  }
  if (config.model === "") problems.push(`${provider.label}, the provider a chat uses, has no model; set model under ${provider.table} in ${config.configPath}, or give -m`);
  return problems;
}

export function printConfigCheck(config: ResolvedConfig, env: Env, options: { json: boolean }): void {
  const database = databaseOf(config, env);
  const providers = Object.values(config.providers);
  if (options.json) {
    printJson({
      configFile: { path: config.configPath, exists: config.configFileLoaded },
      provider: config.provider,
      model: config.model === "" ? null : config.model,
      systemPrompt: config.systemPrompt ?? null,
      display: { render: config.display.render, quiet: config.display.quiet },
      session: {
        maxSessions: config.session.maxSessions,
        retentionDays: config.session.retentionDays,
        autoCleanup: config.session.autoCleanup,
        databaseUrl: database.url,
        databaseUrlFrom: database.source,
      },
      files: { maxSizeMb: config.files.maxSizeMb },
      providers: providers.map((p) => ({
        ...providerJson(p),
        maxTokens: p.maxTokens,
        maxTokensField: p.maxTokensField,
        firstByteTimeout: p.firstByteTimeout,
        idleTimeout: p.idleTimeout,
        images: p.images,
      })),
      aliases: config.aliases,
      mcp: mcpJson(config),
    });
    return;
  }
  const style = styleFor(colorEnabled(stdoutInfo));
  // A path or a system prompt can hold anything: on a terminal, shown, never obeyed.
  const shown = textFor(stdoutInfo);
  const width = terminalSize(1)?.columns;
  const fit = (text: string) => (width === undefined ? text : fitWidth(text, width));
  const settings = (rows: [string, string][]) => {
    const labelWidth = Math.max(...rows.map(([label]) => label.length));
    return rows.map(([label, value]) => fit(`${label.padEnd(labelWidth)}  ${shown(value)}`)).join("\n");
  };
  const from = { default: "the default", file: "from the config file", environment: "from SYNAPSE_DATABASE_URL" }[database.source];
  const blocks = [
    settings([
      ["config file", `${config.configPath}${config.configFileLoaded ? "" : " (not there: the defaults apply)"}`],
      ["provider", config.provider],
      ["model", config.model === "" ? "none (give -m)" : config.model],
      // One line, quoted: a system prompt may run over several.
      ["system_prompt", config.systemPrompt === undefined ? "none" : JSON.stringify(config.systemPrompt)],
      ["render", config.display.render],
      ["quiet", String(config.display.quiet)],
    ]),
    `${style.bold("[session]")}\n${settings([
      ["max_sessions", config.session.maxSessions === 0 ? "0 (no limit)" : String(config.session.maxSessions)],
      ["retention_days", config.session.retentionDays === 0 ? "0 (keep forever)" : String(config.session.retentionDays)],
      ["auto_cleanup", String(config.session.autoCleanup)],
      ["database_url", `${database.url} (${from})`],
    ])}`,
    `${style.bold("[files]")}\n${settings([["max_size_mb", String(config.files.maxSizeMb)]])}`,
    providerTable(config, fit, shown, style.bold),
  ];
  const servers = Object.values(config.mcp.servers);
  if (servers.length > 0) {
    const limit = (ms: number | undefined) => (ms === undefined ? "0 (no limit)" : `${ms / 1000} s`);
    blocks.push(
      `${style.bold("[mcp]")}\n${settings([
        ["allow", config.mcp.allow.length === 0 ? "none" : config.mcp.allow.join(", ")],
        ["max_steps", String(config.mcp.maxSteps)],
        ["startup_timeout", limit(config.mcp.startupTimeoutMs)],
        ["call_timeout", limit(config.mcp.callTimeoutMs)],
        ...servers.map((server): [string, string] => [`[mcp.servers.${server.name}]`, describeServer(server)]),
      ])}`,
    );
  }
  const aliases = Object.entries(config.aliases);
  if (aliases.length > 0) blocks.push(`${style.bold("[aliases]")}\n${settings(aliases.map(([name, choice]) => [name, `${choice.provider}:${choice.model}`]))}`);
  writeOut(`${blocks.join("\n\n")}\n`);
}

/** A server's environment to show: a value whose variable is named like a credential as `***`. */
function maskedEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, isCredentialHeader(name) ? "***" : value]));
}

/** `[mcp]` as `config check --json` shows it: a server's env with its credentials masked. */
function mcpJson(config: ResolvedConfig) {
  const seconds = (ms: number | undefined) => (ms === undefined ? 0 : ms / 1000);
  return {
    allow: config.mcp.allow,
    maxSteps: config.mcp.maxSteps,
    startupTimeout: seconds(config.mcp.startupTimeoutMs),
    callTimeout: seconds(config.mcp.callTimeoutMs),
    servers: Object.values(config.mcp.servers).map((server) =>
      server.transport === "stdio"
        ? { name: server.name, enabled: server.enabled, transport: server.transport, command: server.command, args: server.args, env: maskedEnv(server.env), url: null }
        : { name: server.name, enabled: server.enabled, transport: server.transport, command: null, args: [], env: {}, url: server.url },
    ),
  };
}

/** One server on one line: `stdio: npx -y … (env: TOKEN=***)`, `http: https://…`, `(disabled)`. */
function describeServer(server: McpServerConfig): string {
  const how =
    server.transport === "http"
      ? `http: ${server.url}`
      : `stdio: ${[server.command, ...server.args].map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : JSON.stringify(word))).join(" ")}${
          Object.keys(server.env).length === 0
            ? ""
            : ` (env: ${Object.entries(maskedEnv(server.env))
                .map(([name, value]) => `${name}=${value}`)
                .join(", ")})`
        }`;
  return server.enabled ? how : `${how} (disabled)`;
}

/** Every provider on a row, `*` on the one a chat uses, then the headers of those that send some. */
function providerTable(config: ResolvedConfig, fit: (text: string) => string, shown: (text: string) => string, bold: (text: string) => string): string {
  const providers = Object.values(config.providers);
  const header = ["PROVIDER", "TYPE", "BASE URL", "MODEL", "KEY"];
  const rows = providers.map((p) => [p.name === config.provider ? `${p.name}*` : p.name, p.type, p.baseUrl, p.model ?? "(give -m)", keyState(p)].map(shown));
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => Bun.stringWidth(row[i]!))));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell + " ".repeat(widths[i]! - Bun.stringWidth(cell)))).join("  ");
  const out = [fit(bold(line(header))), ...rows.map((row) => fit(line(row)))];
  out.push(config.provider === "echo" ? "the provider a chat uses: echo (offline)" : "* the provider a chat uses");
  const textOnly = providers.filter((p) => !p.images).map((p) => p.name);
  if (textOnly.length > 0) out.push(fit(`take no images (images = false): ${textOnly.map(shown).join(", ")}`));
  for (const p of providers) {
    const headers = Object.entries(maskedHeaders(p.headers));
    if (headers.length > 0) out.push(fit(`${shown(p.table)} headers: ${headers.map(([name, value]) => shown(`${name}: ${value}`)).join(", ")}`));
  }
  return out.join("\n");
}
