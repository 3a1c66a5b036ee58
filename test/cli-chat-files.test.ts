/**
 * Files in chat mode, in a pseudo-terminal: `synapse chat -f` attaches to the first message;
 * `/file PATH` to the next one, the prompt counting what waits and `/file` alone listing it; a
 * bad file is one line and the chat goes on.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { anthropicReply, Home, serve, sourceRunner, stopServers } from "./_cli.ts";
import { tinyImage, tinyImageBase64 } from "./_images.ts";
import { complete } from "../src/cli/chat-loop.ts";
import { PtyRun } from "./_pty.ts";

afterAll(stopServers);

const enter = "\r";
const ctrlD = "\x04";

type Sent = { messages: { role: string; content: unknown }[] };

describe("files in synapse chat", () => {
  test("Tab completes /file, then the path after it", () => {
    expect(complete("/fi", [])).toEqual(["/file "]);
    const dir = mkdtempSync(join(tmpdir(), "synapse-paths-"));
    mkdirSync(join(dir, "notes"));
    for (const name of ["notes.md", "my dot.png", ".hidden"]) writeFileSync(join(dir, name), "x");
    expect(complete(`/file ${dir}/no`, [])).toEqual([`/file ${dir}/notes.md`, `/file ${dir}/notes/`]);
    expect(complete(`/file ${dir}/`, [])).toEqual([`/file ${dir}/my dot.png`, `/file ${dir}/notes.md`, `/file ${dir}/notes/`]);
    expect(complete(`/file ${dir}/.h`, [])).toEqual([`/file ${dir}/.hidden`]);
    expect(complete(`/file ${dir}/nowhere/x`, [])).toEqual([]);
  });

  test("-f goes with the first message; /file with the next; the prompt says how many wait", async () => {
    const server = serve([anthropicReply("Read the notes."), anthropicReply("A dot."), anthropicReply("Nothing new.")]);
    const home = new Home(sourceRunner).anthropic(server);
    const notes = join(home.dir, "notes.md");
    writeFileSync(notes, "# Notes\n");
    const dot = join(home.dir, "my dot.png");
    writeFileSync(dot, tinyImage("image/png"));
    const run = new PtyRun([...sourceRunner, "chat", "-f", notes], home.env, { columns: 160, rows: 40 });
    let seen = 0;
    const expectText = async (text: string) => {
      await run.waitFor(text, seen);
      seen = run.output.indexOf(text, seen) + text.length;
    };
    await expectText("the next message goes with notes.md");
    await expectText("· 1 file › ");
    run.write(`Summarise${enter}`);
    await expectText("Read the notes.");
    await expectText("› ");
    run.write(`/file${enter}`);
    await expectText("no files waiting; /file PATH adds one to the next message");
    await expectText("› ");
    run.write(`/file "${dot}"${enter}`);
    await expectText("my dot.png (70 bytes, PNG) added");
    await expectText("the next message goes with my dot.png");
    await expectText("· 1 file › ");
    run.write(`/file ${join(home.dir, "nope.md")}${enter}`);
    await expectText(`error: ${JSON.stringify(join(home.dir, "nope.md"))} does not exist; check the path`);
    await expectText("· 1 file › ");
    run.write(`What is it?${enter}`);
    await expectText("A dot.");
    await expectText("› ");
    run.write(`And now?${enter}`);
    await expectText("Nothing new.");
    await expectText("› ");
    run.write(ctrlD);
    expect(await run.finished()).toBe(0);

    const bodies = server.requests.map((request) => request.body as Sent);
    expect(bodies[0]!.messages).toEqual([{ role: "user", content: "notes.md\n```\n# Notes\n```\n\nSummarise" }]);
    const image = { type: "image", source: { type: "base64", media_type: "image/png", data: tinyImageBase64("image/png") } };
    expect(bodies[1]!.messages.at(-1)).toEqual({ role: "user", content: [image, { type: "text", text: "What is it?" }] });
    // The files stay with the questions they went with, and only those.
    expect(bodies[2]!.messages.map((m) => m.content)).toEqual([
      "notes.md\n```\n# Notes\n```\n\nSummarise",
      "Read the notes.",
      [image, { type: "text", text: "What is it?" }],
      "A dot.",
      "And now?",
    ]);
  });
});
