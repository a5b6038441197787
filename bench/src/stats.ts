/** Small statistics over latency samples (ms) and durations: no histogram library, exact ranks. */

export interface LatencySummary {
  count: number
  p50: number
  p99: number
  mean: number
}

/** The value at rank `p` (0..100) of ascending `sorted`, nearest-rank method. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.ceil((p / 100) * sorted.length) - 1
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b)
  const sum = sorted.reduce((total, value) => total + value, 0)
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  }
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  )
}

/** Milliseconds since `start` (a `process.hrtime.bigint()` reading). */
export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** Runs `operation` back to back for `durationMs` (after `warmupMs`), returning ops/s and latencies. */
export async function timeLoop(
  operation: () => Promise<unknown>,
  options: { durationMs: number; warmupMs?: number },
): Promise<{ opsPerSecond: number; latency: LatencySummary }> {
  const warmupEnd = Date.now() + (options.warmupMs ?? 0)
  while (Date.now() < warmupEnd) await operation()
  const samples: number[] = []
  const start = process.hrtime.bigint()
  const end = Date.now() + options.durationMs
  while (Date.now() < end) {
    const t = process.hrtime.bigint()
    await operation()
    samples.push(elapsedMs(t))
  }
  const total = elapsedMs(start)
  return { opsPerSecond: (samples.length / total) * 1000, latency: summarize(samples) }
}

/** A ratio measured in `n` interleaved pairs: its median and its spread (lowest, highest). */
export interface RatioSummary {
  median: number
  min: number
  max: number
  n: number
}

export function ratioSummary(ratios: readonly number[]): RatioSummary {
  return {
    median: median(ratios),
    min: Math.min(...ratios),
    max: Math.max(...ratios),
    n: ratios.length,
  }
}
