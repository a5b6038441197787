/**
 * Private key sets as stored in a secret: `{ "keys": [...], "active_kid": "...",
 * "active_enc_kid"?: "..." }`, signing and encryption keys side by side. Parsing and validation
 * are core's (`parseAnyKeySet`), so the CLI refuses exactly what the proxy refuses.
 */
import {
  type AnyKeySet,
  type Jwks,
  type PrivateEncryptionJwk,
  type PrivateJwk,
  type PublishedJwk,
  parseAnyKeySet,
  toPublicEncryptionJwk,
  toPublicJwk,
  toPublicJwks,
} from '@idp-proxy/core'

/** The JSON form of a private key set, as written to a file or a secret. */
export interface PrivateKeySetJson {
  keys: (PrivateJwk | PrivateEncryptionJwk)[]
  active_kid?: string
  active_enc_kid?: string
}

/**
 * Parses a private JWK or JWKS (JSON text or object), or re-checks an already-parsed set (as
 * returned by `rotate`/`promote`); throws core's ERR_INVALID_KEY. A set of encryption keys only
 * is accepted (the proxy itself needs a signing key beside them).
 */
export function readKeySet(input: unknown): AnyKeySet {
  return parseAnyKeySet(isKeySet(input) ? toKeySetJson(input) : input)
}

export function toKeySetJson(set: AnyKeySet): PrivateKeySetJson {
  return {
    keys: [...set.keys, ...(set.encryptionKeys ?? [])],
    ...(set.activeKid === undefined ? {} : { active_kid: set.activeKid }),
    ...(set.activeEncryptionKid === undefined ? {} : { active_enc_kid: set.activeEncryptionKid }),
  }
}

/** The public JWKS of a private JWK/JWKS (or an already-parsed set): what the proxy publishes. */
export function publicJwks(input: unknown): Jwks<PublishedJwk> {
  return toPublicJwks(readKeySet(input))
}

/** The public JWK of one private JWK (signing: `use: "sig"`; encryption: `use: "enc"`). */
export function publicJwk(jwk: PrivateJwk | PrivateEncryptionJwk): PublishedJwk {
  return jwk.use === 'enc'
    ? toPublicEncryptionJwk(jwk as PrivateEncryptionJwk)
    : toPublicJwk(jwk as PrivateJwk)
}

function isKeySet(input: unknown): input is AnyKeySet {
  return (
    typeof input === 'object' &&
    input !== null &&
    Array.isArray((input as AnyKeySet).keys) &&
    (Array.isArray((input as AnyKeySet).encryptionKeys) ||
      typeof (input as AnyKeySet).activeKid === 'string')
  )
}
