import { ProxyError } from '../errors.js'
import { type Decrypter, importDecrypter } from '../fapi/jwe.js'
import type { KeySource, Signer } from './key-source.js'
import {
  encryptionKeysInOrder,
  type ParseKeysOptions,
  type PrivateKeySet,
  parsePrivateKeySet,
  toPublicJwks,
} from './private-jwk.js'
import { importSigner } from './webcrypto-signer.js'

/**
 * A key source over keys known at start-up: a private JWK (the seed's format), a private JWKS,
 * or JSON text of either. Validates synchronously, so a bad key stops the proxy at creation;
 * imports the active signing key and the encryption keys once, on first use.
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
  let decrypters: Promise<readonly Decrypter[]> | undefined
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
    decrypters() {
      decrypters ??= importDecrypters(set).catch((error: unknown) => {
        decrypters = undefined
        throw error
      })
      return decrypters
    },
  }
}

/**
 * Every encryption key of the set as a Decrypter, the active one first: during a rotation the
 * IdP may still encrypt to the previous key, so all of them keep decrypting.
 */
export async function importDecrypters(
  set: Pick<PrivateKeySet, 'encryptionKeys' | 'activeEncryptionKid'>,
): Promise<readonly Decrypter[]> {
  return Promise.all(
    encryptionKeysInOrder({ keys: [], ...set }).map(async (jwk) => {
      try {
        return await importDecrypter(jwk)
      } catch (cause) {
        // importDecrypter's messages name the key, never its material.
        if (cause instanceof ProxyError) throw cause
        throw new ProxyError(
          'ERR_INVALID_KEY',
          `the decryption key "${jwk.kid}" could not be imported`,
          { cause },
        )
      }
    }),
  )
}
