import { expect, test } from "bun:test";
import { displayWidth } from "../src/cli/fit-width.ts";
import { startSpinner } from "../src/cli/spinner.ts";

/** A terminal stream `columns` wide that keeps what is written to it. */
function terminal(columns: number | undefined): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY: true, columns, write: (text: string) => (written.push(text), true) };
  return { stream: stream as unknown as NodeJS.WriteStream, written };
}

test.each([
  ["wide enough: the whole label", 80, "\r⠋ waiting for the reply…"],
  ["exactly wide enough", 24, "\r⠋ waiting for the reply…"],
  ["narrow: the label cut to the window less the frame", 12, "\r⠋ waiting f…"],
  ["room for one column of label", 3, "\r⠋ …"],
  ["room for the frame only", 2, "\r⠋"],
  ["a size the terminal does not say: the whole label", undefined, "\r⠋ waiting for the reply…"],
])("%s", (_name, columns, drawn) => {
  const { stream, written } = terminal(columns);
  const stop = startSpinner("waiting for the reply…", stream);
  stop();
  expect(written).toEqual([drawn, "\r\x1b[K"]);
  if (columns !== undefined) expect(displayWidth(drawn.slice(1))).toBeLessThanOrEqual(columns);
});
