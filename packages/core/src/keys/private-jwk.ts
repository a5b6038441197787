/**
 * Parses and validates private signing keys given as a JWK (the seed's format: one private RSA
 * JWK with a `kid`) or as a private JWKS `{ "keys": [...], "active_kid"?: "..." }`.
 *
 * Every refusal is a ProxyError ERR_INVALID_KEY whose message says which key and what is wrong,
 * and never includes key material.
 */
import { ProxyError } from '../errors.js'
import {
  curveOf,
  isRsaAlgorithm,
  isSigningAlgorithm,
  type Jwks,
  type PublicJwk,
  SIGNING_ALGORITHMS,
  SIGNING_CURVE_NAMES,
  type SigningAlgorithm,
} from './key-source.js'

/** A validated private JWK with its algorithm settled. */
export interface PrivateJwk {
  kty: 'RSA' | 'EC'
  kid: string
  alg: SigningAlgorithm
  d: string
  [member: string]: unknown
}

export interface PrivateKeySet {
  keys: PrivateJwk[]
  /** The `kid` that signs; the others are published (next key, or previous one draining). */
  activeKid: string
}

export interface ParseKeysOptions {
  /** Overrides which key signs (default: the set's `active_kid`, else the first key). */
  activeKid?: string
  /** Algorithm for keys that carry no `alg` (default: RS256 for RSA, ES256/ES384 by curve). */
  defaultAlg?: SigningAlgorithm
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
const PUBLIC_MEMBERS = ['kty', 'crv', 'n', 'e', 'x', 'y', 'x5c', 'x5t#S256'] as const

function invalid(message: string): ProxyError {
  return new ProxyError('ERR_INVALID_KEY', message)
}

/** Parses a private JWK or JWKS, given as JSON text or as an object. */
export function parsePrivateKeySet(input: unknown, options: ParseKeysOptions = {}): PrivateKeySet {
  let value = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch {
      throw invalid('the private key is not valid JSON (expected a JWK or a JWKS)')
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('the private key must be a JSON object: a JWK or a JWKS { "keys": [...] }')
  }
  const object = value as Record<string, unknown>
  const isSet = 'keys' in object
  if (isSet && !Array.isArray(object.keys)) throw invalid('"keys" must be an array of JWKs')
  const raw = isSet ? (object.keys as unknown[]) : [object]
  if (raw.length === 0) throw invalid('the JWKS has no keys')

  const keys = raw.map((jwk, index) => validatePrivateJwk(jwk, isSet ? index : undefined, options))
  const seen = new Set<string>()
  for (const key of keys) {
    if (seen.has(key.kid)) throw invalid(`two keys share the kid "${key.kid}"`)
    seen.add(key.kid)
  }

  const fromSet = isSet ? object.active_kid : undefined
  if (fromSet !== undefined && typeof fromSet !== 'string') {
    throw invalid('"active_kid" must be a string')
  }
  const activeKid = options.activeKid ?? fromSet ?? (keys[0] as PrivateJwk).kid
  if (!seen.has(activeKid)) throw invalid(`the active kid "${activeKid}" is not in the key set`)
  return { keys, activeKid }
}

function validatePrivateJwk(
  input: unknown,
  index: number | undefined,
  options: ParseKeysOptions,
): PrivateJwk {
  const which = index === undefined ? 'the key' : `key ${index}`
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(`${which} is not a JSON object`)
  }
  const jwk = input as Record<string, unknown>
  const named = typeof jwk.kid === 'string' && jwk.kid ? `${which} (kid "${jwk.kid}")` : which
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC') {
    throw invalid(`${named} has kty ${JSON.stringify(jwk.kty)}; only RSA and EC keys can sign`)
  }
  if (typeof jwk.d !== 'string' || !jwk.d) {
    throw invalid(`${named} is a public key: a private key (with "d") is required to sign`)
  }
  if (typeof jwk.kid !== 'string' || !jwk.kid) {
    throw invalid(`${which} has no "kid": give every key a key id the IdP can match`)
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') {
    throw invalid(`${named} has use "${String(jwk.use)}"; a signing key needs use "sig" or none`)
  }
  const alg = settleAlgorithm(jwk, named, options.defaultAlg)
  return { ...jwk, kty: jwk.kty, kid: jwk.kid, d: jwk.d, alg }
}

function settleAlgorithm(
  jwk: Record<string, unknown>,
  named: string,
  defaultAlg: SigningAlgorithm | undefined,
): SigningAlgorithm {
  const given = jwk.alg ?? defaultAlg
  if (given !== undefined && !isSigningAlgorithm(given)) {
    throw invalid(
      `${named} has the unsupported algorithm ${JSON.stringify(given)}; supported: ${SIGNING_ALGORITHMS.join(', ')}`,
    )
  }
  if (jwk.kty === 'RSA') {
    if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
      throw invalid(`${named} is an RSA key without "n" and "e"`)
    }
    const alg = given ?? 'RS256'
    if (!isRsaAlgorithm(alg)) {
      throw invalid(`${named} is an RSA key but its algorithm is ${alg}`)
    }
    return alg
  }
  const curveAlg = curveOf(jwk.crv)?.alg
  if (!curveAlg || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw invalid(
      `${named} is an EC key on an unsupported curve ${JSON.stringify(jwk.crv)}; use ${SIGNING_CURVE_NAMES}`,
    )
  }
  // A default meant for RSA keys does not apply to EC keys; an explicit `alg` must match the curve.
  const alg = jwk.alg === undefined ? curveAlg : (given as SigningAlgorithm)
  if (alg !== curveAlg)
    throw invalid(`${named} is on ${String(jwk.crv)}, which signs ${curveAlg}, not ${alg}`)
  return alg
}

/** The public half of a private JWK, as published at the JWKS route. */
export function toPublicJwk(jwk: PrivateJwk): PublicJwk {
  const pub: Record<string, unknown> = { kid: jwk.kid, alg: jwk.alg, use: 'sig' }
  for (const member of PUBLIC_MEMBERS) if (jwk[member] !== undefined) pub[member] = jwk[member]
  return pub as unknown as PublicJwk
}

export function toPublicJwks(set: PrivateKeySet): Jwks {
  return { keys: set.keys.map(toPublicJwk) }
}

/** True when a JWK object carries private key members (used to keep them out of output). */
export function hasPrivateMembers(jwk: Record<string, unknown>): boolean {
  return PRIVATE_MEMBERS.some((member) => jwk[member] !== undefined)
}
