/** A new signing key pair, exported as the private JWK form (jose's generateKeyPair). */
import {
  invalidOption,
  isSigningAlgorithm,
  type PrivateJwk,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from '@idp-proxy/core'
import { exportJWK, generateKeyPair } from 'jose'
import { isRsaAlgorithm, toPrivateJwk } from './jwk-form.js'

export const DEFAULT_ALGORITHM: SigningAlgorithm = 'RS256'
export const DEFAULT_RSA_BITS = 2048
export const MIN_RSA_BITS = 2048
export const MAX_RSA_BITS = 8192

export interface GenerateOptions {
  /** RS256 (default), PS256, ES256, or any other algorithm core signs with. */
  alg?: string
  /** RSA modulus size (default 2048; 2048 to 8192, a multiple of 8). RSA only. */
  bits?: number
  /** Default: the RFC 7638 thumbprint of the new public key. */
  kid?: string
}

export function checkAlgorithm(alg: unknown, option = 'alg'): SigningAlgorithm {
  if (!isSigningAlgorithm(alg)) {
    throw invalidOption(
      option,
      `${JSON.stringify(alg)} is not supported; use one of ${SIGNING_ALGORITHMS.join(', ')}`,
    )
  }
  return alg
}

export function checkBits(bits: unknown, option = 'bits'): number {
  if (
    typeof bits !== 'number' ||
    !Number.isInteger(bits) ||
    bits < MIN_RSA_BITS ||
    bits > MAX_RSA_BITS ||
    bits % 8 !== 0
  ) {
    throw invalidOption(
      option,
      `must be a whole number of bits from ${MIN_RSA_BITS} to ${MAX_RSA_BITS}, e.g. 2048 or 4096`,
    )
  }
  return bits
}

/** Generates a key pair and returns its private JWK (with `kid`, `use: "sig"` and `alg`). */
export async function generateKey(options: GenerateOptions = {}): Promise<PrivateJwk> {
  const alg = checkAlgorithm(options.alg ?? DEFAULT_ALGORITHM)
  const rsa = isRsaAlgorithm(alg)
  if (!rsa && options.bits !== undefined)
    throw invalidOption('bits', `applies to RSA keys only, not ${alg}`)
  const bits = rsa ? checkBits(options.bits ?? DEFAULT_RSA_BITS) : undefined
  // Extractable only long enough to export it once; the proxy re-imports it non-extractable.
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(bits ? { modulusLength: bits } : {}),
  })
  const members = await exportJWK(privateKey)
  return toPrivateJwk(members, { alg, ...(options.kid === undefined ? {} : { kid: options.kid }) })
}
