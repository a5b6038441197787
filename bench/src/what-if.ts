/**
 * Bench-only experiments that estimate proposed core fixes without editing core, by replacing
 * Web Crypto calls in the server process. Off unless BENCH_WHATIF lists them (comma-separated):
 * - `sync-digest`: SHA-256 `crypto.subtle.digest` answered by node:crypto's synchronous hash
 *   (stands for a synchronous SHA-256 in core, e.g. a small pure-JS one, for short inputs).
 * - `random-pool`: `crypto.getRandomValues` served from a 4 KB pool refilled when spent (stands
 *   for a pooled `randomToken` in core).
 * Never used for the recorded figures; BENCHMARKS.md reports what they changed.
 */
import { createHash, randomFillSync } from 'node:crypto'

export function applyWhatIf(list = process.env.BENCH_WHATIF ?? ''): string[] {
  const applied: string[] = []
  const wanted = new Set(list.split(',').filter(Boolean))
  if (wanted.has('sync-digest')) {
    const original = crypto.subtle.digest.bind(crypto.subtle)
    crypto.subtle.digest = (algorithm: AlgorithmIdentifier, data: BufferSource) => {
      const name = typeof algorithm === 'string' ? algorithm : algorithm.name
      if (name.toUpperCase() !== 'SHA-256') return original(algorithm, data)
      const bytes = ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data)
      const digest = createHash('sha256').update(bytes).digest()
      return Promise.resolve(
        digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength),
      )
    }
    applied.push('sync-digest')
  }
  if (wanted.has('random-pool')) {
    const pool = Buffer.alloc(4096)
    let offset = pool.length
    const original = crypto.getRandomValues.bind(crypto)
    crypto.getRandomValues = (<T extends ArrayBufferView | null>(array: T): T => {
      if (!(array instanceof Uint8Array) || array.byteLength > 256)
        return original(array as never) as T
      if (offset + array.byteLength > pool.length) {
        randomFillSync(pool)
        offset = 0
      }
      array.set(pool.subarray(offset, offset + array.byteLength))
      offset += array.byteLength
      return array
    }) as typeof crypto.getRandomValues
    applied.push('random-pool')
  }
  return applied
}
