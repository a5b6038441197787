/**
 * What the KMS key source signs with: the KMS algorithm of each JWS algorithm, the key specs it
 * takes, and the actions it calls. No AWS SDK at run time (types only), so a deployment imports
 * these through `@idp-proxy/lambda-adapter/iam` without loading the SDK.
 */
import type { SigningAlgorithmSpec } from '@aws-sdk/client-kms'
import { curveOf, isRsaAlgorithm, type SigningAlgorithm, type SigningCurve } from '@idp-proxy/core'

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
}

/**
 * The KMS key specs this key source signs with: RSA ones (RS*, PS*), and the EC ones on core's
 * curves (each signs its curve's one algorithm). The Pulumi program offers these.
 */
export const KMS_KEY_SPECS = {
  RSA_2048: { kty: 'RSA' },
  RSA_3072: { kty: 'RSA' },
  RSA_4096: { kty: 'RSA' },
  ECC_NIST_P256: { kty: 'EC', crv: 'P-256' },
  ECC_NIST_P384: { kty: 'EC', crv: 'P-384' },
} as const satisfies Record<string, { kty: 'RSA' } | { kty: 'EC'; crv: SigningCurve }>

export type KmsKeySpec = keyof typeof KMS_KEY_SPECS

/** The key specs that can sign `alg` (RS256 and PS256: every RSA spec; ES256: ECC_NIST_P256). */
export function kmsKeySpecsFor(alg: SigningAlgorithm): KmsKeySpec[] {
  return (Object.keys(KMS_KEY_SPECS) as KmsKeySpec[]).filter((spec) => {
    const key = KMS_KEY_SPECS[spec] as { kty: string; crv?: SigningCurve }
    return key.kty === 'RSA' ? isRsaAlgorithm(alg) : curveOf(key.crv)?.alg === alg
  })
}

/** kms:GetPublicKey feeds the JWKS route; kms:Sign signs client assertions. */
export const KMS_KEY_SOURCE_ACTIONS = ['kms:GetPublicKey', 'kms:Sign'] as const
