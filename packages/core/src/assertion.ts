/**
 * Client assertions for private_key_jwt (RFC 7523 section 2.2, OIDC Core section 9).
 *
 * The JWS is assembled here and signed through the KeySource's `sign(data)`, so a key that never
 * leaves KMS signs the same way as an in-memory JWK.
 */
import { base64url } from 'jose'
import { randomToken, utf8 } from './encoding.js'
import type { Signer } from './keys/key-source.js'

export interface AssertionClaims {
  /** iss and sub: the client id. */
  clientId: string
  /** aud: the token endpoint or the issuer, one string (some IdPs refuse arrays). */
  audience: string
  /** Lifetime in seconds. */
  lifetimeSeconds: number
  /** Now, in ms since the epoch. */
  now: number
}

export async function signClientAssertion(
  signer: Signer,
  claims: AssertionClaims,
): Promise<string> {
  const iat = Math.floor(claims.now / 1000)
  const header = { ...signer.header, alg: signer.alg, kid: signer.kid, typ: 'JWT' }
  const payload = {
    iss: claims.clientId,
    sub: claims.clientId,
    aud: claims.audience,
    // A fresh jti on every assertion: strict IdPs refuse a replayed one.
    jti: randomToken(16),
    iat,
    nbf: iat,
    exp: iat + claims.lifetimeSeconds,
  }
  const input = `${encodeJson(header)}.${encodeJson(payload)}`
  const signature = await signer.sign(utf8(input))
  return `${input}.${base64url.encode(signature)}`
}

function encodeJson(value: unknown): string {
  return base64url.encode(JSON.stringify(value))
}
