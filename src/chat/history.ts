import { fencedFile, textOf } from "../attachment-file.ts";
import type { ChatImage, ChatMessage } from "../providers/types.ts";
import type { Attachment, StoredMessage } from "../session.ts";

/** Whether the provider a history is for takes images. */
export interface HistoryFiles {
  /** The provider's name, said in the line that stands for an image it is not sent. */
  provider: string;
  /** When false, each image is sent as a line saying it was not sent, not as an image. */
  acceptsImages: boolean;
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
  for (const message of messages) {
    const { content, images } = withFiles(message, files);
    if (content === "" && images.length === 0) continue;
    const last = history.at(-1);
    if (last !== undefined && last.role === message.role) {
      last.content = [last.content, content].filter((text) => text !== "").join("\n\n");
      if (images.length > 0) last.images = [...(last.images ?? []), ...images];
    } else {
      history.push({ role: message.role, content, ...(images.length > 0 ? { images } : {}) });
    }
  }
  return history;
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
