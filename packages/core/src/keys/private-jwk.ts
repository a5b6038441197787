/**
 * Parses and validates private keys given as a JWK (the seed's format: one private RSA JWK with a
 * `kid`) or as a private JWKS `{ "keys": [...], "active_kid"?: "...", "active_enc_kid"?: "..." }`.
 * A set holds signing keys (`use: "sig"` or no `use`) and may hold encryption keys
 * (`use: "enc"`: the keys a FAPI 2.0 IdP encrypts ID tokens to).
 *
 * Every refusal is a ProxyError ERR_INVALID_KEY whose message says which key and what is wrong,
 * and never includes key material.
 */
import { ProxyError } from '../errors.js'
import {
  type EncryptionPublicJwk,
  KEY_MANAGEMENT_ALGORITHMS,
  type KeyManagementAlgorithm,
} from '../fapi/jwe.js'
import {
  curveOf,
  ENCRYPTION_CURVES,
  isRsaAlgorithm,
  isSigningAlgorithm,
  type Jwks,
  type PublicJwk,
  type PublishedJwk,
  SIGNING_ALGORITHMS,
  SIGNING_CURVE_NAMES,
  type SigningAlgorithm,
} from './key-source.js'

/** A validated private signing JWK with its algorithm settled. */
export interface PrivateJwk {
  kty: 'RSA' | 'EC' | 'OKP'
  kid: string
  alg: SigningAlgorithm
  d: string
  [member: string]: unknown
}

/** A validated private encryption JWK (`use: "enc"`) with its key-management algorithm settled. */
export interface PrivateEncryptionJwk {
  kty: 'RSA' | 'EC'
  kid: string
  use: 'enc'
  alg: KeyManagementAlgorithm
  d: string
  [member: string]: unknown
}

export interface PrivateKeySet {
  /** The signing keys, in the set's order (oldest first). */
  keys: PrivateJwk[]
  /** The `kid` that signs; the others are published (next key, or previous one draining). */
  activeKid: string
  /**
   * The encryption keys, in the set's order. Every one of them decrypts (an IdP may still
   * encrypt to the previous key during a rotation); the active one is published first.
   */
  encryptionKeys: PrivateEncryptionJwk[]
  /** The encryption key published first (IdPs take the first `enc` key). Set when there are any. */
  activeEncryptionKid?: string
}

/** A key set that may hold no signing key (an encryption key on its own, as the keys CLI writes). */
export type AnyKeySet = Omit<PrivateKeySet, 'activeKid'> & { activeKid?: string }

export interface ParseKeysOptions {
  /** Overrides which key signs (default: the set's `active_kid`, else the first signing key). */
  activeKid?: string
  /** Algorithm for signing keys without `alg` (default: RS256 for RSA, the curve's for EC/OKP). */
  defaultAlg?: SigningAlgorithm
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
const PUBLIC_MEMBERS = ['kty', 'crv', 'n', 'e', 'x', 'y', 'x5c', 'x5t#S256'] as const
/** base64url length of a 2048-bit modulus (256 bytes). */
const MIN_RSA_N_LENGTH = 342

function invalid(message: string): ProxyError {
  return new ProxyError('ERR_INVALID_KEY', message)
}

/**
 * Parses a private JWK or JWKS, given as JSON text or as an object. The set must hold a signing
 * key (the proxy signs every token request); encryption keys are optional.
 */
export function parsePrivateKeySet(input: unknown, options: ParseKeysOptions = {}): PrivateKeySet {
  const set = parseAnyKeySet(input, options)
  if (set.activeKid === undefined) {
    throw invalid('the key set holds only encryption keys; a signing key is required')
  }
  return { ...set, activeKid: set.activeKid }
}

/** As parsePrivateKeySet, but a set of encryption keys only is accepted too. */
export function parseAnyKeySet(input: unknown, options: ParseKeysOptions = {}): AnyKeySet {
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

  const keys: PrivateJwk[] = []
  const encryptionKeys: PrivateEncryptionJwk[] = []
  const seen = new Set<string>()
  raw.forEach((jwk, index) => {
    const parsed = validateJwk(jwk, isSet ? index : undefined, options)
    if (seen.has(parsed.kid)) throw invalid(`two keys share the kid "${parsed.kid}"`)
    seen.add(parsed.kid)
    if (parsed.use === 'enc') encryptionKeys.push(parsed as PrivateEncryptionJwk)
    else keys.push(parsed as PrivateJwk)
  })

  const fromSet = isSet ? object.active_kid : undefined
  if (fromSet !== undefined && typeof fromSet !== 'string') {
    throw invalid('"active_kid" must be a string')
  }
  const activeKid = options.activeKid ?? fromSet ?? keys[0]?.kid
  if (activeKid !== undefined && !keys.some((key) => key.kid === activeKid)) {
    throw invalid(
      encryptionKeys.some((key) => key.kid === activeKid)
        ? `the active kid "${activeKid}" is an encryption key; it cannot sign`
        : `the active kid "${activeKid}" is not in the key set`,
    )
  }
  const encFromSet = isSet ? object.active_enc_kid : undefined
  if (encFromSet !== undefined && typeof encFromSet !== 'string') {
    throw invalid('"active_enc_kid" must be a string')
  }
  const activeEncryptionKid = encFromSet ?? encryptionKeys[0]?.kid
  if (
    activeEncryptionKid !== undefined &&
    !encryptionKeys.some((key) => key.kid === activeEncryptionKid)
  ) {
    throw invalid(
      `the active encryption kid "${activeEncryptionKid}" is not an encryption key of the set`,
    )
  }
  return {
    keys,
    encryptionKeys,
    ...(activeKid === undefined ? {} : { activeKid }),
    ...(activeEncryptionKid === undefined ? {} : { activeEncryptionKid }),
  }
}

function validateJwk(
  input: unknown,
  index: number | undefined,
  options: ParseKeysOptions,
): PrivateJwk | PrivateEncryptionJwk {
  const which = index === undefined ? 'the key' : `key ${index}`
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(`${which} is not a JSON object`)
  }
  const jwk = input as Record<string, unknown>
  const named = typeof jwk.kid === 'string' && jwk.kid ? `${which} (kid "${jwk.kid}")` : which
  if (jwk.use !== undefined && jwk.use !== 'sig' && jwk.use !== 'enc') {
    throw invalid(`${named} has use "${String(jwk.use)}"; expected "sig" (or none) or "enc"`)
  }
  const encryption = jwk.use === 'enc'
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && !(jwk.kty === 'OKP' && !encryption)) {
    throw invalid(
      encryption
        ? `${named} has kty ${JSON.stringify(jwk.kty)}; only RSA and EC keys can decrypt`
        : `${named} has kty ${JSON.stringify(jwk.kty)}; only RSA, EC and OKP (Ed25519) keys can sign`,
    )
  }
  if (typeof jwk.d !== 'string' || !jwk.d) {
    throw invalid(
      `${named} is a public key: a private key (with "d") is required to ${encryption ? 'decrypt' : 'sign'}`,
    )
  }
  if (typeof jwk.kid !== 'string' || !jwk.kid) {
    throw invalid(`${which} has no "kid": give every key a key id the IdP can match`)
  }
  if (encryption) {
    const alg = settleEncryptionAlgorithm(jwk, named)
    return { ...jwk, kty: jwk.kty as 'RSA' | 'EC', kid: jwk.kid, use: 'enc', d: jwk.d, alg }
  }
  if ((KEY_MANAGEMENT_ALGORITHMS as readonly unknown[]).includes(jwk.alg)) {
    throw invalid(`${named} has the encryption algorithm ${String(jwk.alg)}: add "use": "enc"`)
  }
  const alg = settleAlgorithm(jwk, named, options.defaultAlg)
  return { ...jwk, kty: jwk.kty, kid: jwk.kid, d: jwk.d, alg }
}

function settleEncryptionAlgorithm(
  jwk: Record<string, unknown>,
  named: string,
): KeyManagementAlgorithm {
  if (
    jwk.alg !== undefined &&
    !(KEY_MANAGEMENT_ALGORITHMS as readonly unknown[]).includes(jwk.alg)
  ) {
    throw invalid(
      `${named} is an encryption key with the unsupported algorithm ${JSON.stringify(jwk.alg)}; supported: ${KEY_MANAGEMENT_ALGORITHMS.join(', ')}`,
    )
  }
  if (jwk.kty === 'RSA') {
    if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
      throw invalid(`${named} is an RSA key without "n" and "e"`)
    }
    if (jwk.n.length < MIN_RSA_N_LENGTH) throw invalid(`${named} is shorter than 2048 bits`)
    const alg = (jwk.alg as KeyManagementAlgorithm | undefined) ?? 'RSA-OAEP-256'
    if (alg !== 'RSA-OAEP-256')
      throw invalid(`${named} is an RSA key; it decrypts RSA-OAEP-256, not ${alg}`)
    return alg
  }
  if (
    !(ENCRYPTION_CURVES as readonly unknown[]).includes(jwk.crv) ||
    typeof jwk.x !== 'string' ||
    typeof jwk.y !== 'string'
  ) {
    throw invalid(
      `${named} is an EC encryption key on an unsupported curve ${JSON.stringify(jwk.crv)}; use ${ENCRYPTION_CURVES.join(', ')}`,
    )
  }
  const alg = (jwk.alg as KeyManagementAlgorithm | undefined) ?? 'ECDH-ES+A256KW'
  if (alg === 'RSA-OAEP-256') throw invalid(`${named} is an EC key; it cannot decrypt ${alg}`)
  return alg
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
  const curve = curveOf(jwk.crv)
  if (
    !curve ||
    curve.kty !== jwk.kty ||
    typeof jwk.x !== 'string' ||
    (curve.kty === 'EC' && typeof jwk.y !== 'string')
  ) {
    throw invalid(
      `${named} is an ${String(jwk.kty)} key on an unsupported curve ${JSON.stringify(jwk.crv)}; use ${SIGNING_CURVE_NAMES}`,
    )
  }
  // A default meant for RSA keys does not apply to EC keys; an explicit `alg` must match the curve.
  const alg = jwk.alg === undefined ? curve.alg : (given as SigningAlgorithm)
  if (alg !== curve.alg)
    throw invalid(`${named} is on ${String(jwk.crv)}, which signs ${curve.alg}, not ${alg}`)
  return alg
}

/** The public half of a private signing JWK, as published at the JWKS route. */
export function toPublicJwk(jwk: PrivateJwk): PublicJwk {
  const pub: Record<string, unknown> = { kid: jwk.kid, alg: jwk.alg, use: 'sig' }
  for (const member of PUBLIC_MEMBERS) if (jwk[member] !== undefined) pub[member] = jwk[member]
  return pub as unknown as PublicJwk
}

/** The public half of a private encryption JWK (the shape importDecrypter's publicJwk() has). */
export function toPublicEncryptionJwk(jwk: PrivateEncryptionJwk): EncryptionPublicJwk {
  const { kty, kid, alg } = jwk
  return kty === 'RSA'
    ? { kty, kid, alg, use: 'enc', n: jwk.n as string, e: jwk.e as string }
    : { kty, kid, alg, use: 'enc', crv: jwk.crv as string, x: jwk.x as string, y: jwk.y as string }
}

/** The encryption keys with the active one first: the order they are published in. */
export function encryptionKeysInOrder(set: AnyKeySet): PrivateEncryptionJwk[] {
  const active = set.encryptionKeys.filter((key) => key.kid === set.activeEncryptionKid)
  return [...active, ...set.encryptionKeys.filter((key) => key.kid !== set.activeEncryptionKid)]
}

/** What the JWKS route publishes for a set: its signing keys, then its encryption keys. */
export function toPublicJwks(set: AnyKeySet): Jwks<PublishedJwk> {
  return {
    keys: [...set.keys.map(toPublicJwk), ...encryptionKeysInOrder(set).map(toPublicEncryptionJwk)],
  }
}

/** True when a JWK object carries private key members (used to keep them out of output). */
export function hasPrivateMembers(jwk: Record<string, unknown>): boolean {
  return PRIVATE_MEMBERS.some((member) => jwk[member] !== undefined)
}
