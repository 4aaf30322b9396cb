import { performance } from 'node:perf_hooks';

export interface Measurement {
  name: string;
  operations: number;
  opsPerSecond: number;
  /** Median and 99th-percentile latency of one operation, in milliseconds. */
  p50: number;
  p99: number;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

/**
 * Runs `operation` `count` times, one at a time after `warmup` unmeasured runs, and reports
 * throughput and latency. Sequential on purpose: it measures round trips, not parallelism.
 */
export async function measure(
  name: string,
  count: number,
  operation: (i: number) => Promise<unknown>,
  warmup = Math.min(200, count),
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await operation(i);
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const before = performance.now();
    await operation(warmup + i);
    latencies.push(performance.now() - before);
  }
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    name,
    operations: count,
    opsPerSecond: Math.round((count / elapsed) * 1000),
    p50: Number(percentile(latencies, 0.5).toFixed(3)),
    p99: Number(percentile(latencies, 0.99).toFixed(3)),
  };
}

/** A Markdown table of measurements, each also as a ratio of the baseline's latency. */
export function markdownTable(baseline: Measurement, rows: Measurement[]): string {
  const lines = [
    '| operation | ops/s | p50 ms | p99 ms | p50 vs baseline |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const row of [baseline, ...rows]) {
    const ratio = row === baseline ? '1.00× (baseline)' : `${(row.p50 / baseline.p50).toFixed(2)}×`;
    lines.push(`| ${row.name} | ${row.opsPerSecond} | ${row.p50} | ${row.p99} | ${ratio} |`);
  }
  return lines.join('\n');
}
