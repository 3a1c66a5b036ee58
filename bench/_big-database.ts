/**
 * A database a heavy user could have: 10,000 sessions of 100 messages (about a million
 * messages, realistic lengths) plus one session of 10,000 messages. Built once with the
 * generated queries and cached in bench/.cache/.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as messagesDb from "../src/storage/sqlite/generated/messages.ts";
import * as sessionsDb from "../src/storage/sqlite/generated/sessions.ts";
import { openDatabase } from "../src/storage/sqlite/bootstrap.ts";

export const cacheDir = join(import.meta.dir, ".cache");
export const sessionCount = 10_000;
export const messagesPerSession = 100;
export const longSessionMessages = 10_000;
const cached = join(cacheDir, `store-${sessionCount}x${messagesPerSession}-v3.db`);

/** Deterministic pseudo-random numbers, so every build of the database is the same. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const words = "the a of to and in is it that for on with as was at by be this from or have an they which one you were all her she there would their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three".split(
  " ",
);

function text(next: () => number, min: number, max: number): string {
  const length = min + Math.floor(next() * (max - min));
  let out = "";
  while (out.length < length) out += words[Math.floor(next() * words.length)]! + (next() < 0.08 ? ". " : " ");
  return out.slice(0, length);
}

function uuid(n: number, kind: number): string {
  const hex = n.toString(16).padStart(12, "0");
  return `${kind.toString(16).padStart(8, "0")}-0000-4000-8000-${hex}`;
}

/** The session holding `longSessionMessages` messages; the rest hold `messagesPerSession`. */
export const longSessionId = uuid(0, 1);
export const typicalSessionId = uuid(5000, 1);

function build(path: string): void {
  const started = performance.now();
  const db = openDatabase(path);
  const next = random(42);
  const start = Date.parse("2025-06-01T00:00:00.000Z");
  const insert = db.transaction((from: number, to: number) => {
    for (let s = from; s < to; s++) {
      const id = uuid(s, 1);
      const created = new Date(start + s * 60_000).toISOString();
      sessionsDb.createSession(db, {
        id,
        title: s % 7 === 0 ? `Project ${s}` : null,
        provider: ["anthropic", "openai", "deepseek"][s % 3]!,
        model: ["claude-sonnet-4-5", "gpt-4o-mini", "deepseek-chat"][s % 3]!,
        systemPrompt: s % 5 === 0 ? "You are a concise assistant." : null,
        createdAt: created,
        updatedAt: created,
      });
      const count = s === 0 ? longSessionMessages : messagesPerSession;
      for (let m = 0; m < count; m++) {
        const user = m % 2 === 0;
        const timestamp = new Date(start + s * 60_000 + m * 1000).toISOString();
        messagesDb.addMessage(db, {
          id: uuid(s * longSessionMessages + m, 2),
          sessionId: id,
          role: user ? "user" : "assistant",
          content: user ? text(next, 40, 400) : text(next, 200, 1500),
          timestamp,
          interrupted: false,
          inputTokens: user ? null : 400,
          outputTokens: user ? null : 300,
          // Replies by the session's own provider and model, stored as such: NULL.
          provider: null,
          model: null,
          toolCalls: null,
          toolCallId: null,
          toolError: false,
        });
        messagesDb.touchSessionForMessage(db, { sessionId: id, timestamp });
      }
    }
  });
  for (let s = 0; s < sessionCount; s += 500) insert(s, Math.min(sessionCount, s + 500));
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  process.stderr.write(`bench: built ${path} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

/**
 * The path of the big database, built on first use (about 20 s) and cached. SYNAPSE_BENCH_BIG_DATABASE
 * names one built already (by another checkout, say) instead; benches only ever read it or copy it.
 */
export function ensureBigDatabase(): string {
  const given = process.env.SYNAPSE_BENCH_BIG_DATABASE;
  if (given !== undefined && given !== "") return given;
  if (existsSync(cached)) return cached;
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  const building = `${cached}.building`;
  rmSync(building, { force: true });
  build(building);
  renameSync(building, cached);
  return cached;
}

