/** Configuration: one TOML file, the environment and the flags, resolved once. */
export { ConfigError, type ConfigErrorKind, type ConfigErrorOptions } from "./errors.ts";
export { configFilePath } from "./config-file.ts";
export { checkProvider, loadConfig, loadSessionSettings, type ConfigFlags, type LoadConfigOptions } from "./load.ts";
export {
  DEFAULTS,
  REMOTE_PROVIDERS,
  type McpHttpServerConfig,
  type McpServerConfig,
  type McpSettings,
  type McpStdioServerConfig,
  type RemoteProviderName,
  type ResolvedConfig,
  type ResolvedProviderConfig,
  type SessionSettings,
} from "./schema.ts";
