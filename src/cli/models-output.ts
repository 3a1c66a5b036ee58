/**
 * What `synapse models` prints: every provider a user can name, and the aliases. A key is never
 * shown, only whether one is set; a header whose name says it is a credential is masked.
 */
import { isCredentialHeader } from "../config/providers.ts";
import type { ResolvedConfig, ResolvedProviderConfig } from "../config/schema.ts";
import { colorEnabled, styleFor } from "../style.ts";
import { stdoutInfo, terminalSize } from "../tty.ts";
import { fitWidth } from "./fit-width.ts";
import { printJson } from "./format.ts";
import { writeOut } from "./stdout.ts";
import { textFor } from "./terminal-text.ts";

export type KeyState = "set" | "missing" | "not needed";

/** Whether a provider's key is there: never the key itself. */
export function keyState(provider: ResolvedProviderConfig): KeyState {
  if (provider.apiKey !== undefined) return "set";
  return provider.needsKey ? "missing" : "not needed";
}

/** Request headers to show: a credential's value (by its header's name) as `***`. */
export function maskedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, isCredentialHeader(name) ? "***" : value]));
}

/** A provider as `models --json` and `config check --json` show it: never its key, credential headers masked. */
export function providerJson(p: ResolvedProviderConfig) {
  return {
    name: p.name,
    type: p.type,
    origin: p.origin,
    baseUrl: p.baseUrl,
    model: p.model ?? null,
    key: keyState(p),
    keyEnv: p.keyEnv ?? null,
    headers: maskedHeaders(p.headers),
  };
}

export function printModels(config: ResolvedConfig, options: { json: boolean }): void {
  const providers = Object.values(config.providers);
  if (options.json) {
    printJson({
      default: config.provider,
      providers: [
        ...providers.map(providerJson),
        { name: "echo", type: "echo", origin: "built-in", baseUrl: null, model: "echo", key: "not needed", keyEnv: null, headers: {} },
      ],
      aliases: config.aliases,
    });
    return;
  }
  const style = styleFor(colorEnabled(stdoutInfo));
  const shown = textFor(stdoutInfo);
  const rows = [
    ...providers.map((p) => {
      const key = keyState(p);
      const keyText = key === "not needed" ? "not needed" : `${p.keyEnv ?? "api_key"}: ${key === "set" ? "set" : "not set"}`;
      return [p.name, p.type, p.baseUrl, p.model ?? "(give -m)", keyText];
    }),
    ["echo", "offline", "-", "echo", "not needed"],
  ];
  const header = ["PROVIDER", "TYPE", "BASE URL", "MODEL", "KEY"];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => Bun.stringWidth(shown(row[i]!)))));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd();
  const width = terminalSize(1)?.columns;
  const fit = (text: string) => (width === undefined ? text : fitWidth(text, width));
  let out = `${fit(style.bold(line(header)))}\n`;
  for (const row of rows) {
    const marked = row[0] === config.provider ? `${row[0]}*` : row[0]!;
    out += `${fit(line([marked, ...row.slice(1)].map(shown)))}\n`;
  }
  out += `* used when no provider is chosen (-p, SYNAPSE_PROVIDER, provider in ${shown(config.configPath)})\n`;
  const aliases = Object.entries(config.aliases);
  if (aliases.length > 0) {
    const aliasWidth = Math.max("ALIAS".length, ...aliases.map(([name]) => Bun.stringWidth(shown(name))));
    out += `\n${style.bold(`${"ALIAS".padEnd(aliasWidth)}  PROVIDER:MODEL`)}\n`;
    for (const [name, choice] of aliases) out += `${fit(`${shown(name).padEnd(aliasWidth)}  ${shown(`${choice.provider}:${choice.model}`)}`)}\n`;
  }
  writeOut(out);
}
