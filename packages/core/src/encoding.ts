import { sha256 } from '@noble/hashes/sha2.js'

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
  return base64urlEncode(randomView(bytes))
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * base64url without padding, for the short values core encodes per request (tokens, hashes):
 * a table lookup beats jose's btoa path (a binary string, then two replaces) several times over.
 */
export function base64urlEncode(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)
    out +=
      ALPHABET.charAt(n >>> 18) +
      ALPHABET.charAt((n >>> 12) & 63) +
      ALPHABET.charAt((n >>> 6) & 63) +
      ALPHABET.charAt(n & 63)
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = (bytes[i] as number) << 16
    out += ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63)
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8)
    out +=
      ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63) + ALPHABET.charAt((n >>> 6) & 63)
  }
  return out
}

/**
 * base64url(SHA-256(text)), synchronously: for short inputs (handles, PKCE verifiers) a pure-JS
 * hash takes about a microsecond, where Web Crypto's digest is a thread-pool round trip on Node.
 */
export function sha256Base64url(text: string): string {
  if (text.length > SCRATCH_CHARS) return base64urlEncode(sha256(utf8(text)))
  // Encoded into a reused buffer: `encode` allocates per call and cost more than the hash's
  // input handling (a handle and a verifier are hashed per /authorize). Three bytes per UTF-16
  // unit always fit, and the hash has read the bytes before the next call reuses them.
  const { written } = encoder.encodeInto(text, scratch)
  return base64urlEncode(sha256(scratch.subarray(0, written)))
}

const SCRATCH_CHARS = 256
const scratch = new Uint8Array(3 * SCRATCH_CHARS)

// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, on purpose
const NON_ASCII = /[^\u0000-\u007f]/

/** The UTF-8 length of `text` in bytes, without encoding it (lone surrogates count 3, as U+FFFD). */
export function utf8ByteLength(text: string): number {
  // Most values (every URL's query string) are ASCII: one native scan answers them.
  if (!NON_ASCII.test(text)) return text.length
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    if (code < 0x800) bytes += 1
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      // A surrogate pair: 2 UTF-16 units, 4 bytes.
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 2
        i++
      } else bytes += 2
    } else bytes += 2
  }
  return bytes
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
