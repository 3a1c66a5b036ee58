import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AttachmentError, attachmentTypeOf, fencedFile, fenceFor, imageTypeOf, maxFileBytes, readAttachmentFile } from "../src/attachment-file.ts";
import { tinyImage, type ImageType } from "./_images.ts";

const dir = mkdtempSync(join(tmpdir(), "synapse-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bytes = (...values: number[]) => Uint8Array.from(values);

describe("a file's type, by its content", () => {
  test.each<[string, Uint8Array, string | null]>([
    ["PNG", tinyImage("image/png"), "image/png"],
    ["JPEG", tinyImage("image/jpeg"), "image/jpeg"],
    ["GIF", tinyImage("image/gif"), "image/gif"],
    ["WebP", tinyImage("image/webp"), "image/webp"],
    ["GIF87a", new TextEncoder().encode("GIF87a\x01\x00"), "image/gif"],
    ["a RIFF that is no WebP (WAVE)", new TextEncoder().encode("RIFF\x24\x00\x00\x00WAVEfmt "), null],
    ["ASCII", new TextEncoder().encode("hello\n"), "text/plain"],
    ["UTF-8", new TextEncoder().encode("héllo · 日本"), "text/plain"],
    ["empty", bytes(), "text/plain"],
    ["a NUL byte", bytes(0x61, 0x00, 0x62), null],
    ["Latin-1", bytes(0x68, 0xe9, 0x6c), null],
    ["a PDF-like binary", bytes(0x25, 0x50, 0x44, 0x46, 0x00, 0xff), null],
    ["a PNG signature cut short", bytes(0x89, 0x50, 0x4e, 0x47), null],
  ])("%s", (_, data, expected) => {
    expect(attachmentTypeOf(data)).toBe(expected as ReturnType<typeof attachmentTypeOf>);
  });

  test("a name never decides: a PNG named notes.txt is a PNG", () => {
    expect(imageTypeOf(tinyImage("image/png"))).toBe("image/png");
  });
});

describe("fences", () => {
  test.each([
    ["no backticks", "plain", "```"],
    ["a fenced block inside", "```ts\nx\n```", "````"],
    ["five in a row", "a ````` b", "``````"],
  ])("%s", (_, text, fence) => {
    expect(fenceFor(text)).toBe(fence);
  });

  test("a named block; a last line without a newline gets one", () => {
    expect(fencedFile("notes.md", "a\nb")).toBe("notes.md\n```\na\nb\n```");
    expect(fencedFile("notes.md", "a\n")).toBe("notes.md\n```\na\n```");
    expect(fencedFile("x.md", "```\ncode\n```\n")).toBe("x.md\n````\n```\ncode\n```\n````");
  });
});

describe("readAttachmentFile", () => {
  test("a text file: its name, type, size and SHA-256", async () => {
    const path = join(dir, "notes.md");
    writeFileSync(path, "# Notes\n");
    const file = await readAttachmentFile(path, maxFileBytes(20));
    expect(file).toEqual({
      name: "notes.md",
      mediaType: "text/plain",
      size: 8,
      sha256: new Bun.CryptoHasher("sha256").update("# Notes\n").digest("hex"),
      data: new TextEncoder().encode("# Notes\n"),
    });
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test.each<ImageType>(["image/png", "image/jpeg", "image/gif", "image/webp"])("an image named anything: %s", async (type) => {
    const path = join(dir, `picture-${type.slice(6)}.txt`);
    writeFileSync(path, tinyImage(type));
    const file = await readAttachmentFile(path, maxFileBytes(20));
    expect(file.mediaType).toBe(type);
    expect(file.name).toBe(`picture-${type.slice(6)}.txt`);
  });

  const refusal = async (path: string, max = maxFileBytes(20)) => {
    const error = await readAttachmentFile(path, max).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AttachmentError);
    return error as AttachmentError;
  };

  test("a missing file", async () => {
    const error = await refusal(join(dir, "nope.md"));
    expect(error.kind).toBe("missing");
    expect(error.message).toBe(`${JSON.stringify(join(dir, "nope.md"))} does not exist; check the path`);
  });

  test("a folder", async () => {
    mkdirSync(join(dir, "folder"));
    const error = await refusal(join(dir, "folder"));
    expect(error.kind).toBe("folder");
    expect(error.message).toStartWith(`${JSON.stringify(join(dir, "folder"))} is a folder, not a file; `);
  });

  test("over the limit: refused by its size, before it is read", async () => {
    const path = join(dir, "big.txt");
    writeFileSync(path, "x".repeat(2048));
    const error = await refusal(path, 1024);
    expect(error.kind).toBe("too_large");
    expect(error.message).toBe(`${JSON.stringify(path)} is 2 KiB, over the limit of 1 KiB a file may be; send a smaller file, or raise max_size_mb under [files] in the configuration`);
    // Exactly at the limit is allowed.
    expect((await readAttachmentFile(path, 2048)).size).toBe(2048);
  });

  test("binary that is no supported image names the supported types", async () => {
    const path = join(dir, "archive.zip");
    writeFileSync(path, bytes(0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff));
    const error = await refusal(path);
    expect(error.kind).toBe("unsupported");
    expect(error.message).toBe(`${JSON.stringify(path)} is neither UTF-8 text nor a supported image (PNG, JPEG, WebP, GIF); convert it to one of those first`);
  });

  test.skipIf(process.getuid?.() === 0)("an unreadable file (root reads anything)", async () => {
    const path = join(dir, "secret.md");
    writeFileSync(path, "secret");
    chmodSync(path, 0o000);
    const error = await refusal(path);
    expect(error.kind).toBe("unreadable");
    expect(error.message).toBe(`${JSON.stringify(path)} cannot be read (permission denied); check its permissions`);
  });
});
