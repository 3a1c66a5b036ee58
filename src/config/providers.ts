/**
 * Every provider a user can name: the built-in ones (Anthropic, OpenAI, DeepSeek, with their
 * `[anthropic]`-style tables and environment variables), the presets that need no table (local
 * servers, hosted OpenAI-compatible services), and the `[providers.NAME]` tables of the config
 * file, which add providers or override a built-in or preset of the same name.
 */
import { baseUrlEnvName, keyEnvName, providerLabel } from "../provider-names.ts";
import { ConfigError } from "./errors.ts";
import { nonEmpty, type Env } from "./env-and-flags.ts";
import { homedir } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import { DEFAULT_CONTEXT_SIZE, DEFAULTS, defaultImages, isHttpUrl, REMOTE_PROVIDERS, type ConfigFile, type RemoteProviderName, type ResolvedProviderConfig, type WireType } from "./schema.ts";

type NamedProviderTable = NonNullable<ConfigFile["providers"]>[string];

interface Preset {
  label: string;
  type: WireType;
  baseUrl: string;
  /** The variable its key is read from; undefined for a local server that needs none. */
  keyEnv: string | undefined;
  /** Undefined where no model can be assumed (LM Studio serves whatever the user loaded). */
  model: string | undefined;
}

/**
 * Each service's documented OpenAI-compatible base URL and key variable: Ollama's OpenAI
 * compatibility page (localhost:11434/v1, "api_key required but ignored"), LM Studio's OpenAI
 * endpoints (localhost:1234/v1, no key by default), OpenRouter's quickstart (openrouter.ai/api/v1,
 * OPENROUTER_API_KEY), Groq's OpenAI compatibility page (api.groq.com/openai/v1, GROQ_API_KEY),
 * Google's Gemini OpenAI compatibility (generativelanguage.googleapis.com/v1beta/openai,
 * GEMINI_API_KEY), Mistral's API (api.mistral.ai/v1, MISTRAL_API_KEY).
 */
export const PRESETS: Readonly<Record<string, Preset>> = {
  ollama: { label: "Ollama", type: "openai", baseUrl: "http://localhost:11434/v1", keyEnv: undefined, model: "llama3.2" },
  lmstudio: { label: "LM Studio", type: "openai", baseUrl: "http://localhost:1234/v1", keyEnv: undefined, model: undefined },
  openrouter: { label: "OpenRouter", type: "openai", baseUrl: "https://openrouter.ai/api/v1", keyEnv: "OPENROUTER_API_KEY", model: "openrouter/auto" },
  groq: { label: "Groq", type: "openai", baseUrl: "https://api.groq.com/openai/v1", keyEnv: "GROQ_API_KEY", model: "llama-3.1-8b-instant" },
  gemini: { label: "Gemini", type: "openai", baseUrl: "https://generativelanguage.googleapis.com/v1beta/openai", keyEnv: "GEMINI_API_KEY", model: "gemini-2.5-flash" },
  mistral: { label: "Mistral", type: "openai", baseUrl: "https://api.mistral.ai/v1", keyEnv: "MISTRAL_API_KEY", model: "mistral-small-latest" },
};

/** Every provider but echo, by name: built-ins first, then presets, then the file's own. */
export function resolveProviders(data: ConfigFile, env: Env, configPath: string): Record<string, ResolvedProviderConfig> {
  const providers: Record<string, ResolvedProviderConfig> = {};
  for (const name of REMOTE_PROVIDERS) {
    const table = data[name] ?? {};
    const baseUrlVar = baseUrlEnvName(name);
    const fromEnv = nonEmpty(env[baseUrlVar]);
    if (fromEnv !== undefined && !isHttpUrl(fromEnv)) {
      throw new ConfigError("invalid", `${baseUrlVar} must be an http:// or https:// URL, but it is "${fromEnv.length > 60 ? `${fromEnv.slice(0, 60)}…` : fromEnv}"`, {
        key: baseUrlVar,
      });
    }
    const baseUrl = trimSlashes(fromEnv ?? table.base_url ?? DEFAULTS.baseUrls[name]);
    providers[name] = {
      name,
      type: name === "anthropic" ? "anthropic" : "openai",
      local: undefined,
      label: providerLabel(name),
      origin: "built-in",
      apiKey: nonEmpty(env[keyEnvName(name)]) ?? table.api_key,
      keyEnv: keyEnvName(name),
      needsKey: true,
      table: `[${name}]`,
      baseUrl,
      baseUrlEnv: baseUrlVar,
      model: table.model ?? DEFAULTS.models[name],
      maxTokens: table.max_tokens ?? DEFAULTS.maxTokens,
      maxTokensField: table.max_tokens_field ?? defaultMaxTokensField(baseUrl),
      headers: {},
      firstByteTimeout: table.first_byte_timeout ?? DEFAULTS.firstByteTimeout,
      idleTimeout: table.idle_timeout ?? DEFAULTS.idleTimeout,
      images: table.images ?? defaultImages(name),
    };
  }
  for (const [name, preset] of Object.entries(PRESETS)) {
    providers[name] = {
      name,
      type: preset.type,
      local: undefined,
      label: preset.label,
      origin: "preset",
      apiKey: preset.keyEnv === undefined ? undefined : nonEmpty(env[preset.keyEnv]),
      keyEnv: preset.keyEnv,
      needsKey: preset.keyEnv !== undefined,
      table: `[providers.${name}]`,
      baseUrl: preset.baseUrl,
      baseUrlEnv: undefined,
      model: preset.model,
      maxTokens: DEFAULTS.maxTokens,
      maxTokensField: defaultMaxTokensField(preset.baseUrl),
      headers: {},
      firstByteTimeout: DEFAULTS.firstByteTimeout,
      idleTimeout: DEFAULTS.idleTimeout,
      images: true,
    };
  }
  for (const [name, table] of Object.entries(data.providers ?? {})) {
    const base = providers[name];
    const type = table.type ?? base?.type;
    if (type === undefined) {
      throw new ConfigError("invalid", `[providers.${name}] in ${configPath} needs type = "openai" or "anthropic" (the wire format the server speaks), or "llama.cpp" with model_path (a GGUF file)`, {
        key: `providers.${name}.type`,
        file: configPath,
      });
    }
    if (type === "llama.cpp") {
      providers[name] = localModel(name, table, base, configPath, env);
      continue;
    }
    for (const key of ["model_path", "context_size", "threads", "gpu"] as const) {
      if (table[key] !== undefined) {
        throw new ConfigError("invalid", `[providers.${name}] in ${configPath} has ${key}, which only a type = "llama.cpp" provider takes; remove it, or set type = "llama.cpp"`, {
          key: `providers.${name}.${key}`,
          file: configPath,
        });
      }
    }
    if (table.base_url === undefined && base === undefined) {
      throw new ConfigError("invalid", `[providers.${name}] in ${configPath} needs base_url (the server's address, such as http://localhost:8080/v1)`, {
        key: `providers.${name}.base_url`,
        file: configPath,
      });
    }
    const baseUrl = trimSlashes(table.base_url ?? base!.baseUrl);
    const keyEnv = table.api_key_env ?? (table.api_key === undefined ? base?.keyEnv : undefined);
    providers[name] = {
      name,
      type,
      local: undefined,
      label: base?.label ?? name,
      origin: base?.origin ?? "configured",
      apiKey: table.api_key ?? (keyEnv === undefined ? undefined : nonEmpty(env[keyEnv])),
      keyEnv,
      // A key is needed where one is named (by the table or the preset), and never assumed.
      needsKey: table.api_key !== undefined || keyEnv !== undefined,
      table: `[providers.${name}]`,
      baseUrl,
      baseUrlEnv: base?.baseUrlEnv,
      model: table.model ?? base?.model,
      maxTokens: table.max_tokens ?? base?.maxTokens ?? DEFAULTS.maxTokens,
      maxTokensField: table.max_tokens_field ?? defaultMaxTokensField(baseUrl),
      headers: { ...base?.headers, ...table.headers },
      firstByteTimeout: table.first_byte_timeout ?? base?.firstByteTimeout ?? DEFAULTS.firstByteTimeout,
      idleTimeout: table.idle_timeout ?? base?.idleTimeout ?? DEFAULTS.idleTimeout,
      images: table.images ?? base?.images ?? true,
    };
  }
  return providers;
}

/**
 * A `type = "llama.cpp"` provider: a GGUF file Synapse runs itself. It needs `model_path` and
 * takes none of a server's keys; its model is named after the file unless `model` says otherwise.
 */
function localModel(name: string, table: NamedProviderTable, base: ResolvedProviderConfig | undefined, configPath: string, env: Env): ResolvedProviderConfig {
  const at = `[providers.${name}] in ${configPath}`;
  if (table.model_path === undefined) {
    throw new ConfigError("invalid", `${at} needs model_path, the GGUF file to run (such as "~/models/gemma-3-270m-q4_k_m.gguf")`, { key: `providers.${name}.model_path`, file: configPath });
  }
  for (const key of ["base_url", "api_key", "api_key_env", "max_tokens_field", "headers", "first_byte_timeout", "idle_timeout"] as const) {
    if (table[key] !== undefined) {
      throw new ConfigError("invalid", `${at} is a local model (type = "llama.cpp"), which takes no ${key}; remove it`, { key: `providers.${name}.${key}`, file: configPath });
    }
  }
  const modelPath = localPath(table.model_path, configPath, env);
  return {
    name,
    type: "llama.cpp",
    local: { modelPath, contextSize: table.context_size ?? DEFAULT_CONTEXT_SIZE, threads: table.threads, gpu: table.gpu ?? "auto" },
    label: base?.label ?? name,
    origin: base?.origin ?? "configured",
    apiKey: undefined,
    keyEnv: undefined,
    needsKey: false,
    table: `[providers.${name}]`,
    baseUrl: "",
    baseUrlEnv: undefined,
    model: table.model ?? modelNameOf(modelPath),
    maxTokens: table.max_tokens ?? DEFAULTS.maxTokens,
    maxTokensField: "max_tokens",
    headers: {},
    firstByteTimeout: 0,
    idleTimeout: 0,
    images: false,
  };
}

/** `~/…` under the home folder; a relative path from the config file's folder, where it was written. */
function localPath(path: string, configPath: string, env: Env): string {
  const home = nonEmpty(env.HOME) ?? homedir();
  if (path === "~") return home;
  if (path.startsWith("~/")) return join(home, path.slice(2));
  return isAbsolute(path) ? path : join(dirname(configPath), path);
}

/** A model file's name, without its folder and its `.gguf`: what sessions record as its model. */
export function modelNameOf(path: string): string {
  return basename(path).replace(/\.gguf$/i, "") || basename(path);
}

/** OpenAI's own API reads `max_completion_tokens`; every other server `max_tokens` (see ResolvedProviderConfig). */
function defaultMaxTokensField(baseUrl: string): "max_tokens" | "max_completion_tokens" {
  return new URL(baseUrl).hostname === "api.openai.com" ? "max_completion_tokens" : "max_tokens";
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}

/** A header whose value is a secret: never shown, and taken out of any message a server echoes it in. */
export function isCredentialHeader(name: string): boolean {
  return /authorization|api[-_]?key|token|secret|cookie|password/i.test(name);
}

/** An alias or `PROVIDER:MODEL` read: which provider, which model. */
export interface ModelChoice {
  provider: string;
  model: string;
}

/**
 * `-m fast` (an alias) or `-m groq:llama-3.1-8b-instant` (a provider's name, a colon, a model):
 * the provider and the model together. Anything else is a model name as it is, colons and all
 * (`llama3.2:3b` is an Ollama model, not a provider).
 */
export function readModelChoice(text: string, aliases: Readonly<Record<string, ModelChoice>>, providers: Readonly<Record<string, unknown>>): ModelChoice | undefined {
  const alias = aliases[text];
  if (alias !== undefined) return alias;
  const colon = text.indexOf(":");
  if (colon <= 0) return undefined;
  const provider = text.slice(0, colon);
  const model = text.slice(colon + 1);
  if (model === "" || !(provider === "echo" || provider in providers)) return undefined;
  return { provider, model };
}

/**
 * The built-in provider a model name plainly belongs to (`claude-…` Anthropic, `gpt-…`, `o1`,
 * `o3`, `o4…`, `chatgpt-…` OpenAI, `deepseek-…` DeepSeek), or undefined for any other name.
 */
export function providerOfModel(model: string): RemoteProviderName | undefined {
  const name = model.trim().toLowerCase();
  if (name.startsWith("claude-")) return "anthropic";
  if (/^(gpt-|chatgpt-|o[134](-|$))/.test(name)) return "openai";
  if (name.startsWith("deepseek-")) return "deepseek";
  return undefined;
}

/**
 * What `-m TEXT` names: an alias or `PROVIDER:MODEL` gives both; a name a built-in plainly owns
 * (`gpt-4o-mini`) gives that provider and the name as the model; undefined for any other name.
 */
export function flagModelChoice(text: string, aliases: Readonly<Record<string, ModelChoice>>, providers: Readonly<Record<string, unknown>>): ModelChoice | undefined {
  const choice = readModelChoice(text, aliases, providers);
  if (choice !== undefined) return choice;
  const owner = providerOfModel(text);
  return owner === undefined ? undefined : { provider: owner, model: text };
}
