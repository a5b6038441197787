/**
 * A FlowStore on Redis (node-redis v5), for several proxy instances sharing flows.
 *
 * - Keys are `prefix + SHA-256(handle)`: a dump of the database holds no usable handle.
 * - `SET key value EX ttl NX`: Redis drops the record after its TTL.
 * - `take` is one Lua script (GET, check the record's kind, DEL): Redis runs a script atomically,
 *   so of two concurrent takes exactly one gets the record, and a take of the wrong kind (a code
 *   handle sent as `state` to /callback) leaves the record where it is. A script touches one key,
 *   so it runs unchanged on a Redis Cluster (node-redis `createCluster`).
 * - The expiry is also stored in the value and checked on read, so a record is never used late
 *   whatever Redis's own expiry lag, and tests can move the clock.
 * - While Redis is down every command fails at once (no offline queue), and a command without an
 *   answer fails after a timeout (a frozen server, a half-open connection): core answers 503 and
 *   the client reconnects in the background.
 */
import { randomBytes } from 'node:crypto'
import {
  decodeRecord,
  encodeRecord,
  type FlowKind,
  type FlowRecord,
  type FlowStore,
  invalidOption,
  type Logger,
  storageKey,
} from '@idp-proxy/core'
import { createClient } from 'redis'

/** The two commands the store uses; any node-redis v5 client (or cluster client) has them. */
export interface RedisCommands {
  set(
    key: string,
    value: string,
    options: { expiration: { type: 'EX'; value: number }; condition: 'NX' },
  ): Promise<unknown>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

/**
 * GET, and DEL only when the stored kind is the expected one (values written before the kind was
 * stored have none and are taken as before; core checks the kind inside the record too).
 */
export const TAKE_SCRIPT = `local v = redis.call('GET', KEYS[1])
if not v then return false end
local ok, d = pcall(cjson.decode, v)
if ok and type(d) == 'table' and d.k ~= nil and d.k ~= ARGV[1] then return false end
redis.call('DEL', KEYS[1])
return v`

export interface RedisFlowStoreOptions {
  /**
   * `redis://` or `rediss://` URL (with credentials and database if needed). The store creates the
   * client with the settings below, owns it, and closes it in `close()`.
   */
  url?: string
  /**
   * A client you created instead of `url`: you connect it, listen to its `'error'` events and close
   * it. Create it with `disableOfflineQueue: true` (or a command timeout), or requests wait for
   * Redis instead of failing fast while it is down.
   */
  client?: RedisCommands
  /** Prefix of every key. Default `idp-proxy:flow:`. */
  keyPrefix?: string
  /**
   * Fail a command that has no answer after this many ms (node-redis's own timeout only covers
   * commands not yet sent). Default 2 000.
   */
  commandTimeoutMs?: number
  /** With `url`: time to establish a connection, in ms. Default 5 000. */
  connectTimeoutMs?: number
  /** Connection events (`redis_error`, `redis_ready`) go here. Never a key or a value. */
  logger?: Logger
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

interface StoredValue {
  /** The record's kind, which the take script checks. */
  k: FlowKind
  /** The record, as core encodes it. */
  r: string
  /** Expiry, ms since the epoch. */
  e: number
}

type OwnedClient = ReturnType<typeof createClient>

export const DEFAULT_KEY_PREFIX = 'idp-proxy:flow:'

export class RedisFlowStore implements FlowStore {
  readonly keyPrefix: string
  readonly #commands: RedisCommands
  readonly #owned: OwnedClient | undefined
  readonly #now: () => number
  readonly #timeoutMs: number
  #connecting: Promise<void> | undefined

  constructor(options: RedisFlowStoreOptions) {
    if ((options.url === undefined) === (options.client === undefined)) {
      throw invalidOption('url', 'give either a Redis url or a client')
    }
    this.keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX
    this.#now = options.now ?? (() => Date.now())
    this.#timeoutMs = options.commandTimeoutMs ?? 2_000
    if (!Number.isInteger(this.#timeoutMs) || this.#timeoutMs < 1) {
      throw invalidOption('commandTimeoutMs', 'must be a positive whole number')
    }
    if (options.client) {
      this.#commands = options.client
      this.#owned = undefined
    } else {
      this.#owned = createOwnedClient(options.url as string, options)
      this.#commands = this.#owned as unknown as RedisCommands
    }
  }

  /**
   * Connects the store's own client (with `url`); a no-op with a client you passed. Resolves on the
   * first successful connection; retries until then. Callers that must not wait forever race it
   * with a timer and `close()` on giving up.
   */
  connect(): Promise<void> {
    if (!this.#owned) return Promise.resolve()
    this.#connecting ??= this.#owned.connect().then(() => undefined)
    return this.#connecting
  }

  /** Closes the store's own client (pending commands finish first when connected). */
  async close(): Promise<void> {
    const client = this.#owned
    if (!client?.isOpen) return
    if (client.isReady) {
      // close() waits for pending replies: a frozen server would make it wait forever.
      await withTimeout(client.close(), this.#timeoutMs).catch(() => client.destroy())
    } else {
      client.destroy()
    }
  }

  async save(record: FlowRecord, ttlSeconds: number): Promise<string> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new RangeError('ttlSeconds must be a positive whole number')
    }
    const handle = randomBytes(32).toString('base64url')
    const value: StoredValue = {
      k: record.kind,
      r: encodeRecord(record),
      e: this.#now() + ttlSeconds * 1000,
    }
    const key = await this.#key(handle)
    const reply = await withTimeout(
      this.#commands.set(key, JSON.stringify(value), {
        expiration: { type: 'EX', value: ttlSeconds },
        condition: 'NX',
      }),
      this.#timeoutMs,
    )
    // NX refused: a 256-bit collision, or a bug. Never overwrite someone else's flow.
    if (reply !== 'OK') throw new Error('redis refused to store the flow')
    return handle
  }

  async take(handle: string, kind: FlowKind): Promise<FlowRecord | undefined> {
    const text = await withTimeout(
      this.#commands.eval(TAKE_SCRIPT, { keys: [await this.#key(handle)], arguments: [kind] }),
      this.#timeoutMs,
    )
    if (typeof text !== 'string') return undefined
    let value: Partial<StoredValue>
    try {
      value = JSON.parse(text) as Partial<StoredValue>
    } catch {
      return undefined
    }
    if (typeof value.e !== 'number' || typeof value.r !== 'string') return undefined
    return value.e > this.#now() ? decodeRecord(value.r) : undefined
  }

  async #key(handle: string): Promise<string> {
    return this.keyPrefix + (await storageKey(handle))
  }
}

function createOwnedClient(url: string, options: RedisFlowStoreOptions): OwnedClient {
  if (!/^rediss?:\/\//i.test(url))
    throw invalidOption('url', 'must start with redis:// or rediss://')
  const logger = options.logger
  const client = createClient({
    url,
    // Fail fast while disconnected: the proxy answers 503 instead of holding requests.
    disableOfflineQueue: true,
    // Bounds what piles up while a frozen server does not answer (each request adds one command).
    commandsQueueMaxLength: 10_000,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      // Keep trying for as long as the process lives, backing off to one attempt a second.
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1_000),
    },
  })
  // Without an 'error' listener a dropped connection would crash the process.
  let down = false
  client.on('error', (error: Error & { code?: string }) => {
    if (down) return
    down = true
    logger?.log('error', 'redis_error', { message: error.message, code: error.code })
  })
  client.on('ready', () => {
    down = false
    logger?.log('info', 'redis_ready', {})
  })
  return client
}

/** Rejects when `promise` has not settled after `ms`; the command itself is left to finish. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
