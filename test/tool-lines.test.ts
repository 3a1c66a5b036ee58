import { describe, expect, test } from "bun:test";
import { toolAnswerOf, toolCallLine, toolQuestion, toolResultLine } from "../src/cli/tool-lines.ts";
import type { ToolInfo } from "../src/tools/index.ts";

const call = { id: "c", name: "toggle-simulated-logging", arguments: { reason: "a rather long reason \u001b[2J that goes on" } };
const tool: ToolInfo = { name: call.name, description: "", inputSchema: {}, server: "everything", tool: call.name, readOnly: false };

describe("the tool loop's lines", () => {
  test.each([40, 80, 120])("at %d columns, the question and every line fit on one line, control characters shown", (columns) => {
    for (const line of [toolQuestion(call, tool, columns), toolCallLine(call, columns), toolResultLine(call, { text: "done\nsecond line", isError: false }, columns)]) {
      expect(Bun.stringWidth(line)).toBeLessThanOrEqual(columns);
      expect(line).not.toContain("\u001b");
      expect(line).not.toContain("\n");
    }
    expect(toolQuestion(call, tool, columns)).toEndWith(columns < 70 ? "? [y/n/a]: " : "? [y]es, [n]o, [a]lways in this session: ");
  });

  test("answers: y, n, a and their words, in any case; anything else asks again", () => {
    expect(["y", "YES", " n ", "No", "a", "Always", "x", ""].map(toolAnswerOf)).toEqual(["yes", "yes", "no", "no", "always", "always", null, null]);
  });
});
