/**
 * What the KMS key sources use: the KMS algorithm of each JWS algorithm, the key specs they take
 * for signing and for decryption, and the actions they call. No AWS SDK at run time (types only), so a deployment imports
 * these through `@idp-proxy/lambda-adapter/iam` without loading the SDK.
 */
import type { SigningAlgorithmSpec } from '@aws-sdk/client-kms'
import {
  curveOf,
  type EncryptionCurve,
  isRsaAlgorithm,
  type KeyManagementAlgorithm,
  type SigningAlgorithm,
  type SigningCurve,
} from '@idp-proxy/core'

/** The KMS signing algorithm for each JWS algorithm. */
export const KMS_SIGNING_ALGORITHMS: Readonly<Record<SigningAlgorithm, SigningAlgorithmSpec>> = {
  RS256: 'RSASSA_PKCS1_V1_5_SHA_256',
  RS384: 'RSASSA_PKCS1_V1_5_SHA_384',
  RS512: 'RSASSA_PKCS1_V1_5_SHA_512',
  // KMS uses a salt as long as the hash, as RFC 7518 3.5 requires.
  PS256: 'RSASSA_PSS_SHA_256',
  PS384: 'RSASSA_PSS_SHA_384',
  PS512: 'RSASSA_PSS_SHA_512',
  ES256: 'ECDSA_SHA_256',
  ES384: 'ECDSA_SHA_384',
  ES512: 'ECDSA_SHA_512',
  // Pure Ed25519 (RFC 8032) over the raw message, as JWS EdDSA is; it needs MessageType RAW
  // (ED25519_PH_SHA_512 is the pre-hashed Ed25519ph, which JWS does not use).
  EdDSA: 'ED25519_SHA_512',
}

/**
 * The KMS key specs (key usage SIGN_VERIFY) this key source signs with: RSA ones (RS*, PS*), and
 * the ones on core's curves (each signs its curve's one algorithm). The Pulumi program offers
 * these.
 */
export const KMS_KEY_SPECS = {
  RSA_2048: { kty: 'RSA' },
  RSA_3072: { kty: 'RSA' },
  RSA_4096: { kty: 'RSA' },
  ECC_NIST_P256: { kty: 'EC', crv: 'P-256' },
  ECC_NIST_P384: { kty: 'EC', crv: 'P-384' },
  ECC_NIST_P521: { kty: 'EC', crv: 'P-521' },
  ECC_NIST_EDWARDS25519: { kty: 'OKP', crv: 'Ed25519' },
} as const satisfies Record<string, { kty: 'RSA' } | { kty: 'EC' | 'OKP'; crv: SigningCurve }>

export type KmsKeySpec = keyof typeof KMS_KEY_SPECS

/**
 * The key specs that can sign `alg` (RS256 and PS256: every RSA spec; ES256: ECC_NIST_P256;
 * EdDSA: ECC_NIST_EDWARDS25519).
 */
export function kmsKeySpecsFor(alg: SigningAlgorithm): KmsKeySpec[] {
  return (Object.keys(KMS_KEY_SPECS) as KmsKeySpec[]).filter((spec) => {
    const key = KMS_KEY_SPECS[spec] as { kty: string; crv?: SigningCurve }
    return key.kty === 'RSA' ? isRsaAlgorithm(alg) : curveOf(key.crv)?.alg === alg
  })
}

/** kms:GetPublicKey feeds the JWKS route; kms:Sign signs client assertions. */
export const KMS_KEY_SOURCE_ACTIONS = ['kms:GetPublicKey', 'kms:Sign'] as const

/** The KMS key specs a decryption key can have, with the key usage each must be created with. */
export const KMS_DECRYPTION_KEY_SPECS = {
  RSA_2048: { kty: 'RSA', keyUsage: 'ENCRYPT_DECRYPT' },
  RSA_3072: { kty: 'RSA', keyUsage: 'ENCRYPT_DECRYPT' },
  RSA_4096: { kty: 'RSA', keyUsage: 'ENCRYPT_DECRYPT' },
  ECC_NIST_P256: { kty: 'EC', crv: 'P-256', keyUsage: 'KEY_AGREEMENT' },
  ECC_NIST_P384: { kty: 'EC', crv: 'P-384', keyUsage: 'KEY_AGREEMENT' },
  ECC_NIST_P521: { kty: 'EC', crv: 'P-521', keyUsage: 'KEY_AGREEMENT' },
} as const satisfies Record<
  string,
  | { kty: 'RSA'; keyUsage: 'ENCRYPT_DECRYPT' }
  | { kty: 'EC'; crv: EncryptionCurve; keyUsage: 'KEY_AGREEMENT' }
>

export type KmsDecryptionKeySpec = keyof typeof KMS_DECRYPTION_KEY_SPECS

/** The KMS algorithm each call uses (also what a key policy condition may pin). */
export const KMS_DECRYPTION_ALGORITHMS = {
  encryption: 'RSAES_OAEP_SHA_256',
  keyAgreement: 'ECDH',
} as const

/** The IAM actions on a decryption key, by its kind: GetPublicKey for the JWKS, then the one call. */
export const KMS_DECRYPTER_ACTIONS = {
  rsa: ['kms:GetPublicKey', 'kms:Decrypt'],
  ec: ['kms:GetPublicKey', 'kms:DeriveSharedSecret'],
} as const

/** The IAM actions a decryption key of `spec` needs. */
export function kmsDecrypterActionsFor(spec: KmsDecryptionKeySpec): readonly string[] {
  return KMS_DECRYPTION_KEY_SPECS[spec].kty === 'RSA'
    ? KMS_DECRYPTER_ACTIONS.rsa
    : KMS_DECRYPTER_ACTIONS.ec
}

/** The key specs that can decrypt `alg` (RSA-OAEP-256: the RSA specs; ECDH-ES*: the EC ones). */
export function kmsDecryptionKeySpecsFor(alg: KeyManagementAlgorithm): KmsDecryptionKeySpec[] {
  return (Object.keys(KMS_DECRYPTION_KEY_SPECS) as KmsDecryptionKeySpec[]).filter(
    (spec) => (KMS_DECRYPTION_KEY_SPECS[spec].kty === 'RSA') === (alg === 'RSA-OAEP-256'),
  )
}
