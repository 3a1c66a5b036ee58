/**
 * Files sent with questions (`-f`, issue 18), on real files in a scratch folder:
 * - storing a question with a 10 MB file, committed (synchronous = FULL, as every store runs):
 *   a new file, and the same file again (its bytes are kept once: only the hash and a link);
 * - listing 10,000 sessions when 1,000 of them carry a 100 KB file, beside the same database
 *   without files: a listing never reads a file's bytes, so the two should not differ;
 * - reading a session whose question carried a 10 MB file (names and hashes only) against
 *   reading its bytes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newId, type Attachment, type StoredMessage } from "../src/session.ts";
import { openDatabase } from "../src/storage/sqlite/bootstrap.ts";
import * as attachmentsDb from "../src/storage/sqlite/generated/attachments.ts";
import * as messagesDb from "../src/storage/sqlite/generated/messages.ts";
import * as sessionsDb from "../src/storage/sqlite/generated/sessions.ts";
import { SqliteStore } from "../src/storage/sqlite/sqlite-store.ts";
import { median, report, timeRuns } from "./_report.ts";

const mb = 1024 * 1024;
const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** `size` random bytes that start like a PNG (content is what the store keeps, not what it shows). */
function image(size: number): Uint8Array {
  const data = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(data.subarray(at, Math.min(size, at + 65_536)));
  data.set(pngSignature);
  return data;
}

function fileOf(data: Uint8Array, name = "photo.png"): Attachment {
  return { name, mediaType: "image/png", size: data.byteLength, sha256: new Bun.CryptoHasher("sha256").update(data).digest("hex"), data };
}

export default async function attachmentsBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "synapse-attachments-bench-"));
  try {
    await storeTenMegabytes(join(dir, "store.db"));
    await listWithFiles(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function storeTenMegabytes(path: string): Promise<void> {
  const store = SqliteStore.open(path);
  try {
    const session = { id: newId(), title: null, provider: "echo", model: "echo", systemPrompt: null, createdAt: new Date(), updatedAt: new Date() };
    await store.createSession(session);
    const runs = 10;
    const question = (file: Attachment): StoredMessage => ({ id: newId(), sessionId: session.id, role: "user", content: "what is in this picture?", timestamp: new Date(), attachments: [file] });
    // Made before the clock starts: the bench measures the store, not the random numbers.
    const files = Array.from({ length: runs + 3 }, () => fileOf(image(10 * mb)));
    let next = 0;
    const fresh = await timeRuns(runs, () => store.addMessage(question(files[next++]!)));
    report({ name: "store_question_with_10mb_file", median_ms: median(fresh), runs, max_ms: Math.round(Math.max(...fresh) * 1000) / 1000 });
    const same = files[0]!;
    const again = await timeRuns(runs, () => store.addMessage(question(same)));
    report({ name: "store_question_with_same_10mb_file_again", median_ms: median(again), runs });
    const hash = new Bun.CryptoHasher("sha256");
    const hashing = await timeRuns(runs, () => hash.update(same.data!));
    report({ name: "sha256_of_10mb", median_ms: median(hashing), runs });
    const reading = await timeRuns(runs, () => store.getMessages(session.id));
    report({ name: "read_session_with_23_files_of_10mb_without_bytes", median_ms: median(reading), runs });
    const bytes = await timeRuns(runs, () => store.readAttachment(same.sha256));
    report({ name: "read_10mb_file_bytes", median_ms: median(bytes), runs });
  } finally {
    await store.close();
  }
}

/** 10,000 sessions of a question and a reply; with `files`, every tenth question carries its own 100 KB file. */
function build(path: string, files: boolean): void {
  const db = openDatabase(path);
  const start = Date.parse("2026-01-01T00:00:00.000Z");
  const insert = db.transaction((from: number, to: number) => {
    for (let s = from; s < to; s++) {
      const id = newId();
      const time = new Date(start + s * 60_000).toISOString();
      sessionsDb.createSession(db, { id, title: null, provider: "anthropic", model: "claude-sonnet-4-5", systemPrompt: null, createdAt: time, updatedAt: time });
      const questionId = newId();
      const message = { sessionId: id, timestamp: time, interrupted: false, inputTokens: null, outputTokens: null, provider: null, model: null };
      messagesDb.addMessage(db, { ...message, id: questionId, role: "user", content: `question ${s} about the picture` });
      if (files && s % 10 === 0) {
        const file = fileOf(image(100 * 1024));
        attachmentsDb.addAttachment(db, { sha256: file.sha256, mediaType: file.mediaType, size: file.size, data: file.data! });
        attachmentsDb.addMessageAttachment(db, { messageId: questionId, position: 0, sessionId: id, name: file.name, sha256: file.sha256 });
      }
      messagesDb.addMessage(db, { ...message, id: newId(), role: "assistant", content: `answer ${s}` });
    }
  });
  for (let s = 0; s < 10_000; s += 500) insert(s, s + 500);
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}

async function listWithFiles(dir: string): Promise<void> {
  const runs = 20;
  for (const files of [false, true]) {
    const path = join(dir, files ? "with-files.db" : "without-files.db");
    build(path, files);
    const store = SqliteStore.open(path);
    try {
      const suffix = files ? "1000_with_100kb_files" : "no_files";
      const all = await timeRuns(runs, () => store.listSessions());
      report({ name: `list_10000_sessions_${suffix}`, median_ms: median(all), runs, bytes_on_disk: Bun.file(path).size });
      const page = await timeRuns(runs, () => store.listSessions({ limit: 20 }));
      report({ name: `list_20_of_10000_sessions_${suffix}`, median_ms: median(page), runs });
    } finally {
      await store.close();
    }
  }
}
