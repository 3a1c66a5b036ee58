/**
 * What `synapse models` prints: every provider a user can name, and the aliases. A key is never
 * shown, only whether one is set; a header whose name says it is a credential is masked.
 */
import { describeBytes } from "../byte-size.ts";
import { isCredentialHeader } from "../config/providers.ts";
import type { ModelFileInfo } from "../providers/gguf-info.ts";
import { messageOf } from "../unknown-values.ts";
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

/** What `synapse models` says of a local model's file: read from its header, or why it could not be. */
export type LocalModelInfo = { file: ModelFileInfo } | { error: string };

/** Each local model's file described (its header only; node-llama-cpp is loaded only when there is one). */
export async function describeLocalModels(config: ResolvedConfig): Promise<Map<string, LocalModelInfo>> {
  const locals = Object.values(config.providers).filter((p) => p.local !== undefined);
  const described = new Map<string, LocalModelInfo>();
  if (locals.length === 0) return described;
  const { describeModelFile } = await import("../providers/gguf-info.ts");
  for (const p of locals) {
    try {
      described.set(p.name, { file: await describeModelFile(p.local!.modelPath, { name: p.name, table: p.table, configPath: config.configPath }) });
    } catch (error) {
      described.set(p.name, { error: messageOf(error) });
    }
  }
  return described;
}

/** A local model's file on one line: `~/models/x.gguf · 241 MiB · gemma3 270M Q4_K_M · context 32768`. */
function localLine(path: string, info: LocalModelInfo | undefined): string {
  if (info === undefined) return path;
  if ("error" in info) return `${path} · ${info.error}`;
  const { file } = info;
  const model = [file.architecture, file.parameters, file.quantization].filter((part) => part !== null).join(" ");
  return [path, describeBytes(file.sizeBytes), model, ...(file.contextLength === null ? [] : [`trained context ${file.contextLength}`])].join(" · ");
}

export function printModels(config: ResolvedConfig, options: { json: boolean }, locals: ReadonlyMap<string, LocalModelInfo> = new Map()): void {
  const providers = Object.values(config.providers);
  if (options.json) {
    printJson({
      default: config.provider,
      providers: [
        ...providers.map((p) => {
          const info = locals.get(p.name);
          return {
            ...providerJson(p),
            ...(p.local === undefined
              ? {}
              : { local: { modelPath: p.local.modelPath, contextSize: p.local.contextSize, threads: p.local.threads ?? null, gpu: p.local.gpu, ...(info === undefined ? {} : "error" in info ? { error: info.error } : { file: info.file }) } }),
          };
        }),
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
      // A local model's "address" is its file, with what its header says.
      return [p.name, p.type, p.local === undefined ? p.baseUrl : localLine(p.local.modelPath, locals.get(p.name)), p.model ?? "(give -m)", keyText];
    }),
    ["echo", "offline", "-", "echo", "not needed"],
  ];
  const header = ["PROVIDER", "TYPE", "BASE URL / FILE", "MODEL", "KEY"];
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
