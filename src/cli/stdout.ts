/**
 * stdout for answers and JSON. When the reader goes away (`synapse … | head -1`), writing stops
 * quietly instead of failing: the command still finishes its work, a reply is still stored.
 */
let closed = false;

export function writeOut(text: string): void {
  if (closed) return;
  try {
    process.stdout.write(text);
  } catch (error) {
    if (!isClosedPipe(error)) throw error;
    closed = true;
  }
}

/** Also for the asynchronous form of the same failure. */
export function watchStdout(): void {
  process.stdout.on("error", (error) => {
    if (!isClosedPipe(error)) throw error;
    closed = true;
  });
}

function isClosedPipe(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED";
}
