import { randomToken } from '../encoding.js'
import {
  decodeRecord,
  encodeRecord,
  type FlowRecord,
  type FlowStore,
  storageKey,
} from './flow-store.js'

export interface MemoryStoreOptions {
  /**
   * Most records held at once; when full, the oldest record is dropped first (its sign-in then
   * fails as expired). Bounds memory under a flood of /authorize requests. Default 10 000.
   */
  maxEntries?: number
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

/**
 * An in-process store for one server (development, tests, a single Express instance). Records
 * do not survive a restart and are not shared between processes: use Redis or DynamoDB for more
 * than one instance.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): FlowStore {
  const maxEntries = options.maxEntries ?? 10_000
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError('maxEntries must be a positive integer')
  }
  const now = options.now ?? (() => Date.now())
  // Map keeps insertion order, so the first key is always the oldest record.
  const records = new Map<string, { value: string; expiresAt: number }>()

  function sweep(at: number): void {
    // Drops expired records from the oldest end, and the oldest live ones while full. Records
    // have different TTLs, so this stops at the first live one: a partial sweep, bounded work.
    for (const [key, entry] of records) {
      if (records.size < maxEntries && entry.expiresAt > at) break
      records.delete(key)
    }
  }

  return {
    async save(record: FlowRecord, ttlSeconds: number): Promise<string> {
      const handle = randomToken()
      const at = now()
      sweep(at)
      records.set(await storageKey(handle), {
        value: encodeRecord(record),
        expiresAt: at + ttlSeconds * 1000,
      })
      return handle
    },
    async take(handle: string): Promise<FlowRecord | undefined> {
      const key = await storageKey(handle)
      const entry = records.get(key)
      if (!entry) return undefined
      // Delete before anything else awaits: JavaScript runs this synchronously, so of two
      // concurrent takes only the first finds the entry.
      records.delete(key)
      return entry.expiresAt > now() ? decodeRecord(entry.value) : undefined
    },
  }
}
