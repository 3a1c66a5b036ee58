/** One benchmark figure, printed as one JSON line on stdout. */
export interface BenchResult {
  name: string;
  median_ms: number;
  [detail: string]: unknown;
}

export function report(result: BenchResult): void {
  process.stdout.write(JSON.stringify(result) + "\n");
}

/** Runs `fn` `runs` times after `warmup` unmeasured runs; returns every duration in ms. */
export async function timeRuns(runs: number, fn: () => unknown, warmup = 3): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = Bun.nanoseconds();
    await fn();
    times.push((Bun.nanoseconds() - start) / 1e6);
  }
  return times;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const value = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.round(value * 1000) / 1000;
}
