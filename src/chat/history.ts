import { fencedFile, textOf } from "../attachment-file.ts";
import type { ChatImage, ChatMessage } from "../providers/types.ts";
import type { Attachment, StoredMessage } from "../session.ts";

/** Whether the provider a history is for takes images, and whether tools are offered to it. */
export interface HistoryFiles {
  /** The provider's name, said in the line that stands for an image it is not sent. */
  provider: string;
  /** When false, each image is sent as a line saying it was not sent, not as an image. */
  acceptsImages: boolean;
  /**
   * Whether this request offers tools. Without any, earlier tool calls and results are sent as
   * text (a request that holds calls must offer tools, in Anthropic's API).
   */
  tools?: boolean;
}

/**
 * What a provider is sent: the session's system prompt, then every stored message in order, each
 * attachment with its bytes (`withFileData`, sessions/attachment-data.ts).
 * Two turns of one role in a row (a question whose answer failed, then the question asked
 * again) are joined into one, because Anthropic's API wants user and assistant to alternate;
 * the images of both are kept.
 *
 * A question's text files go before its text, each as its name and a fenced block; its images
 * go with it as images, or, for a provider that takes none, as `[image NAME not sent: PROVIDER
 * takes no images]` among the files.
 */
export function historyFor(systemPrompt: string | null, messages: readonly StoredMessage[], files?: HistoryFiles): ChatMessage[] {
  const history: ChatMessage[] = systemPrompt ? [{ role: "system", content: systemPrompt }] : [];
  const turns = files?.tools === true ? withEveryResult(messages) : messages.map(asText);
  for (const message of turns) {
    const { content, images } = withFiles(message, files);
    const calls = message.toolCalls ?? [];
    if (message.role === "tool" || calls.length > 0) {
      // A call and its result are sent as they were, never joined with another turn.
      history.push({ role: message.role, content, ...(calls.length > 0 ? { toolCalls: calls } : {}), ...toolResult(message) });
      continue;
    }
    if (content === "" && images.length === 0) continue;
    const last = history.at(-1);
    if (last !== undefined && last.role === message.role && last.toolCalls === undefined) {
      last.content = [last.content, content].filter((text) => text !== "").join("\n\n");
      if (images.length > 0) last.images = [...(last.images ?? []), ...images];
    } else {
      history.push({ role: message.role, content, ...(images.length > 0 ? { images } : {}) });
    }
  }
  return history;
}

function toolResult(message: StoredMessage): Pick<ChatMessage, "toolCallId" | "toolError"> {
  if (message.role !== "tool") return {};
  return { toolCallId: message.toolCallId ?? "", ...(message.toolError ? { toolError: true } : {}) };
}

/** What stands for a result that never came: the exchange stopped (killed, a fork cut it) before the tool ran. */
export const missingResult = "no result: the exchange stopped before this tool ran";

/**
 * The messages with every call answered, as both wire formats require: a result that never came
 * (the process was killed mid-step, or a fork cut between a call and its result) is stood in for
 * by an error result saying so, right after those that came; a result answering no call before
 * it is sent as text.
 */
function withEveryResult(messages: readonly StoredMessage[]): StoredMessage[] {
  const out: StoredMessage[] = [];
  let open: string[] = [];
  let openIn: StoredMessage | undefined;
  const closeOpen = () => {
    for (const id of open) {
      out.push({ id: `${id}-missing`, sessionId: openIn?.sessionId ?? "", role: "tool", content: missingResult, timestamp: openIn?.timestamp ?? new Date(0), toolCallId: id, toolError: true });
    }
    open = [];
  };
  for (const message of messages) {
    if (message.role === "tool" && message.toolCallId !== undefined && open.includes(message.toolCallId)) {
      open = open.filter((id) => id !== message.toolCallId);
      out.push(message);
      continue;
    }
    closeOpen();
    if (message.role === "tool") {
      out.push(asText(message));
      continue;
    }
    out.push(message);
    if (message.toolCalls !== undefined && message.toolCalls.length > 0) {
      open = message.toolCalls.map((call) => call.id);
      openIn = message;
    }
  }
  closeOpen();
  return out;
}

/**
 * A message as text for a request that offers no tools: a reply's calls as lines after its text,
 * and a result as a user turn that says which tool returned it.
 */
function asText(message: StoredMessage): StoredMessage {
  const calls = message.toolCalls ?? [];
  if (calls.length > 0) {
    const lines = calls.map((call) => `[called tool ${call.name} with ${JSON.stringify(call.arguments)}]`);
    const { toolCalls: _calls, ...rest } = message;
    return { ...rest, content: [message.content, ...lines].filter((text) => text !== "").join("\n") };
  }
  if (message.role === "tool") {
    const { toolCallId: _id, toolError: _error, ...rest } = message;
    return { ...rest, role: "user", content: `[${message.toolError ? "tool error" : "tool result"}]\n${message.content}` };
  }
  return message;
}

/** A message's text with its text files folded in before it, and its images. */
function withFiles(message: StoredMessage, files: HistoryFiles | undefined): { content: string; images: ChatImage[] } {
  const attachments = message.attachments ?? [];
  if (attachments.length === 0) return { content: message.content, images: [] };
  const blocks: string[] = [];
  const images: ChatImage[] = [];
  for (const attachment of attachments) {
    const isImage = attachment.mediaType !== "text/plain";
    if (isImage && files?.acceptsImages === false) {
      blocks.push(`[image ${attachment.name} not sent: ${files.provider} takes no images]`);
      continue;
    }
    const data = attachment.data;
    // The exchange reads every file first (a missing one is its error): not here.
    if (data === undefined) throw new Error(`the bytes of ${attachment.name} (${attachment.sha256}) were not read (withFileData)`);
    if (isImage) images.push({ mediaType: attachment.mediaType, data });
    // Stored as UTF-8 text; should the bytes have been changed since, the replacement character shows where.
    else blocks.push(fencedFile(attachment.name, textOf(data) ?? new TextDecoder().decode(data)));
  }
  return { content: [...blocks, message.content].filter((text) => text !== "").join("\n\n"), images };
}

/** The images among `messages` a provider that takes none is not sent. */
export function imagesLeftOut(messages: readonly StoredMessage[], acceptsImages: boolean): Attachment[] {
  if (acceptsImages) return [];
  return messages.flatMap((message) => (message.attachments ?? []).filter((attachment) => attachment.mediaType !== "text/plain"));
}
