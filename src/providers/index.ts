/**
 * Streaming LLM providers behind one interface, each built from plain settings. Building one
 * from the configuration is the chat flow's part (src/chat/provider.ts): providers know nothing
 * of config files or stores.
 */
export { createAnthropicProvider } from "./anthropic.ts";
export { createEchoProvider } from "./echo.ts";
export { createOpenAICompatibleProvider } from "./openai.ts";
export { ProviderError, redact, type ProviderErrorKind } from "./errors.ts";
export { DEFAULT_RETRY, type RemoteSettings, type RetryPolicy } from "./remote-settings.ts";
export { readSse, SseParser, type SseEvent } from "./sse.ts";
export {
  isProviderName,
  PROVIDER_NAMES,
  type ChatImage,
  type ChatMessage,
  type Provider,
  type ProviderName,
  type Role,
  type StopReason,
  type StreamEvent,
  type StreamRequest,
  type ToolCall,
  type ToolSpec,
  type Usage,
} from "./types.ts";
export type { EchoOptions } from "./echo.ts";

