/**
 * PKCE (RFC 7636) S256 pieces, synchronous: the verifier is 32 CSPRNG bytes base64url-encoded
 * (43 characters, as oauth4webapi's generateRandomCodeVerifier), the challenge
 * base64url(SHA-256(verifier)). Same values as oauth4webapi's, without two Web Crypto round trips.
 */
import { randomToken, sha256Base64url } from './encoding.js'

export function generateCodeVerifier(): string {
  return randomToken(32)
}

export function codeChallengeS256(verifier: string): string {
  return sha256Base64url(verifier)
}

/** A fresh OpenID Connect nonce (32 random bytes, as oauth4webapi's generateRandomNonce). */
export function generateNonce(): string {
  return randomToken(32)
}
