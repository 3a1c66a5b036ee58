/**
 * The package's public API, imported by its name as another program would (package.json
 * `exports`): a chat, a continued chat, reading and naming sessions, and the cleanup, all without
 * reaching into src/.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Chat, cleanUp, createStorage, exportJson, parseExport, resolveSession, SessionRefError, shortIdOf } from "synapse";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function environment(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "synapse-api-"));
  dirs.push(dir);
  return { HOME: dir, XDG_CONFIG_HOME: join(dir, "config"), SYNAPSE_DATABASE_URL: `sqlite:${join(dir, "sessions.db")}` };
}

async function send(env: Record<string, string>, message: string, choice: { session?: string; latest?: boolean } = {}, title?: string) {
  const chat = await Chat.open({ env, flags: { provider: "echo" }, ...choice });
  let shown = "";
  try {
    const result = await chat.send({ message, title, signal: new AbortController().signal, onText: (text) => (shown += text) });
    return { ...result, shown };
  } finally {
    await chat.close();
  }
}

test("a program chats, continues and reads sessions through the package's exports alone", async () => {
  const env = environment();
  const first = await send(env, "Hello", {}, "From the API");
  expect(first.isNew).toBe(true);
  expect(first.session.title).toBe("From the API");
  expect(first.shown).toBe(first.reply.content);

  const again = await send(env, "And again", { latest: true });
  expect(again.isNew).toBe(false);
  expect(again.session.id).toBe(first.session.id);

  const store = await createStorage(env.SYNAPSE_DATABASE_URL);
  try {
    expect((await store.getMessages(first.session.id)).map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect((await resolveSession(store, "From the API")).id).toBe(first.session.id);
    expect(first.session.id.startsWith(await shortIdOf(store, first.session.id))).toBe(true);
    // An export read back is the same session.
    const session = (await store.getSession(first.session.id))!;
    const messages = await store.getMessages(session.id);
    expect(parseExport(exportJson(session, messages))).toEqual({ session, messages, origin: null });
    // The cleanup under the same limits as `sessions prune` (which never deletes a titled session).
    await store.renameSession(first.session.id, null);
    const second = await send(env, "Another one");
    const result = await cleanUp(store, { maxSessions: 1, retentionDays: 0 });
    expect(result.removed.map((s) => s.id)).toEqual([first.session.id]);
    expect((await store.listSessions()).map((s) => s.id)).toEqual([second.session.id]);
    await expect(resolveSession(store, "From the API")).rejects.toBeInstanceOf(SessionRefError);
  } finally {
    await store.close();
  }
});
