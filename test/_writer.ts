/**
 * A child process for the concurrency and crash tests: appends `count` messages to one session,
 * printing `committed N` after each append has returned, so the parent knows what is durable.
 * Usage: bun test/_writer.ts DATABASE_URL SESSION_ID LABEL COUNT
 */
import { newId } from "../src/session.ts";
import { createStorage } from "../src/storage/create-storage.ts";

const [url, sessionId, label, count] = process.argv.slice(2);
const store = await createStorage(url!);
for (let i = 0; i < Number(count); i++) {
  await store.addMessage({
    id: newId(),
    sessionId: sessionId!,
    role: i % 2 === 0 ? "user" : "assistant",
    content: `${label}:${i} ${"lorem ipsum ".repeat(i % 20)}`,
    timestamp: new Date(),
  });
  process.stdout.write(`committed ${i}\n`);
}
await store.close();
