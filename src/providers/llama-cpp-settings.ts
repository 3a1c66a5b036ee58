/** What a local model provider (`[providers.NAME] type = "llama.cpp"`) is built with: plain settings, no config types. */
export interface LocalModelSettings {
  /** The provider's name, as the user chooses it (`-p gemma`) and sessions store it. */
  name: string;
  /** Where its settings are written in the config file: `[providers.gemma]`. */
  table: string;
  /** The config file, named in messages. */
  configPath: string;
  /** The GGUF file, `~` already expanded. */
  modelPath: string;
  /** Tokens of context the model is loaded with (prompt and reply together). */
  contextSize: number;
  /** Upper bound on a reply's tokens, unless a request gives its own. */
  maxTokens: number;
  /** CPU threads; undefined lets the runtime choose. */
  threads: number | undefined;
  /** `auto`: a GPU the prebuilt binaries support, when there is one; false: CPU only. */
  gpu: "auto" | false;
}
