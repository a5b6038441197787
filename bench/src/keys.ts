/** Fresh private JWKs for the benchmarked key types (generated per run, never written to disk). */
import { type PrivateJwk, parsePrivateKeySet, type SigningAlgorithm } from '@idp-proxy/core'
import { exportJWK, generateKeyPair } from 'jose'

export type KeyType =
  | 'RS256-2048'
  | 'RS256-4096'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'

export const KEY_TYPES: readonly KeyType[] = [
  'RS256-2048',
  'RS256-4096',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]

// RSA keys are 2048-bit unless the name says otherwise.
const SPECS: Record<KeyType, { alg: SigningAlgorithm; modulusLength?: number }> = {
  'RS256-2048': { alg: 'RS256', modulusLength: 2048 },
  // The seed's key size.
  'RS256-4096': { alg: 'RS256', modulusLength: 4096 },
  RS384: { alg: 'RS384', modulusLength: 2048 },
  RS512: { alg: 'RS512', modulusLength: 2048 },
  PS256: { alg: 'PS256', modulusLength: 2048 },
  PS384: { alg: 'PS384', modulusLength: 2048 },
  PS512: { alg: 'PS512', modulusLength: 2048 },
  ES256: { alg: 'ES256' },
  ES384: { alg: 'ES384' },
  ES512: { alg: 'ES512' },
  EdDSA: { alg: 'EdDSA' },
}

/** A validated private JWK (the shape core's key sources take) for `type`. */
export async function generatePrivateJwk(type: KeyType): Promise<PrivateJwk> {
  const spec = SPECS[type]
  // jose names the Ed25519 key pair by its curve; the JWS algorithm stays EdDSA.
  const { privateKey } = await generateKeyPair(spec.alg === 'EdDSA' ? 'Ed25519' : spec.alg, {
    extractable: true,
    ...(spec.modulusLength ? { modulusLength: spec.modulusLength } : {}),
  })
  const jwk = { ...(await exportJWK(privateKey)), kid: `bench-${type}`, alg: spec.alg }
  return parsePrivateKeySet(jwk).keys[0] as PrivateJwk
}
