import type { KeySource, Signer } from './key-source.js'
import {
  type ParseKeysOptions,
  type PrivateKeySet,
  parsePrivateKeySet,
  toPublicJwks,
} from './private-jwk.js'
import { importSigner } from './webcrypto-signer.js'

/**
 * A key source over keys known at start-up: a private JWK (the seed's format), a private JWKS,
 * or JSON text of either. Validates synchronously, so a bad key stops the proxy at creation;
 * imports the active key once, on first use.
 */
export function staticKeySource(input: unknown, options: ParseKeysOptions = {}): KeySource {
  return keySourceFromSet(parsePrivateKeySet(input, options))
}

/** A key source over an already-parsed key set (shared with the Secrets Manager source). */
export function keySourceFromSet(set: PrivateKeySet): KeySource {
  const active = set.keys.find((key) => key.kid === set.activeKid)
  if (!active) throw new Error('unreachable: parsePrivateKeySet checks the active kid')
  const jwks = toPublicJwks(set)
  let signer: Promise<Signer> | undefined
  return {
    signer() {
      signer ??= importSigner(active).catch((error: unknown) => {
        signer = undefined
        throw error
      })
      return signer
    },
    async publicJwks() {
      return jwks
    },
  }
}
