/**
 * Private key sets as stored in a secret: `{ "keys": [...], "active_kid": "..." }`. Parsing and
 * validation are core's (`parsePrivateKeySet`), so the CLI refuses exactly what the proxy refuses.
 */
import {
  type Jwks,
  type PrivateJwk,
  type PrivateKeySet,
  type PublicJwk,
  parsePrivateKeySet,
  toPublicJwk,
  toPublicJwks,
} from '@idp-proxy/core'

/** The JSON form of a private key set, as written to a file or a secret. */
export interface PrivateKeySetJson {
  keys: PrivateJwk[]
  active_kid: string
}

/**
 * Parses a private JWK or JWKS (JSON text or object), or re-checks an already-parsed set (as
 * returned by `rotate`/`promote`); throws core's ERR_INVALID_KEY.
 */
export function readKeySet(input: unknown): PrivateKeySet {
  if (isKeySet(input))
    return parsePrivateKeySet({ keys: input.keys }, { activeKid: input.activeKid })
  return parsePrivateKeySet(input)
}

export function toKeySetJson(set: PrivateKeySet): PrivateKeySetJson {
  return { keys: set.keys, active_kid: set.activeKid }
}

/** The public JWKS of a private JWK/JWKS (or an already-parsed set): what the proxy publishes. */
export function publicJwks(input: unknown): Jwks {
  return toPublicJwks(readKeySet(input))
}

/** The public JWK of one private JWK. */
export function publicJwk(jwk: PrivateJwk): PublicJwk {
  return toPublicJwk(jwk)
}

function isKeySet(input: unknown): input is PrivateKeySet {
  return (
    typeof input === 'object' &&
    input !== null &&
    typeof (input as PrivateKeySet).activeKid === 'string' &&
    Array.isArray((input as PrivateKeySet).keys)
  )
}
