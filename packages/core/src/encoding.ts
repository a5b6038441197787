import { sha256 } from '@noble/hashes/sha2.js'
import { base64url } from 'jose'

const encoder = new TextEncoder()

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text)
}

// CSPRNG bytes are drawn from a 4 KiB pool refilled by one getRandomValues call: each call costs
// a few microseconds whatever its size, and /authorize needs four small pieces. Every byte is
// handed out once and the pool is refilled, never reused.
const POOL_SIZE = 4096
const pool = new Uint8Array(POOL_SIZE)
let poolOffset = POOL_SIZE

/** `n` fresh bytes from the platform CSPRNG; a view valid until the next call, so copy to keep. */
function randomView(bytes: number): Uint8Array {
  if (bytes > POOL_SIZE) return crypto.getRandomValues(new Uint8Array(bytes))
  if (poolOffset + bytes > POOL_SIZE) {
    crypto.getRandomValues(pool)
    poolOffset = 0
  }
  const view = pool.subarray(poolOffset, poolOffset + bytes)
  poolOffset += bytes
  return view
}

/** `n` bytes from the platform CSPRNG, base64url-encoded (no padding). */
export function randomToken(bytes = 32): string {
  return base64url.encode(randomView(bytes))
}

/**
 * base64url(SHA-256(text)), synchronously: for short inputs (handles, PKCE verifiers) a pure-JS
 * hash takes about a microsecond, where Web Crypto's digest is a thread-pool round trip on Node.
 */
export function sha256Base64url(text: string): string {
  return base64url.encode(sha256(utf8(text)))
}

/**
 * Compares a presented secret with the expected one in time that depends only on the presented
 * value's length, never on where the two differ or on the expected value. Synchronous on
 * purpose: Web Crypto digests are a thread-pool round trip each on Node.
 */
export function timingSafeEqual(presented: string, expected: string): boolean {
  const a = utf8(presented)
  const b = utf8(expected)
  if (b.length === 0) return false
  let diff = a.length ^ b.length
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i % b.length] as number)
  return diff === 0
}
