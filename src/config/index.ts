/** Configuration: one TOML file, the environment and the flags, resolved once. */
export { ConfigError, type ConfigErrorKind, type ConfigErrorOptions } from "./errors.ts";
export { checkProvider, configFilePath, loadConfig, type ConfigFlags, type LoadConfigOptions } from "./load.ts";
export {
  DEFAULTS,
  REMOTE_PROVIDERS,
  type RemoteProviderName,
  type ResolvedConfig,
  type ResolvedProviderConfig,
  type SessionConfig,
} from "./schema.ts";
