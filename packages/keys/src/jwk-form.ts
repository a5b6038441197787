/**
 * The one private JWK form every command writes: `kty`, `kid`, `use` (`sig` or `enc`), `alg`, the
 * public members, the certificate members (when imported with one), then the private members.
 * Core's `parseAnyKeySet` validates the result, so this package never re-implements key checks.
 */
import {
  type KeyManagementAlgorithm,
  type PrivateEncryptionJwk,
  type PrivateJwk,
  ProxyError,
  parseAnyKeySet,
  type SigningAlgorithm,
} from '@idp-proxy/core'
import { calculateJwkThumbprint } from 'jose'

/** Raw key members as exported by jose's `exportJWK` or node:crypto's `export({ format: 'jwk' })`. */
export type KeyMembers = Readonly<Record<string, unknown>>

/** What a key is for: signing client assertions, or decrypting what the IdP encrypts to us. */
export type KeyUse = 'sig' | 'enc'

const PUBLIC_KEY_MEMBERS = ['crv', 'n', 'e', 'x', 'y'] as const
const PRIVATE_KEY_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const

interface CommonFormOptions {
  /** Default: the RFC 7638 SHA-256 thumbprint of the public key. */
  kid?: string
  /** Certificate chain (base64 DER, leaf first) and the leaf's SHA-256 thumbprint. */
  x5c?: string[]
  x5tS256?: string
}

export type JwkFormOptions =
  | (CommonFormOptions & { use?: 'sig'; alg: SigningAlgorithm })
  | (CommonFormOptions & { use: 'enc'; alg: KeyManagementAlgorithm })

/**
 * The kid given by the user, checked to be a plain single-line string (it ends up in file names,
 * JWS headers and IdP consoles).
 */
export function checkKid(kid: string): string {
  if (!/^[\x21-\x7e]{1,128}$/.test(kid)) {
    throw new ProxyError(
      'ERR_INVALID_KEY',
      'a kid must be 1 to 128 printable ASCII characters without spaces',
    )
  }
  return kid
}

/** RFC 7638 thumbprint (SHA-256, base64url) of the public part of `members`. */
export function thumbprintKid(members: KeyMembers): Promise<string> {
  const publicPart: Record<string, unknown> = { kty: members.kty }
  for (const name of PUBLIC_KEY_MEMBERS)
    if (members[name] !== undefined) publicPart[name] = members[name]
  return calculateJwkThumbprint(
    publicPart as Parameters<typeof calculateJwkThumbprint>[0],
    'sha256',
  )
}

/** Builds the private JWK in the canonical member order and validates it with core. */
export async function toPrivateJwk(
  members: KeyMembers,
  options: JwkFormOptions & { use?: 'sig' },
): Promise<PrivateJwk>
export async function toPrivateJwk(
  members: KeyMembers,
  options: JwkFormOptions & { use: 'enc' },
): Promise<PrivateEncryptionJwk>
export async function toPrivateJwk(
  members: KeyMembers,
  options: JwkFormOptions,
): Promise<PrivateJwk | PrivateEncryptionJwk>
export async function toPrivateJwk(
  members: KeyMembers,
  options: JwkFormOptions,
): Promise<PrivateJwk | PrivateEncryptionJwk> {
  const kid = options.kid === undefined ? await thumbprintKid(members) : checkKid(options.kid)
  const use = options.use ?? 'sig'
  const jwk: Record<string, unknown> = { kty: members.kty, kid, use, alg: options.alg }
  for (const name of PUBLIC_KEY_MEMBERS) if (members[name] !== undefined) jwk[name] = members[name]
  if (options.x5c) jwk.x5c = options.x5c
  if (options.x5tS256) jwk['x5t#S256'] = options.x5tS256
  for (const name of PRIVATE_KEY_MEMBERS) if (members[name] !== undefined) jwk[name] = members[name]
  const set = parseAnyKeySet(jwk)
  return (use === 'enc' ? set.encryptionKeys[0] : set.keys[0]) as PrivateJwk | PrivateEncryptionJwk
}

/** True for the RSA algorithms (RS*, PS*): core's rule, re-exported for this package's modules. */
export { isRsaAlgorithm } from '@idp-proxy/core'

/** The modulus size in bits of an RSA JWK (from `n`). */
export function modulusBits(jwk: Readonly<Record<string, unknown>>): number | undefined {
  if (typeof jwk.n !== 'string') return undefined
  const bytes = Buffer.from(jwk.n, 'base64url')
  let start = 0
  while (start < bytes.length && bytes[start] === 0) start++
  return (bytes.length - start) * 8
}
