/**
 * `-f/--file` end to end: the real CLI, real HTTP to local Anthropic, OpenAI and DeepSeek
 * stand-ins. A text file goes inside the message as a named fenced block, an image as an image
 * part of each wire format (the exact request bodies are asserted); `-s` replays them from the
 * store; a provider that takes no images refuses them with nothing stored; every bad file is one
 * line, exit 2, and no database.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { anthropicReply, apiKey, Home, newSessionId, openaiReply, serve, sourceRunner, stopServers } from "./_cli.ts";
import { tinyImage, tinyImageBase64 } from "./_images.ts";

afterAll(stopServers);

/** A file written in the test's home, by its path. */
function put(home: Home, name: string, content: string | Uint8Array): string {
  const path = join(home.dir, name);
  writeFileSync(path, content);
  return path;
}

const notes = "# Notes\n\nThe launch moved to ```Friday```.\n";
/** As the model reads it: its name, then a fence longer than any run of backticks in it. */
const notesBlock = `notes.md\n\`\`\`\`\n${notes}\`\`\`\``;

describe("a file and an image, sent", () => {
  test("Anthropic: image blocks first, then the text with the file; -s replays both from the store", async () => {
    const server = serve([anthropicReply("A dot and a note."), anthropicReply("Still a dot.")]);
    const home = new Home(sourceRunner).anthropic(server);
    const text = put(home, "notes.md", notes);
    const image = put(home, "dot.png", tinyImage("image/png"));
    const first = await home.run(["-f", text, "--file", image, "Summarise"]);
    expect(first).toMatchObject({ exitCode: 0, stdout: "A dot and a note.\n" });
    const question = {
      role: "user",
      content: [
        { type: "image", source: { type: "base64", media_type: "image/png", data: tinyImageBase64("image/png") } },
        { type: "text", text: `${notesBlock}\n\nSummarise` },
      ],
    };
    expect((server.requests[0]!.body as { messages: unknown }).messages).toEqual([question]);

    const id = newSessionId(first.stderr);
    const second = await home.run(["-s", id, "And now?"]);
    expect(second).toMatchObject({ exitCode: 0, stdout: "Still a dot.\n", stderr: "" });
    expect((server.requests[1]!.body as { messages: unknown }).messages).toEqual([
      question,
      { role: "assistant", content: "A dot and a note." },
      { role: "user", content: "And now?" },
    ]);
    const shown = await home.show(id);
    expect(shown.messages[0]).toMatchObject({ role: "user", content: "Summarise" });
  });

  test("OpenAI: image_url data URLs first, then the text; JPEG, GIF and WebP by their bytes, whatever their names", async () => {
    const server = serve([openaiReply("Three pixels.")]);
    const home = new Home(sourceRunner, { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: `${server.url}/v1` });
    const files = [put(home, "a.png", tinyImage("image/jpeg")), put(home, "b", tinyImage("image/gif")), put(home, "c.txt", tinyImage("image/webp")), put(home, "notes.md", notes)];
    const result = await home.run(["-p", "openai", ...files.flatMap((file) => ["-f", file]), "What are these?"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "Three pixels.\n" });
    const url = (type: "image/jpeg" | "image/gif" | "image/webp") => ({ type: "image_url", image_url: { url: `data:${type};base64,${tinyImageBase64(type)}` } });
    expect((server.requests[0]!.body as { messages: unknown }).messages).toEqual([
      { role: "user", content: [url("image/jpeg"), url("image/gif"), url("image/webp"), { type: "text", text: `${notesBlock}\n\nWhat are these?` }] },
    ]);
  });

  test("the message piped in, with -f: the file, then the piped text and the argument", async () => {
    const server = serve([anthropicReply("Read.")]);
    const home = new Home(sourceRunner).anthropic(server);
    const text = put(home, "notes.md", notes);
    const result = await home.run(["-f", text, "Summarise"], { stdin: "From stdin.\n" });
    expect(result.exitCode).toBe(0);
    expect((server.requests[0]!.body as { messages: unknown }).messages).toEqual([{ role: "user", content: `${notesBlock}\n\nFrom stdin.\n\nSummarise` }]);
  });
});

describe("--retry", () => {
  test("asks the question again with the files it had, read back from the store", async () => {
    const server = serve([anthropicReply("First."), anthropicReply("Second.")]);
    const home = new Home(sourceRunner).anthropic(server);
    const first = await home.run(["-f", put(home, "notes.md", notes), "-f", put(home, "dot.gif", tinyImage("image/gif")), "Summarise"]);
    expect(first.exitCode).toBe(0);
    const again = await home.run(["--retry"]);
    expect(again).toMatchObject({ exitCode: 0, stdout: "Second.\n" });
    const messages = (request: number) => (server.requests[request]!.body as { messages: unknown }).messages;
    expect(messages(1)).toEqual(messages(0));
    expect(messages(1)).toEqual([
      {
        role: "user",
        content: [
          { type: "image", source: { type: "base64", media_type: "image/gif", data: tinyImageBase64("image/gif") } },
          { type: "text", text: `${notesBlock}\n\nSummarise` },
        ],
      },
    ]);
  });
});

describe("a provider that takes no images (DeepSeek)", () => {
  test("an image is refused before anything is stored; a text file is sent", async () => {
    const server = serve([openaiReply("Text only.")]);
    const home = new Home(sourceRunner, { DEEPSEEK_API_KEY: apiKey, DEEPSEEK_BASE_URL: server.url });
    const image = put(home, "dot.png", tinyImage("image/png"));
    const refused = await home.run(["-p", "deepseek", "-f", image, "What is it?"]);
    expect(refused).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: 'error: deepseek takes no images ("dot.png"); nothing was sent or stored; send it to a provider that takes images (-p anthropic, -p openai), or set images = true in its table if it does\n',
    });
    expect(server.requests).toHaveLength(0);
    expect(existsSync(home.database)).toBe(false);

    const text = put(home, "notes.md", notes);
    const sent = await home.run(["-p", "deepseek", "-f", text, "Summarise"]);
    expect(sent.exitCode).toBe(0);
    expect((server.requests[0]!.body as { messages: unknown }).messages).toEqual([{ role: "user", content: `${notesBlock}\n\nSummarise` }]);
  });

  test("continuing a session with an image: refused for a new image, with nothing stored; the stored one becomes a line, with a warning", async () => {
    const anthropic = serve([anthropicReply("A dot.")]);
    const deepseek = serve([openaiReply("I was told of a dot.")]);
    const home = new Home(sourceRunner, { DEEPSEEK_API_KEY: apiKey, DEEPSEEK_BASE_URL: deepseek.url }).anthropic(anthropic);
    const image = put(home, "dot.png", tinyImage("image/png"));
    const first = await home.run(["-f", image, "What is it?"]);
    const id = newSessionId(first.stderr);

    // Its own provider is known only once the store is open: refused before the lease or the question.
    const refused = await home.run(["-s", id, "-p", "deepseek", "-f", image, "And this?"]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toStartWith('error: deepseek takes no images ("dot.png"); nothing was sent or stored');
    expect((await home.show(id)).messages).toHaveLength(2);

    const result = await home.run(["-s", id, "-p", "deepseek", "Describe it again"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "I was told of a dot.\n" });
    expect(result.stderr).toBe(
      "warning: an image in this session (dot.png) not sent: deepseek takes no images; a line saying so was sent in its place; continue with -p anthropic or -p openai to send it\n",
    );
    expect((deepseek.requests[0]!.body as { messages: unknown }).messages).toEqual([
      { role: "user", content: "[image dot.png not sent: deepseek takes no images]\n\nWhat is it?" },
      { role: "assistant", content: "A dot." },
      { role: "user", content: "Describe it again" },
    ]);
  });
});

describe("files that cannot be sent: one line, exit 2, no database", () => {
  const asRoot = process.getuid?.() === 0;
  const cases: [string, (home: Home) => string, (path: string) => string, boolean?][] = [
    ["missing", (home) => join(home.dir, "nope.md"), (path) => `${JSON.stringify(path)} does not exist; check the path`],
    [
      "a folder",
      (home) => {
        mkdirSync(join(home.dir, "docs"));
        return join(home.dir, "docs");
      },
      (path) => `${JSON.stringify(path)} is a folder, not a file; give the files in it one by one`,
    ],
    [
      "over the configured limit",
      (home) => {
        home.config("[files]\nmax_size_mb = 0.001\n");
        return put(home, "big.md", "x".repeat(2048));
      },
      (path) => `${JSON.stringify(path)} is 2 KiB, over the limit of 1 KiB a file may be; send a smaller file, or raise max_size_mb under [files] in the configuration`,
    ],
    [
      "binary that is no supported image",
      (home) => put(home, "archive.zip", Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x00])),
      (path) => `${JSON.stringify(path)} is neither UTF-8 text nor a supported image (PNG, JPEG, WebP, GIF); convert it to one of those first`,
    ],
    [
      "unreadable",
      (home) => {
        const path = put(home, "secret.md", "secret");
        chmodSync(path, 0o000);
        return path;
      },
      (path) => `${JSON.stringify(path)} cannot be read (permission denied); check its permissions`,
      asRoot,
    ],
  ];
  for (const [name, make, line, skip] of cases) {
    // Root reads any file whatever its mode: the unreadable case cannot be made there.
    test.skipIf(skip === true)(name, async () => {
      const server = serve([anthropicReply("never")]);
      const home = new Home(sourceRunner).anthropic(server);
      const good = put(home, "notes.md", notes);
      const path = make(home);
      const result = await home.run(["-f", good, "-f", path, "Summarise"]);
      expect(result).toEqual({ exitCode: 2, stdout: "", stderr: `error: ${line(path)}\n` });
      expect(server.requests).toHaveLength(0);
      expect(existsSync(home.database)).toBe(false);
    });
  }

  test("a file alone is no message", async () => {
    const home = new Home(sourceRunner, { ANTHROPIC_API_KEY: apiKey });
    const result = await home.run(["-f", put(home, "notes.md", notes)]);
    expect(result).toEqual({
      exitCode: 2,
      stdout: "",
      stderr: 'error: no message: a file (-f) goes with a question about it; give one as an argument (synapse -f notes.md "Summarise") or pipe it in (see `synapse --help`)\n',
    });
  });

  test("-f with --retry: the question is asked with the files it had", async () => {
    const home = new Home(sourceRunner, { ANTHROPIC_API_KEY: apiKey });
    const result = await home.run(["--retry", "-f", put(home, "notes.md", notes)]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toStartWith("error: --retry asks the last question as it was, with the files it had; -f sends new ones with a new question");
  });
});

describe("--help", () => {
  test("says -f for a message and for chat mode", async () => {
    const home = new Home(sourceRunner);
    for (const args of [["--help"], ["chat", "--help"]]) {
      const result = await home.run(args);
      expect(result.stdout).toContain("-f, --file");
    }
  });
});
