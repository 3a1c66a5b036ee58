/**
 * Images in the request bodies: Anthropic's base64 `image` blocks and OpenAI's `image_url` data
 * URLs, images before the text, as each API documents them; a message without images stays a
 * plain string, byte for byte as before.
 */
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../src/config/index.ts";
import { createProvider } from "../src/chat/provider.ts";
import { anthropicBody } from "../src/providers/anthropic.ts";
import { openAIBody } from "../src/providers/openai.ts";
import type { ChatMessage, StreamRequest } from "../src/providers/index.ts";
import { tinyImage, tinyImageBase64 } from "./_images.ts";

const png = { mediaType: "image/png", data: tinyImage("image/png") };
const gif = { mediaType: "image/gif", data: tinyImage("image/gif") };

function request(messages: ChatMessage[]): StreamRequest {
  return { messages, model: "m", signal: new AbortController().signal };
}

const withImages: ChatMessage[] = [
  { role: "system", content: "Be brief." },
  { role: "user", content: "What is this?", images: [png, gif] },
  { role: "assistant", content: "Two pixels." },
  { role: "user", content: "And now?" },
];

describe("anthropicBody", () => {
  test("images first, as base64 blocks, then the text; other messages stay strings", () => {
    expect(anthropicBody(request(withImages), 100).messages).toEqual([
      {
        role: "user",
        content: [
          { type: "image", source: { type: "base64", media_type: "image/png", data: tinyImageBase64("image/png") } },
          { type: "image", source: { type: "base64", media_type: "image/gif", data: tinyImageBase64("image/gif") } },
          { type: "text", text: "What is this?" },
        ],
      },
      { role: "assistant", content: "Two pixels." },
      { role: "user", content: "And now?" },
    ]);
  });

  test("no images, or an empty list: the body is the same JSON as before", () => {
    const plain: ChatMessage[] = [{ role: "user", content: "Hi" }];
    const expected = '{"model":"m","max_tokens":100,"messages":[{"role":"user","content":"Hi"}],"stream":true}';
    expect(JSON.stringify(anthropicBody(request(plain), 100))).toBe(expected);
    expect(JSON.stringify(anthropicBody(request([{ role: "user", content: "Hi", images: [] }]), 100))).toBe(expected);
  });

  test("an image with no text sends no empty text block", () => {
    expect(anthropicBody(request([{ role: "user", content: "", images: [png] }]), 1).messages).toEqual([
      { role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: tinyImageBase64("image/png") } }] },
    ]);
  });
});

describe("openAIBody", () => {
  test("images first, as data: URLs, then the text; other messages stay strings", () => {
    expect(openAIBody(request(withImages), 100, "max_tokens").messages).toEqual([
      { role: "system", content: "Be brief." },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: `data:image/png;base64,${tinyImageBase64("image/png")}` } },
          { type: "image_url", image_url: { url: `data:image/gif;base64,${tinyImageBase64("image/gif")}` } },
          { type: "text", text: "What is this?" },
        ],
      },
      { role: "assistant", content: "Two pixels." },
      { role: "user", content: "And now?" },
    ]);
  });

  test("no images: the body is the same JSON as before", () => {
    expect(JSON.stringify(openAIBody(request([{ role: "user", content: "Hi" }]), 100, "max_tokens"))).toBe(
      '{"model":"m","messages":[{"role":"user","content":"Hi"}],"max_tokens":100,"stream":true,"stream_options":{"include_usage":true}}',
    );
  });

  test("base64 of a view into a larger buffer is of the view's bytes only", () => {
    const big = new Uint8Array(100).fill(7);
    big.set(tinyImage("image/png"), 10);
    const view = big.subarray(10, 10 + tinyImage("image/png").length);
    const body = openAIBody(request([{ role: "user", content: "x", images: [{ mediaType: "image/png", data: view }] }]), 1, "max_tokens");
    expect(JSON.stringify(body)).toContain(`data:image/png;base64,${tinyImageBase64("image/png")}"`);
  });
});

describe("acceptsImages", () => {
  const config = loadConfig({ env: { ANTHROPIC_API_KEY: "k", OPENAI_API_KEY: "k", DEEPSEEK_API_KEY: "k", GROQ_API_KEY: "k" } });
  test.each([
    ["anthropic", true],
    ["openai", true],
    ["deepseek", false],
    ["groq", true],
    ["echo", true],
  ] as const)("%s: %p", (name, accepts) => {
    expect(createProvider(name, config).acceptsImages).toBe(accepts);
  });

  test("images = false in a table turns it off", () => {
    const own = loadConfig({ env: { ANTHROPIC_API_KEY: "k" } });
    own.providers.anthropic!.images = false;
    expect(createProvider("anthropic", own).acceptsImages).toBe(false);
  });
});
