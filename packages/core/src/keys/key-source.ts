/**
 * Where the signing key for client assertions comes from. The proxy only needs to *sign*, so a
 * key that never leaves its vault (KMS) fits as well as a JWK held in memory.
 */

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
] as const

export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number]

export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value)
}

/** A public JWK as published at the JWKS route (never has private members). */
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

export interface KeySource {
  /** The key that signs client assertions now. Throws when no key can be had. */
  signer(): Promise<Signer>
  /** The public half of every key the IdP should accept: the active one and any next one. */
  publicJwks(): Promise<Jwks>
}
