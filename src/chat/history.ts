import type { ChatMessage } from "../providers/types.ts";
import type { StoredMessage } from "../session.ts";

/**
 * What a provider is sent: the session's system prompt, then every stored message in order.
 * Two turns of one role in a row (a question whose answer failed, then the question asked
 * again) are joined into one, because Anthropic's API wants user and assistant to alternate.
 */
export function historyFor(systemPrompt: string | null, messages: readonly StoredMessage[]): ChatMessage[] {
  const history: ChatMessage[] = systemPrompt ? [{ role: "system", content: systemPrompt }] : [];
  for (const message of messages) {
    if (message.content === "") continue;
    const last = history.at(-1);
    if (last !== undefined && last.role === message.role) {
      last.content = `${last.content}\n\n${message.content}`;
    } else {
      history.push({ role: message.role, content: message.content });
    }
  }
  return history;
}
