/**
 * A progress bar on stderr, redrawn in place, only on a terminal; returns the function that
 * draws a step and the one that clears it.
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const width = 30;
  let last = 0;
  return {
    step(done: number, total: number): void {
      if (!stream.isTTY) return;
      const now = Date.now();
      // At most every 50 ms, and always at the end: drawing is slower than copying a session.
      if (done < total && now - last < 50) return;
      last = now;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      stream.write(`\r${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`);
    },
    clear(): void {
      if (stream.isTTY) stream.write("\r\x1b[K");
    },
  };
}
