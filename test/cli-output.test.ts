/**
 * What the real synapse does with its input and output when they are not what a terminal gives:
 * stdout that cannot be written (a full disk), stdin bytes that are not UTF-8, a missing key, an
 * empty search query.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { anthropicReply, Home, newSessionId, serve, sourceRunner, stopServers } from "./_cli.ts";

afterAll(stopServers);

const story = "Once upon a time there was a database that kept every word it was told, even when nobody could read them.";

/** Runs synapse with stdout on /dev/full, where every write fails with ENOSPC. */
async function runToFullDisk(home: Home, args: string[]): Promise<{ stderr: string; exitCode: number }> {
  const child = Bun.spawn([...sourceRunner, ...args], { env: home.env, stdin: "ignore", stdout: Bun.file("/dev/full"), stderr: "pipe" });
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

  test("sessions export, show and list: one error line and exit 1, so a failed export never looks saved", async () => {
    const home = new Home(sourceRunner);
    const id = newSessionId((await home.run(["-p", "echo", "Something worth keeping"])).stderr);
    for (const args of [["sessions", "export", id], ["sessions", "show", id], ["sessions", "list", "--json"], ["--help"]]) {
      const { stderr, exitCode } = await runToFullDisk(home, args);
      expect({ args, exitCode, stderr }).toEqual({ args, exitCode: 1, stderr: "error: could not write to stdout: the disk is full (ENOSPC)\n" });
    }
  });
});
