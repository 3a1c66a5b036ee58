/**
 * What went wrong with the configuration:
 * - `read`: the file exists (or was named explicitly) but cannot be read;
 * - `parse`: the file is not valid TOML;
 * - `invalid`: a key has the wrong type or value (in the file, the environment or a flag);
 * - `unknown_provider`: a provider name Synapse does not know;
 * - `write`: a new config file (`synapse config edit`) cannot be created.
 */
export type ConfigErrorKind = "read" | "parse" | "invalid" | "unknown_provider" | "write";

export interface ConfigErrorOptions {
  /** The config file involved, when the problem is in it. */
  file?: string;
  /** The offending key: `session.max_sessions`, `SYNAPSE_PROVIDER`, `--provider`. */
  key?: string;
  cause?: unknown;
}

/** A configuration problem. The message names the file and the key and says what was expected. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly kind: ConfigErrorKind;
  readonly file: string | undefined;
  readonly key: string | undefined;

  constructor(kind: ConfigErrorKind, message: string, options: ConfigErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.file = options.file;
    this.key = options.key;
  }
}
