import { randomToken } from '../encoding.js'
import {
  decodeRecord,
  encodeRecord,
  type FlowKind,
  type FlowRecord,
  type FlowStore,
  storageKeySync,
} from './flow-store.js'

export interface MemoryStoreOptions {
  /**
   * Most sign-ins in progress (records saved at /authorize) held at once; when full, the oldest is
   * dropped first (its sign-in then fails as expired). Bounds memory under a flood of
   * unauthenticated /authorize requests. Default 10 000.
   */
  maxEntries?: number
  /**
   * Most issued codes (records saved at /callback) held at once, in their own bound: a flood of
   * new /authorize requests never evicts a code Cognito is about to redeem. Default 10 000.
   */
  maxCodes?: number
  /** Most access-token handles (records saved at /token for /userinfo) held at once. Default 10 000. */
  maxAccessTokens?: number
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

interface Entry {
  value: string
  expiresAt: number
}

interface Queue {
  keys: string[]
  head: number
}

function newQueue(): Queue {
  return { keys: [], head: 0 }
}

/**
 * An in-process store for one server (development, tests, a single Express instance). Records
 * do not survive a restart and are not shared between processes: use Redis or DynamoDB for more
 * than one instance. Each kind of record has its own map and bound (see docs/limits.md for the
 * memory this takes).
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): FlowStore {
  const bounds: Record<FlowKind, number> = {
    authorize: positive('maxEntries', options.maxEntries ?? 10_000),
    code: positive('maxCodes', options.maxCodes ?? 10_000),
    access: positive('maxAccessTokens', options.maxAccessTokens ?? 10_000),
  }
  const now = options.now ?? (() => Date.now())
  const maps: Record<FlowKind, Map<string, Entry>> = {
    authorize: new Map(),
    code: new Map(),
    access: new Map(),
  }
  // Keys in insertion order, oldest first, per kind. Not the Map's own order: iterating a Map from
  // its start walks every slot deleted since its last rehash, which made each sweep O(deleted)
  // under a steady flow (13 % of /authorize's CPU in a profile). A key taken early stays here as
  // a stale slot until the sweep reaches it or the queue is compacted.
  const queues: Record<FlowKind, Queue> = {
    authorize: newQueue(),
    code: newQueue(),
    access: newQueue(),
  }

  function sweep(kind: FlowKind, at: number): void {
    // Drops expired records from the oldest end, and the oldest live ones while full. Records of
    // one kind share one TTL, so the oldest expire first: a partial sweep, bounded work.
    const records = maps[kind]
    const queue = queues[kind]
    const max = bounds[kind]
    while (queue.head < queue.keys.length) {
      const key = queue.keys[queue.head] as string
      const entry = records.get(key)
      if (entry && records.size < max && entry.expiresAt > at) break
      if (entry) records.delete(key)
      queue.head++
    }
    // Stale slots (records taken) are bounded: compact once they outnumber the live records.
    if (queue.head > 1024 && queue.head * 2 > queue.keys.length) {
      queue.keys = queue.keys.slice(queue.head)
      queue.head = 0
    }
    if (queue.keys.length - queue.head > 2 * max + 1024) {
      queue.keys = queue.keys.slice(queue.head).filter((key) => records.has(key))
      queue.head = 0
    }
  }

  return {
    async save(record: FlowRecord, ttlSeconds: number): Promise<string> {
      const handle = randomToken()
      const key = storageKeySync(handle)
      const at = now()
      sweep(record.kind, at)
      maps[record.kind].set(key, { value: encodeRecord(record), expiresAt: at + ttlSeconds * 1000 })
      queues[record.kind].keys.push(key)
      return handle
    },
    async take(handle: string, kind: FlowKind): Promise<FlowRecord | undefined> {
      const key = storageKeySync(handle)
      // Only the map of the expected kind is looked at: a record of another kind stays put.
      const records = maps[kind]
      if (!records) return undefined
      const entry = records.get(key)
      if (!entry) return undefined
      // Delete before anything else awaits: JavaScript runs this synchronously, so of two
      // concurrent takes only the first finds the entry.
      records.delete(key)
      return entry.expiresAt > now() ? decodeRecord(entry.value) : undefined
    },
  }
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer`)
  }
  return value
}
