/**
 * Chat mode, the compiled binary in a pseudo-terminal on a copy of the big database (10,000
 * sessions): the time from starting `synapse chat` to its prompt, beside a compiled hello-world
 * timed the same way, and the time a turn takes against the echo provider, from Enter to the
 * next prompt (the store's two commits, the history, the rendering; no network).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinaries } from "./_binaries.ts";
import { ensureBigDatabase, sessionCount } from "./_big-database.ts";
import { median, report } from "./_report.ts";

const runs = 15;
const turns = 20;

/** A process in a pseudo-terminal, and a way to wait for a text in what it writes after an offset. */
function inTerminal(command: string[], env: Record<string, string>) {
  let text = "";
  const decoder = new TextDecoder();
  let waiter: { text: string; from: number; resolve: (at: number) => void } | null = null;
  const child = Bun.spawn(command, {
    env,
    terminal: {
      cols: 100,
      rows: 40,
      data(_terminal, data) {
        text += decoder.decode(data, { stream: true });
        const at = waiter === null ? -1 : text.indexOf(waiter.text, waiter.from);
        if (waiter !== null && at !== -1) {
          waiter.resolve(at + waiter.text.length);
          waiter = null;
        }
      },
    },
  });
  return {
    child,
    /** Resolves with the offset just after `wanted`, once it is in the output at or after `from`. */
    waitFor(wanted: string, from = 0): Promise<number> {
      const at = text.indexOf(wanted, from);
      if (at !== -1) return Promise.resolve(at + wanted.length);
      return new Promise((resolve) => (waiter = { text: wanted, from, resolve }));
    },
  };
}

export default async function (): Promise<void> {
  const { binary, hello } = compiledBinaries("synapse-chat");

  const scratch = mkdtempSync(join(tmpdir(), "synapse-bench-chat-"));
  try {
    const database = join(scratch, "sessions.db");
    copyFileSync(ensureBigDatabase(), database);
    const home = join(scratch, "home");
    mkdirSync(join(home, "config", "synapse"), { recursive: true });
    // Every session kept: the bench database's sessions are older than the default limits.
    writeFileSync(join(home, "config", "synapse", "config.toml"), `[session]\nmax_sessions = 0\nretention_days = 0\ndatabase_url = "sqlite:${database}"\n`);
    // No colour, so the prompt's "› " is plain text to wait for.
    const env = { PATH: "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: join(home, "config"), TERM: "xterm-256color", NO_COLOR: "1" };

    const toPrompt: number[] = [];
    const helloMs: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      const start = Bun.nanoseconds();
      const chat = inTerminal([binary, "chat", "-p", "echo"], env);
      await chat.waitFor("› ");
      const ms = (Bun.nanoseconds() - start) / 1e6;
      chat.child.terminal?.write("\x04");
      await chat.child.exited;
      const helloStart = Bun.nanoseconds();
      const world = inTerminal([hello], env);
      await world.waitFor("Hello, world!");
      await world.child.exited;
      if (i >= 2) {
        toPrompt.push(ms);
        helloMs.push((Bun.nanoseconds() - helloStart) / 1e6);
      }
    }
    const prompt = median(toPrompt);
    const reference = median(helloMs);
    report({ name: "chat_start_to_prompt", median_ms: prompt, hello_world_ms: reference, ratio: Math.round((prompt / reference) * 100) / 100, runs, sessions: sessionCount });

    const chat = inTerminal([binary, "chat", "-p", "echo"], env);
    let seen = await chat.waitFor("› ");
    const perTurn: number[] = [];
    for (let i = 0; i < turns + 2; i++) {
      const start = Bun.nanoseconds();
      const line = `Benchmark turn ${i} with a few words in it`;
      chat.child.terminal?.write(`${line}\r`);
      // The line as typed, the reply (the echo of it), then the next prompt.
      seen = await chat.waitFor(line, seen);
      seen = await chat.waitFor(line, seen);
      seen = await chat.waitFor("› ", seen);
      if (i >= 2) perTurn.push((Bun.nanoseconds() - start) / 1e6);
    }
    chat.child.terminal?.write("\x04");
    await chat.child.exited;
    report({ name: "chat_turn_echo", median_ms: median(perTurn), turns, sessions: sessionCount });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
