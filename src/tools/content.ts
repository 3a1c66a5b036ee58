/**
 * A tool's result as the text a model reads: text parts as they are, joined by newlines; images
 * and audio as a placeholder (`[image image/png, 12 KiB]`); a resource link as its URI; an
 * embedded resource as its text, or a placeholder for its bytes; the structured content as JSON
 * when there is no text. Control characters are left in: whoever shows the text makes them safe.
 */
import type { CallToolResult, ContentBlock } from "@modelcontextprotocol/sdk/types.js";
import { describeBytes } from "../byte-size.ts";
import { isRecord } from "../unknown-values.ts";
import type { ToolResult } from "./types.ts";

/** The bytes a base64 text holds, without decoding it. */
function base64Bytes(data: string): number {
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

function blockText(block: ContentBlock): string {
  switch (block.type) {
    case "text":
      return block.text;
    case "image":
    case "audio":
      return `[${block.type} ${block.mimeType}, ${describeBytes(base64Bytes(block.data))}]`;
    case "resource_link":
      return block.uri;
    case "resource": {
      const { resource } = block;
      if ("text" in resource && typeof resource.text === "string") return resource.text;
      const blob = "blob" in resource && typeof resource.blob === "string" ? resource.blob : "";
      return `[resource ${resource.uri}${resource.mimeType === undefined ? "" : ` ${resource.mimeType}`}, ${describeBytes(base64Bytes(blob))}]`;
    }
    default: {
      // A kind of content newer than this code: named, not dropped in silence.
      const other: unknown = block;
      const type = isRecord(other) && typeof other.type === "string" ? other.type : "unknown";
      return `[${type} content]`;
    }
  }
}

/**
 * A `tools/call` result as text. `toolResult` is the shape of servers from before 2024-11-05
 * (the SDK's compatibility schema).
 */
export function resultText(result: CallToolResult | { toolResult: unknown }): ToolResult {
  if ("toolResult" in result) return { text: JSON.stringify(result.toolResult) ?? "", isError: false };
  const parts = (result.content ?? []).map(blockText);
  const hasText = (result.content ?? []).some((block) => block.type === "text" || (block.type === "resource" && "text" in block.resource));
  if (!hasText && result.structuredContent !== undefined) parts.unshift(JSON.stringify(result.structuredContent));
  return { text: parts.join("\n"), isError: result.isError === true };
}
