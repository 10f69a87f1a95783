/** Latency statistics for the benchmarks (milliseconds, nearest-rank percentiles). */
export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    n: sorted.length,
    mean: total / sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Runs `work` `warmup` times untimed, then `runs` times one after another; returns the timings. */
export async function timeSerial(work: () => Promise<unknown>, { runs, warmup }: { runs: number; warmup: number }): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await work();
  const samples = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    samples[i] = performance.now() - started;
  }
  return summarize(samples);
}

export const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
export const ratio = (value: number) => (value >= 10 ? value.toFixed(0) : value.toFixed(1)) + "x";
