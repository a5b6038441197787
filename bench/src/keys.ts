/** Fresh private JWKs for the benchmarked key types (generated per run, never written to disk). */
import {
  isRsaAlgorithm,
  type PrivateJwk,
  parsePrivateKeySet,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from '@idp-proxy/core'
import { exportJWK, generateKeyPair } from 'jose'

/** A signing algorithm's key; RSA keys are 2048-bit, and RS256 is named by its key size. */
export type KeyType = Exclude<SigningAlgorithm, 'RS256'> | 'RS256-2048' | 'RS256-4096'

/** One key type per signing algorithm (core's table). */
export const ALGORITHM_KEY_TYPES: readonly KeyType[] = SIGNING_ALGORITHMS.map((alg) =>
  alg === 'RS256' ? 'RS256-2048' : alg,
)

/** Every key type, with the seed's key size (RS256-4096). */
export const KEY_TYPES: readonly KeyType[] = [...ALGORITHM_KEY_TYPES, 'RS256-4096']

function specOf(type: KeyType): { alg: SigningAlgorithm; modulusLength?: number } {
  if (type === 'RS256-4096') return { alg: 'RS256', modulusLength: 4096 }
  const alg = type === 'RS256-2048' ? 'RS256' : type
  return isRsaAlgorithm(alg) ? { alg, modulusLength: 2048 } : { alg }
}

/** A validated private JWK (the shape core's key sources take) for `type`. */
export async function generatePrivateJwk(type: KeyType): Promise<PrivateJwk> {
  const spec = specOf(type)
  // jose names the Ed25519 key pair by its curve; the JWS algorithm stays EdDSA.
  const { privateKey } = await generateKeyPair(spec.alg === 'EdDSA' ? 'Ed25519' : spec.alg, {
    extractable: true,
    ...(spec.modulusLength ? { modulusLength: spec.modulusLength } : {}),
  })
  const jwk = { ...(await exportJWK(privateKey)), kid: `bench-${type}`, alg: spec.alg }
  return parsePrivateKeySet(jwk).keys[0] as PrivateJwk
}
