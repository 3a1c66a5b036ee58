/**
 * The Markdown renderer a reply streams through on a terminal (src/cli/markdown-stream.ts): a
 * long reply (the recorded one, repeated to about 1 MB) arriving in 10-byte pieces, as a fast
 * model's stream does. Prints the throughput (MB/s) and the delay each piece spends in the
 * renderer before it can be written (median, 99th percentile and worst), on a terminal 80 × 40
 * (the arriving block shown, then replaced) and into a pipe (`render = "always"`).
 */
import { MarkdownStream } from "../src/cli/markdown-stream.ts";
import { recordedReply } from "../test/_markdown-reply.ts";
import { median, report } from "./_report.ts";

const pieceBytes = 10;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! * 1000) / 1000;
}

function run(reply: string, live: boolean): { totalMs: number; delays: number[] } {
  const stream = new MarkdownStream({ columns: () => 80, rows: live ? () => 40 : null, colors: true });
  const delays: number[] = [];
  const start = Bun.nanoseconds();
  for (let at = 0; at < reply.length; at += pieceBytes) {
    const before = Bun.nanoseconds();
    stream.push(reply.slice(at, at + pieceBytes));
    delays.push((Bun.nanoseconds() - before) / 1e6);
  }
  stream.end();
  return { totalMs: (Bun.nanoseconds() - start) / 1e6, delays };
}

export default async function (): Promise<void> {
  const reply = recordedReply.repeat(Math.ceil(1_000_000 / recordedReply.length));
  const megabytes = Buffer.byteLength(reply) / 1e6;
  for (const live of [true, false]) {
    // One unmeasured pass, so the figures are of the renderer, not of its first compilation.
    run(reply, live);
    const runs = [run(reply, live), run(reply, live), run(reply, live)];
    const best = runs.reduce((a, b) => (a.totalMs <= b.totalMs ? a : b));
    const delays = runs.flatMap((r) => r.delays);
    report({
      name: live ? "render_stream_terminal" : "render_stream_pipe",
      median_ms: median(runs.map((r) => r.totalMs)),
      mb_per_s: Math.round((megabytes / (best.totalMs / 1000)) * 10) / 10,
      reply_mb: Math.round(megabytes * 100) / 100,
      piece_bytes: pieceBytes,
      piece_delay_median_ms: median(delays),
      piece_delay_p99_ms: percentile(delays, 0.99),
      piece_delay_worst_ms: Math.round(Math.max(...delays) * 1000) / 1000,
      runs: runs.length,
    });
  }
}
