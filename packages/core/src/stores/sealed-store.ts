/**
 * A store with no server-side state: the handle is the record itself, encrypted and
 * authenticated (JWE, `dir` + A256GCM) with a key only the proxy holds, its expiry inside.
 *
 * Trade-offs, documented for operators:
 * - No one-time guarantee: a sealed handle can be replayed until it expires. The IdP's own
 *   one-time authorization code is the backstop at /token, and the TTLs are short.
 * - Handles are longer than random ones because they carry the record. The `state` sent to the
 *   IdP is about 4/3 × (length of Cognito's state + its redirect_uri + 160) + 80 characters
 *   (the nonce the proxy adds takes 50 of those);
 *   some IdPs cap `state`, so prefer a server-side store there.
 */
import { base64url, CompactEncrypt, compactDecrypt } from 'jose'
import { utf8 } from '../encoding.js'
import type { DpopPrivateJwk } from '../fapi/dpop.js'
import type { FlowKind, FlowRecord, FlowStore } from './flow-store.js'
import { isFlowRecord, isPlausibleHandle } from './flow-store.js'

export interface SealedStoreOptions {
  /**
   * 256-bit keys (32 bytes, or their base64url form). The first seals; all are tried when
   * opening, so a new key can be put first while handles sealed with the old one drain.
   */
  keys: ReadonlyArray<Uint8Array | string>
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

// Short field names keep the handle (and so the `state` the IdP sees) compact.
// `d` is the sign-in's DPoP key (DPoP on); `x` records hold the IdP's access token for /userinfo.
type Sealed =
  | { k: 'a'; s: string; r: string; v: string; n?: string; d?: DpopPrivateJwk; e: number }
  | { k: 'c'; c: string; r: string; v: string; n?: string; d?: DpopPrivateJwk; e: number }
  | {
      k: 'x'
      t: string
      b: 'dpop' | 'bearer'
      u: string
      m: Record<string, unknown>
      d?: DpopPrivateJwk
      e: number
    }

const decoder = new TextDecoder()
const KIND_TAGS: Record<FlowKind, Sealed['k']> = { authorize: 'a', code: 'c', access: 'x' }

export function createSealedStore(options: SealedStoreOptions): FlowStore {
  if (!Array.isArray(options.keys) || options.keys.length === 0) {
    throw new RangeError('sealed store: at least one key is required')
  }
  const keys = options.keys.map(toKeyBytes)
  const now = options.now ?? (() => Date.now())
  const sealKey = keys[0] as Uint8Array

  return {
    async save(record: FlowRecord, ttlSeconds: number): Promise<string> {
      const e = Math.floor(now() / 1000) + ttlSeconds
      const sealed = toSealed(record, e)
      return new CompactEncrypt(utf8(JSON.stringify(sealed)))
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .encrypt(sealKey)
    },
    async take(handle: string, kind: FlowKind): Promise<FlowRecord | undefined> {
      if (!isPlausibleHandle(handle, 16_384)) return undefined
      const sealed = await open(handle, keys)
      if (!sealed || sealed.e * 1000 <= now()) return undefined
      // The kind is inside the sealed record: a handle presented at the wrong route is refused.
      if (sealed.k !== KIND_TAGS[kind]) return undefined
      const record = fromSealed(sealed)
      // The same shape check as every other store's (a sealed record is ours, but old keys live on).
      return isFlowRecord(record) ? record : undefined
    },
  }
}

function toSealed(record: FlowRecord, e: number): Sealed {
  const d = record.dpopKey === undefined ? {} : { d: record.dpopKey }
  if (record.kind === 'access') {
    const { accessToken: t, tokenType: b, sub: u, claims: m } = record
    return { k: 'x', t, b, u, m, ...d, e }
  }
  const n = record.nonce === undefined ? {} : { n: record.nonce }
  return record.kind === 'authorize'
    ? { k: 'a', s: record.state, r: record.redirectUri, v: record.verifier, ...n, ...d, e }
    : { k: 'c', c: record.code, r: record.redirectUri, v: record.verifier, ...n, ...d, e }
}

function fromSealed(sealed: Sealed): FlowRecord {
  const d = sealed.d === undefined ? {} : { dpopKey: sealed.d }
  if (sealed.k === 'x') {
    const { t, b, u, m } = sealed
    return { kind: 'access', accessToken: t, tokenType: b, sub: u, claims: m, ...d }
  }
  const n = typeof sealed.n === 'string' ? { nonce: sealed.n } : {}
  return sealed.k === 'a'
    ? { kind: 'authorize', state: sealed.s, redirectUri: sealed.r, verifier: sealed.v, ...n, ...d }
    : { kind: 'code', code: sealed.c, redirectUri: sealed.r, verifier: sealed.v, ...n, ...d }
}

async function open(handle: string, keys: Uint8Array[]): Promise<Sealed | undefined> {
  for (const key of keys) {
    try {
      const { plaintext } = await compactDecrypt(handle, key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      })
      const value = JSON.parse(decoder.decode(plaintext)) as Sealed
      return typeof value.e === 'number' && (value.k === 'a' || value.k === 'c' || value.k === 'x')
        ? value
        : undefined
    } catch {
      // Wrong key or tampered handle: try the next key; none left means "not found".
    }
  }
  return undefined
}

function toKeyBytes(key: Uint8Array | string, index: number): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = typeof key === 'string' ? base64url.decode(key) : key
  } catch {
    throw new RangeError(`sealed store: key ${index} is not base64url`)
  }
  if (bytes.length !== 32) {
    throw new RangeError(
      `sealed store: key ${index} must be 32 bytes (256 bits), got ${bytes.length}`,
    )
  }
  return bytes
}

/** A fresh random sealing key, base64url-encoded (for `SEALING_KEYS`). */
export function generateSealingKey(): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(32)))
}
