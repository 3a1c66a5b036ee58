import { describe, expect, test } from "bun:test";
import { reasoningOutput, type ReasoningSink } from "../src/cli/reasoning-output.ts";

/** A sink that records what reaches stderr, with dimming shown as `<dim>…</dim>`. */
function recorder(): ReasoningSink & { written: string[] } {
  const written: string[] = [];
  return { written, write: (text) => void written.push(text), dim: (text) => `<dim>${text}</dim>` };
}

describe("reasoningOutput", () => {
  test("not wanted (stderr no terminal, or quiet): nothing is written, ever", () => {
    const sink = recorder();
    const output = reasoningOutput(false, sink);
    output.push("thinking");
    output.end();
    expect(sink.written).toEqual([]);
  });

  test("each piece dimmed as it comes; the end closes its line, once", () => {
    const sink = recorder();
    const output = reasoningOutput(true, sink);
    output.push("Let me ");
    output.push("think.");
    output.end();
    output.end();
    expect(sink.written).toEqual(["<dim>Let me </dim>", "<dim>think.</dim>", "\n"]);
  });

  test("reasoning that ends its own line gets no second newline", () => {
    const sink = recorder();
    const output = reasoningOutput(true, sink);
    output.push("Done thinking.\n");
    output.end();
    expect(sink.written).toEqual(["<dim>Done thinking.\n</dim>"]);
  });

  test("no reasoning, no newline: a model that does not think leaves the screen as it was", () => {
    const sink = recorder();
    const output = reasoningOutput(true, sink);
    output.end();
    expect(sink.written).toEqual([]);
  });

  test("control characters are shown, never obeyed, even split across pieces; a CR at the end is flushed visible", () => {
    const sink = recorder();
    const output = reasoningOutput(true, sink);
    for (const piece of ["a\x1b", "]0;PWNED\x07b\r", "\nc\u202e\r"]) output.push(piece);
    output.end();
    expect(sink.written.join("")).toBe("<dim>a\\x1b</dim><dim>]0;PWNED\\x07b</dim><dim>\r\nc\\u202e</dim><dim>\\x0d</dim>\n");
  });

  test("pieces after the end (once the reply has begun) are not shown: they would break into the reply", () => {
    const sink = recorder();
    const output = reasoningOutput(true, sink);
    output.push("before");
    output.end();
    output.push("after");
    expect(sink.written).toEqual(["<dim>before</dim>", "\n"]);
  });
});
