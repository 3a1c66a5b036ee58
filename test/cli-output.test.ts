/**
 * What the real synapse does with its input and output when they are not what a terminal gives:
 * stdout that cannot be written (a full disk), stdin bytes that are not UTF-8, a missing key, an
 * empty search query.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { Home, anthropicReply, newSessionId, openaiReply, serve, sourceRunner, stopServers } from "./_cli.ts";

afterAll(stopServers);

const story = "Once upon a time there was a database that kept every word it was told, even when nobody could read them.";

/** Runs synapse with stdout on /dev/full, where every write fails with ENOSPC. */
async function runToFullDisk(home: Home, args: string[], stdin?: string): Promise<{ stderr: string; exitCode: number }> {
  const input = stdin === undefined ? "ignore" : new Blob([stdin]);
  const child = Bun.spawn([...sourceRunner, ...args], { env: home.env, stdin: input, stdout: Bun.file("/dev/full"), stderr: "pipe" });
  const [stderr, exitCode] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  return { stderr, exitCode };
}

describe.skipIf(!existsSync("/dev/full"))("stdout on a full disk (/dev/full)", () => {
  test("a chat: one error line, exit 1, and the whole reply stored as complete", async () => {
    // Sent in small pieces, so the reply is still arriving when the first write fails.
    const reply = anthropicReply(story) as { kind: "sse"; body: string };
    const home = new Home(sourceRunner).anthropic(serve([{ ...reply, chunkSize: 40 }]));
    const { stderr, exitCode } = await runToFullDisk(home, ["Tell me a story"]);
    expect(exitCode).toBe(1);
    const errors = stderr.split("\n").filter((line) => line.startsWith("error:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: the reply could not be written to stdout: the disk is full \(ENOSPC\); it is stored whole, read it with: synapse sessions show [0-9a-f]{8}/);
    // Nothing else but the session line: no code frame, no stack trace.
    expect(stderr.trimEnd().split("\n")).toHaveLength(2);
    const { messages } = await home.show(newSessionId(stderr));
    expect(messages).toHaveLength(2);
    expect(messages[1]).toMatchObject({ role: "assistant", content: story });
    expect(messages[1]).not.toHaveProperty("interrupted");
  });

  test("sessions export, show, list, --help and --version: one error line and exit 1, so a failed export never looks saved", async () => {
    const home = new Home(sourceRunner);
    const id = newSessionId((await home.run(["-p", "echo", "Something worth keeping"])).stderr);
    for (const args of [["sessions", "export", id], ["sessions", "show", id], ["sessions", "list", "--json"], ["--help"], ["--version"]]) {
      const { stderr, exitCode } = await runToFullDisk(home, args);
      expect({ args, exitCode, stderr }).toEqual({
        args,
        exitCode: 1,
        stderr:
          "error: could not write to stdout: the disk is full (ENOSPC); the command's work is done, only its output was lost: free some space or send the output elsewhere, and run it again to see it\n",
      });
    }
  });

  test("sessions import: the session is imported, and the line says only the output was lost", async () => {
    const home = new Home(sourceRunner);
    const id = newSessionId((await home.run(["-p", "echo", "Worth a copy"])).stderr);
    const exported = (await home.run(["sessions", "export", id])).stdout;
    const copy = new Home(sourceRunner);
    const { stderr, exitCode } = await runToFullDisk(copy, ["sessions", "import", "-"], exported);
    expect(exitCode).toBe(1);
    expect(stderr).toContain(`imported session ${id}`);
    expect(stderr).toContain("the command's work is done, only its output was lost");
    expect((await copy.list()).map((s) => s.id)).toEqual([id]);
  });
});

/** Runs synapse with `bytes` piped to its stdin. */
async function runWithStdin(home: Home, args: string[], bytes: Uint8Array): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const child = Bun.spawn([...sourceRunner, ...args], { env: home.env, stdin: new Blob([bytes]), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { stdout, stderr, exitCode };
}

describe("stdin is UTF-8", () => {
  test("bytes starting with FF FE are not read as UTF-16: refused, with how to convert them, nothing stored", async () => {
    const home = new Home(sourceRunner);
    // "hi" in UTF-16LE with its byte-order mark.
    const result = await runWithStdin(home, ["-p", "echo"], new Uint8Array([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00]));
    expect(result).toEqual({
      stdout: "",
      stderr: "error: stdin is not UTF-8 text (byte 0xFF at offset 0); it looks like UTF-16; convert it first, e.g. with iconv -f UTF-16 -t UTF-8\n",
      exitCode: 1,
    });
    expect(existsSync(home.database)).toBe(false);
  });

  test("a broken sequence is named by its offset; a UTF-8 byte-order mark is dropped; the rest is stored as sent", async () => {
    const home = new Home(sourceRunner);
    const broken = await runWithStdin(home, ["-p", "echo"], new Uint8Array([0x61, 0x62, 0xc3, 0x28]));
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toStartWith("error: stdin is not UTF-8 text (byte 0xC3 at offset 2)");
    const bom = await runWithStdin(home, ["-p", "echo", "and this"], new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("caf\u00e9 \u00fe\u00ff")]));
    expect(bom.exitCode).toBe(0);
    const { messages } = await home.show(newSessionId(bom.stderr));
    expect(messages[0]).toMatchObject({ role: "user", content: "caf\u00e9 \u00fe\u00ff\n\nand this" });
  });

  test("sessions import - reads UTF-8 too", async () => {
    const home = new Home(sourceRunner);
    const result = await runWithStdin(home, ["sessions", "import", "-"], new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toStartWith("error: stdin is not UTF-8 text (byte 0xFF at offset 0); it looks like UTF-16");
  });
});

test("a run with no API key fails before the database is created", async () => {
  const home = new Home(sourceRunner);
  const result = await home.run(["Hello"]);
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toStartWith("error: no API key for Anthropic; set ANTHROPIC_API_KEY");
  expect(result.stderr).toContain("no key was found for ANTHROPIC_API_KEY, OPENAI_API_KEY, DEEPSEEK_API_KEY");
  expect(existsSync(home.database)).toBe(false);
  // Asked for Anthropic by name, with only another key set: the error names the key it found.
  const named = await home.run(["-p", "anthropic", "Hello"], { env: { OPENAI_API_KEY: "sk-test-0123456789" } });
  expect(named.exitCode).toBe(1);
  expect(named.stderr).toContain("keys were found for openai (-p openai)");
  expect(named.stderr).not.toContain("sk-test-0123456789");
  // Naming a provider that needs no key still works, and then the database is created.
  expect((await home.run(["-p", "echo", "Hello"])).exitCode).toBe(0);
  expect(existsSync(home.database)).toBe(true);
});

test.each([[""], ["   "]])("an empty search query %p is a usage error (exit 2)", async (query) => {
  const home = new Home(sourceRunner);
  const result = await home.run(["sessions", "search", query]);
  expect(result).toEqual({
    stdout: "",
    stderr: "error: the search query is empty; give the words to find (see `synapse sessions search --help`)\n",
    exitCode: 2,
  });
});

test("only OPENAI_API_KEY set: a new session goes to OpenAI; -m claude-… goes to Anthropic", async () => {
  const openai = serve([openaiReply("From OpenAI.")]);
  const anthropic = serve([anthropicReply("From Anthropic.")]);
  const home = new Home(sourceRunner);
  const env = { OPENAI_API_KEY: "sk-test-0123456789", OPENAI_BASE_URL: `${openai.url}/v1`, ANTHROPIC_BASE_URL: anthropic.url, ANTHROPIC_API_KEY: "sk-ant-test-0123456789" };
  const first = await home.run(["Hello"], { env: { OPENAI_API_KEY: env.OPENAI_API_KEY, OPENAI_BASE_URL: env.OPENAI_BASE_URL } });
  expect(first).toMatchObject({ exitCode: 0, stdout: "From OpenAI.\n" });
  const second = await home.run(["-m", "claude-sonnet-4-5", "Hello"], { env });
  expect(second).toMatchObject({ exitCode: 0, stdout: "From Anthropic.\n" });
  expect((await home.list()).map((s) => s.provider).sort()).toEqual(["anthropic", "openai"]);
});
