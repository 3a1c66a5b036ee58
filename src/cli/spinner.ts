import { stderrInfo, terminalSize } from "../tty.ts";
import { fitWidth } from "./fit-width.ts";

const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** A frame and the space after it. */
const frameWidth = 2;

/**
 * A spinner on stderr while nothing has arrived yet, only when stderr is a terminal. Returns
 * the function that stops it and clears its line (safe to call more than once).
 */
export function startSpinner(label: string, given?: NodeJS.WriteStream): () => void {
  // process.stderr is made only for a terminal: making that stream costs start-up (stdout.ts).
  if (given === undefined ? !stderrInfo.isTTY : !given.isTTY) return () => {};
  const stream = given ?? process.stderr;
  let frame = 0;
  const draw = () => stream.write(`\r${frames[frame++ % frames.length]}${shown(label, given === undefined ? terminalSize(2)?.columns : given.columns)}`);
  draw();
  const timer = setInterval(draw, 80);
  timer.unref();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    stream.write("\r\x1b[K");
  };
}

/**
 * The label after the frame, cut to the window: a spinner line that wrapped would stay on the
 * screen, since `\r\x1b[K` clears only the row the cursor is on. Measured at every frame, so a
 * window made narrower meanwhile is followed.
 */
function shown(label: string, columns: number | undefined): string {
  if (columns === undefined || columns <= 0) return ` ${label}`;
  if (columns < frameWidth + 1) return "";
  return ` ${fitWidth(label, columns - frameWidth)}`;
}
