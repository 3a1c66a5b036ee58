/**
 * Tools in chat mode, in a pseudo-terminal: /tools lists them (starting the servers), a tool
 * that is not read-only is asked about with a key, and "always" holds for that tool in that
 * session for the rest of the chat.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { anthropicReply, Home, serve, sourceRunner, stopServers } from "./_cli.ts";
import { everythingToml } from "./_mcp.ts";
import { PtyRun } from "./_pty.ts";
import { anthropicToolUse } from "./_tool-replies.ts";

setDefaultTimeout(180_000);
afterAll(stopServers);

const enter = "\r";
const ctrlD = "\x04";

describe("tools in synapse chat", () => {
  test("/tools lists them; a key answers the question; always holds for the session; every call and result is stored", async () => {
    const toggle = (id: string) => ({ id, name: "toggle-simulated-logging", arguments: {} });
    const server = serve([anthropicToolUse([toggle("t1")]), anthropicReply("Toggled once."), anthropicToolUse([toggle("t2")]), anthropicReply("Toggled twice.")]);
    const home = new Home(sourceRunner).config(everythingToml("everything")).anthropic(server);
    const run = new PtyRun([...sourceRunner, "chat"], home.env, { columns: 120, rows: 50 });
    let seen = 0;
    const expectText = async (text: string) => {
      await run.waitFor(text, seen);
      seen = run.output.indexOf(text, seen) + text.length;
    };
    await expectText("› ");
    run.write(`/tools${enter}`);
    await expectText("echo");
    expect(run.output).toMatch(/toggle-simulated-logging\s+asks/);
    expect(run.output).toMatch(/echo\s+read-only/);
    await expectText("› ");
    run.write(`Toggle it${enter}`);
    await expectText("[y]es, [n]o, [a]lways in this session:");
    run.write("a");
    await expectText("Toggled once.");
    await expectText("› ");
    run.write(`Again${enter}`);
    await expectText("Toggled twice.");
    // Asked once: "always" answered for the second call.
    expect(run.output.match(/\[a\]lways in this session/g)).toHaveLength(1);
    await expectText("› ");
    run.write(ctrlD);
    expect(await run.finished()).toBe(0);
    const id = (await home.list())[0]!.id as string;
    const messages = (await home.show(id)).messages;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant", "user", "assistant", "tool", "assistant"]);
    expect(messages.filter((m) => m.role === "tool").every((m) => m.toolError === undefined)).toBe(true);
  });
});
