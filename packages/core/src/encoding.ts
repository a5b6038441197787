import { base64url } from 'jose'

const encoder = new TextEncoder()

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text)
}

/** `n` bytes from the platform CSPRNG, base64url-encoded (no padding). */
export function randomToken(bytes = 32): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)))
}

/** base64url(SHA-256(text)). */
export async function sha256Base64url(text: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(text))))
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
