/**
 * Local models end to end, through the real CLI: a GGUF file as `[providers.NAME] type =
 * "llama.cpp"` (Gemma 3 270M, a base model: the protocol is tested, not what it says), run in the
 * Synapse process; and the bad files, which need no model. (The compiled binary, which cannot
 * carry node-llama-cpp and says so, is tested in cli.test.ts, which builds it.) The model is SYNAPSE_TEST_GGUF, else
 * ~/.cache/synapse-test/gemma-3-270m-q4_k_m.gguf (scripts/fetch-test-model.sh); without it the
 * tests that need it are skipped, saying so.
 */
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { Home, newSessionId, sourceRunner } from "./_cli.ts";

setDefaultTimeout(300_000);

const MODEL = process.env.SYNAPSE_TEST_GGUF ?? join(userInfo().homedir, ".cache/synapse-test/gemma-3-270m-q4_k_m.gguf");
const haveModel = existsSync(MODEL) && statSync(MODEL).isFile();
if (!haveModel) console.warn(`cli-local-models.test.ts: skipping the tests that need a model: no file at ${MODEL} (bash scripts/fetch-test-model.sh fetches it)`);
const withModel = haveModel ? test : test.skip;

/** A home whose config has `[providers.gemma]` running `path`, CPU only, small limits. */
function homeWith(path: string, extra = "", runner: readonly string[] = sourceRunner): Home {
  return new Home(runner).config(`[providers.gemma]\ntype = "llama.cpp"\nmodel_path = ${JSON.stringify(path)}\ncontext_size = 1024\nmax_tokens = 16\nthreads = 2\ngpu = false\n${extra}`);
}

type Message = { role: string; content: string; interrupted?: boolean; usage?: { inputTokens: number; outputTokens: number } };

/** `sessions show --json`'s messages, typed as this file reads them. */
async function messagesOf(home: Home, id: string): Promise<Message[]> {
  return (await home.show(id)).messages as unknown as Message[];
}

describe("a local model (type = llama.cpp)", () => {
  withModel("a reply streams to stdout and is stored with the model's own token counts; max_tokens holds; continuing sends the history", async () => {
    const home = homeWith(MODEL);
    const first = await home.run(["-p", "gemma", "The capital of France is"]);
    expect(first.exitCode).toBe(0);
    const id = newSessionId(first.stderr);
    expect((await home.show(id)).session).toMatchObject({ provider: "gemma", model: "gemma-3-270m-q4_k_m" });
    const reply = (await messagesOf(home, id))[1]!;
    expect(reply.role).toBe("assistant");
    // What reached stdout is what was stored (and a newline to end the line).
    expect(first.stdout.trimEnd()).toBe(reply.content.trimEnd());
    expect(reply.usage!.outputTokens).toBeGreaterThan(0);
    expect(reply.usage!.outputTokens).toBeLessThanOrEqual(16);
    const again = await home.run(["-s", id, "And the capital of Italy is"]);
    expect(again.exitCode).toBe(0);
    const both = await messagesOf(home, id);
    expect(both.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    // The second request held the first exchange: more input than the first question and reply.
    expect(both[3]!.usage!.inputTokens).toBeGreaterThan(reply.usage!.inputTokens + reply.usage!.outputTokens);
  });

  withModel("Ctrl+C mid-reply keeps what arrived, marked interrupted, and exits 130", async () => {
    // A long reply allowed, so it is still coming when the signal arrives.
    const home = new Home(sourceRunner).config(`[providers.gemma]\ntype = "llama.cpp"\nmodel_path = ${JSON.stringify(MODEL)}\ncontext_size = 2048\nmax_tokens = 1500\nthreads = 2\ngpu = false\n`);
    const child = Bun.spawn([...sourceRunner, "-p", "gemma", "Once upon a time"], { env: home.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    let shown = "";
    const reader = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stdout) {
        shown += decoder.decode(chunk);
        if (shown.trim().length > 0) child.kill("SIGINT");
      }
    })();
    const [code] = await Promise.all([child.exited, reader]);
    expect(code).toBe(130);
    const listed = await home.list();
    const messages = await messagesOf(home, listed[0]!.id as string);
    expect(messages[1]).toMatchObject({ role: "assistant", interrupted: true });
    expect(messages[1]!.content.length).toBeGreaterThan(0);
  });

  withModel("synapse models lists the file, its size, architecture and parameters", async () => {
    const home = homeWith(MODEL);
    const listed = await home.run(["models", "--json"]);
    expect(listed.exitCode).toBe(0);
    const gemma = JSON.parse(listed.stdout).providers.find((p: { name: string }) => p.name === "gemma");
    expect(gemma).toMatchObject({ type: "llama.cpp", model: "gemma-3-270m-q4_k_m", key: "not needed", local: { modelPath: MODEL, contextSize: 1024, gpu: false, file: { architecture: "gemma3", parameters: "270M", quantization: "Q4_K_M", sizeBytes: 253113024 } } });
    const text = await home.run(["models"], { env: { COLUMNS: "250" } });
    expect(text.stdout).toContain(`${MODEL} · 241.4 MiB · gemma3 270M Q4_K_M`);
  });

  test("a file that cannot run is one line, exit 1, and leaves no database behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "synapse-bad-gguf-"));
    const text = join(dir, "notes.gguf");
    writeFileSync(text, "these are notes, not a model\n");
    for (const [path, said] of [
      [join(dir, "missing.gguf"), "missing.gguf"],
      [dir, "folder"],
      [text, "not a GGUF"],
    ] as const) {
      const home = homeWith(path);
      const result = await home.run(["-p", "gemma", "Hello"]);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(said);
      expect(result.stderr).toContain("[providers.gemma]");
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(existsSync(home.database)).toBe(false);
    }
  });

  test("a config without model_path, or with a server's key, is one line naming the table", async () => {
    const home = new Home(sourceRunner).config('[providers.gemma]\ntype = "llama.cpp"\n');
    const missing = await home.run(["-p", "gemma", "Hello"]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("[providers.gemma] in");
    expect(missing.stderr).toContain("needs model_path");
    const odd = new Home(sourceRunner).config('[providers.gemma]\ntype = "llama.cpp"\nmodel_path = "x.gguf"\nbase_url = "http://localhost:1/v1"\n');
    expect((await odd.run(["-p", "gemma", "Hello"])).stderr).toContain('is a local model (type = "llama.cpp"), which takes no base_url; remove it');
  });
});
