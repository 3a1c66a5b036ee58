import { clip } from "./error-body.ts";
import { ProviderError, redact } from "./errors.ts";
import type { RemoteSettings } from "./remote-settings.ts";

/**
 * A tool call's arguments, as the model streamed them (JSON in pieces): an object, `{}` for
 * none. Anything else is the provider's failure, said as such: the call cannot be run.
 */
export function toolArguments(settings: RemoteSettings, tool: string, json: string): Record<string, unknown> {
  if (json.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    value = undefined;
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new ProviderError(
    "stream_error",
    settings.name,
    redact(`${settings.label} asked to run tool ${JSON.stringify(tool)} with arguments that are not a JSON object (${clip(json, 80)}); try again`, settings.secrets),
  );
}
