import { stderrInfo } from "../tty.ts";

const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * A spinner on stderr while nothing has arrived yet, only when stderr is a terminal. Returns
 * the function that stops it and clears its line (safe to call more than once).
 */
export function startSpinner(label: string, given?: NodeJS.WriteStream): () => void {
  // process.stderr is made only for a terminal: making that stream costs start-up (stdout.ts).
  if (given === undefined ? !stderrInfo.isTTY : !given.isTTY) return () => {};
  const stream = given ?? process.stderr;
  let frame = 0;
  const draw = () => stream.write(`\r${frames[frame++ % frames.length]} ${label}`);
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
