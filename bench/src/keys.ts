/** Fresh private JWKs for the benchmarked key types (generated per run, never written to disk). */
import { type PrivateJwk, parsePrivateKeySet } from '@idp-proxy/core'
import { exportJWK, generateKeyPair } from 'jose'

export type KeyType = 'RS256-2048' | 'RS256-4096' | 'PS256' | 'ES256'

export const KEY_TYPES: readonly KeyType[] = ['RS256-2048', 'RS256-4096', 'PS256', 'ES256']

const SPECS: Record<KeyType, { alg: 'RS256' | 'PS256' | 'ES256'; modulusLength?: number }> = {
  'RS256-2048': { alg: 'RS256', modulusLength: 2048 },
  // The seed's key size.
  'RS256-4096': { alg: 'RS256', modulusLength: 4096 },
  PS256: { alg: 'PS256', modulusLength: 2048 },
  ES256: { alg: 'ES256' },
}

/** A validated private JWK (the shape core's key sources take) for `type`. */
export async function generatePrivateJwk(type: KeyType): Promise<PrivateJwk> {
  const spec = SPECS[type]
  const { privateKey } = await generateKeyPair(spec.alg, {
    extractable: true,
    ...(spec.modulusLength ? { modulusLength: spec.modulusLength } : {}),
  })
  const jwk = { ...(await exportJWK(privateKey)), kid: `bench-${type}`, alg: spec.alg }
  return parsePrivateKeySet(jwk).keys[0] as PrivateJwk
}
