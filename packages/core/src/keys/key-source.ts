/**
 * Where the signing key for client assertions comes from. The proxy only needs to *sign*, so a
 * key that never leaves its vault (KMS) fits as well as a JWK held in memory.
 */
import type { Decrypter, EncryptionPublicJwk } from '../fapi/jwe.js'

/** JWS algorithms the proxy signs client assertions with. */
export const SIGNING_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const

export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number]

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value)
}

/** RSASSA-PKCS1-v1_5 and RSASSA-PSS algorithms: the ones an RSA key signs with. */
export function isRsaAlgorithm(alg: SigningAlgorithm): boolean {
  return alg.startsWith('RS') || alg.startsWith('PS')
}

/**
 * The curves a signing key may be on: its JWK `kty` and `crv`, the one JWS algorithm it signs
 * (RFC 7518 3.4 for ECDSA, RFC 8037 for EdDSA), OpenSSL's name for it (node:crypto `namedCurve`,
 * or the key type for Ed25519) and the size in bytes of each signature half (r, s; for Ed25519
 * half the 64-byte signature). Every package that meets a curve (key parsing, the keys CLI, KMS)
 * reads this table.
 */
export const SIGNING_CURVES = {
  'P-256': { kty: 'EC', alg: 'ES256', namedCurve: 'prime256v1', size: 32 },
  'P-384': { kty: 'EC', alg: 'ES384', namedCurve: 'secp384r1', size: 48 },
  'P-521': { kty: 'EC', alg: 'ES512', namedCurve: 'secp521r1', size: 66 },
  Ed25519: { kty: 'OKP', alg: 'EdDSA', namedCurve: 'ed25519', size: 32 },
} as const satisfies Record<
  string,
  { kty: 'EC' | 'OKP'; alg: SigningAlgorithm; namedCurve: string; size: number }
>

export type SigningCurve = keyof typeof SIGNING_CURVES

/** The curve whose JWK `crv` is `crv`, or undefined. */
export function curveOf(crv: unknown): (typeof SIGNING_CURVES)[SigningCurve] | undefined {
  return typeof crv === 'string' && Object.hasOwn(SIGNING_CURVES, crv)
    ? SIGNING_CURVES[crv as SigningCurve]
    : undefined
}

/** The curve OpenSSL calls `namedCurve` (e.g. `prime256v1`), with its JWK name, or undefined. */
export function curveOfNamedCurve(
  namedCurve: unknown,
): ((typeof SIGNING_CURVES)[SigningCurve] & { crv: SigningCurve }) | undefined {
  for (const [crv, curve] of Object.entries(SIGNING_CURVES)) {
    if (curve.namedCurve === namedCurve) return { ...curve, crv: crv as SigningCurve }
  }
  return undefined
}

/** The curves as users write them, for messages ("P-256, P-384, P-521 or Ed25519"). */
export const SIGNING_CURVE_NAMES = Object.keys(SIGNING_CURVES)
  .join(', ')
  .replace(/, ([^,]*)$/, ' or $1')

/**
 * The curves an encryption key (ECDH-ES*, RFC 7518 4.6) may be on. Ed25519/X25519 are not
 * among them: KMS derives shared secrets on the NIST curves only, and the FAPI IdPs ask for these.
 */
export const ENCRYPTION_CURVES = ['P-256', 'P-384', 'P-521'] as const
export type EncryptionCurve = (typeof ENCRYPTION_CURVES)[number]

/** A public signing JWK as published at the JWKS route (never has private members). */
export interface PublicJwk {
  kty: string
  kid: string
  alg: SigningAlgorithm
  use: 'sig'
  n?: string
  e?: string
  crv?: string
  x?: string
  y?: string
  x5c?: string[]
  'x5t#S256'?: string
}

export interface Jwks<K = PublicJwk> {
  keys: K[]
}

export interface Signer {
  readonly kid: string
  readonly alg: SigningAlgorithm
  /**
   * Extra protected-header parameters for assertions signed with this key, e.g. `x5t#S256`
   * (the certificate thumbprint Microsoft Entra ID asks for).
   */
  readonly header?: Readonly<Record<string, string>>
  /** Signs `data` and returns the JWS signature bytes (for ECDSA: raw r‖s, not DER). */
  sign(data: Uint8Array): Promise<Uint8Array>
}

/** What the JWKS route publishes: signing keys (`use: "sig"`) and encryption keys (`use: "enc"`). */
export type PublishedJwk = PublicJwk | EncryptionPublicJwk

export interface KeySource {
  /** The key that signs client assertions now. Throws when no key can be had. */
  signer(): Promise<Signer>
  /**
   * The public half of every key the IdP should know: the signing keys it should accept (the
   * active one and any next one), then the encryption keys it may encrypt to (active first).
   */
  publicJwks(): Promise<Jwks<PublishedJwk>>
  /**
   * The keys that decrypt what the IdP encrypts to us (ID tokens, userinfo: FAPI 2.0 IdPs such
   * as Singpass), each with `use: "enc"` in the JWKS route. Absent or empty: no encryption keys.
   */
  decrypters?(): Promise<readonly Decrypter[]>
}
