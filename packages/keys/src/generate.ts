/** A new key pair (signing or encryption), exported as the private JWK form (jose's generateKeyPair). */
import {
  ENCRYPTION_CURVES,
  type EncryptionCurve,
  invalidOption,
  isSigningAlgorithm,
  KEY_MANAGEMENT_ALGORITHMS,
  type KeyManagementAlgorithm,
  type PrivateEncryptionJwk,
  type PrivateJwk,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from '@idp-proxy/core'
import { exportJWK, generateKeyPair } from 'jose'
import { isRsaAlgorithm, type KeyUse, toPrivateJwk } from './jwk-form.js'

export const DEFAULT_ALGORITHM: SigningAlgorithm = 'RS256'
/** The encryption key a FAPI 2.0 IdP (Singpass) expects by default: ECDH-ES+A256KW on P-256. */
export const DEFAULT_ENCRYPTION_ALGORITHM: KeyManagementAlgorithm = 'ECDH-ES+A256KW'
export const DEFAULT_ENCRYPTION_CURVE: EncryptionCurve = 'P-256'
export const DEFAULT_RSA_BITS = 2048
export const MIN_RSA_BITS = 2048
export const MAX_RSA_BITS = 8192

export interface GenerateOptions {
  /** `sig` (default): a signing key; `enc`: an encryption key IdPs encrypt ID tokens to. */
  use?: KeyUse
  /**
   * Signing: RS256 (default), PS256, ES256, EdDSA, or any other algorithm core signs with.
   * Encryption: ECDH-ES+A256KW (default), ECDH-ES, ECDH-ES+A128KW or RSA-OAEP-256.
   */
  alg?: string
  /** RSA modulus size (default 2048; 2048 to 8192, a multiple of 8). RSA only. */
  bits?: number
  /** Curve of an EC encryption key: P-256 (default), P-384 or P-521. Signing keys take their alg's. */
  crv?: string
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

export function checkEncryptionAlgorithm(alg: unknown, option = 'alg'): KeyManagementAlgorithm {
  if (!(KEY_MANAGEMENT_ALGORITHMS as readonly unknown[]).includes(alg)) {
    throw invalidOption(
      option,
      `${JSON.stringify(alg)} is not an encryption algorithm; use one of ${KEY_MANAGEMENT_ALGORITHMS.join(', ')}`,
    )
  }
  return alg as KeyManagementAlgorithm
}

export function checkUse(use: unknown, option = 'use'): KeyUse {
  if (use !== 'sig' && use !== 'enc') {
    throw invalidOption(option, `${JSON.stringify(use)} is not a key use; use sig or enc`)
  }
  return use
}

export function checkCurve(crv: unknown, option = 'crv'): EncryptionCurve {
  if (!(ENCRYPTION_CURVES as readonly unknown[]).includes(crv)) {
    throw invalidOption(
      option,
      `${JSON.stringify(crv)} is not supported; use one of ${ENCRYPTION_CURVES.join(', ')}`,
    )
  }
  return crv as EncryptionCurve
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

/** Generates a signing key pair and returns its private JWK (with `kid`, `use: "sig"` and `alg`). */
export async function generateKey(options: GenerateOptions & { use?: 'sig' }): Promise<PrivateJwk>
/** Generates an encryption key pair: its private JWK has `use: "enc"` and a key-management `alg`. */
export async function generateKey(
  options: GenerateOptions & { use: 'enc' },
): Promise<PrivateEncryptionJwk>
export async function generateKey(
  options?: GenerateOptions,
): Promise<PrivateJwk | PrivateEncryptionJwk>
export async function generateKey(
  options: GenerateOptions = {},
): Promise<PrivateJwk | PrivateEncryptionJwk> {
  const use = checkUse(options.use ?? 'sig')
  if (use === 'enc') return generateEncryptionKey(options)
  if (options.crv !== undefined) {
    throw invalidOption('crv', 'applies to encryption keys only; a signing alg settles its curve')
  }
  const alg = checkAlgorithm(options.alg ?? DEFAULT_ALGORITHM)
  const rsa = isRsaAlgorithm(alg)
  if (!rsa && options.bits !== undefined)
    throw invalidOption('bits', `applies to RSA keys only, not ${alg}`)
  const bits = rsa ? checkBits(options.bits ?? DEFAULT_RSA_BITS) : undefined
  // Extractable only long enough to export it once; the proxy re-imports it non-extractable.
  // EdDSA makes an Ed25519 key; ES512 a P-521 key.
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(bits ? { modulusLength: bits } : {}),
  })
  const members = await exportJWK(privateKey)
  return toPrivateJwk(members, {
    use: 'sig',
    alg,
    ...(options.kid === undefined ? {} : { kid: options.kid }),
  })
}

async function generateEncryptionKey(options: GenerateOptions): Promise<PrivateEncryptionJwk> {
  const alg = checkEncryptionAlgorithm(options.alg ?? DEFAULT_ENCRYPTION_ALGORITHM)
  const rsa = alg === 'RSA-OAEP-256'
  if (!rsa && options.bits !== undefined)
    throw invalidOption('bits', `applies to RSA keys only, not ${alg}`)
  if (rsa && options.crv !== undefined)
    throw invalidOption('crv', `applies to EC keys only, not ${alg}`)
  const bits = rsa ? checkBits(options.bits ?? DEFAULT_RSA_BITS) : undefined
  const crv = rsa ? undefined : checkCurve(options.crv ?? DEFAULT_ENCRYPTION_CURVE)
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(bits ? { modulusLength: bits } : {}),
    ...(crv ? { crv } : {}),
  })
  const members = await exportJWK(privateKey)
  return toPrivateJwk(members, {
    use: 'enc',
    alg,
    ...(options.kid === undefined ? {} : { kid: options.kid }),
  })
}
