/**
 * The proxy's keys for the FAPI 2.0 local run: one JWKS with a signing key (ES256 by default,
 * as Singpass requires; PS256 for tests) and a `use: "enc"` key (P-256, ECDH-ES+A256KW) the
 * IdP encrypts ID tokens to. Kept in `.dev/fapi-keys.json` (gitignored) next to the plain run's
 * signing key, so the IdP sees the same keys across restarts. Development only.
 */
import { fileURLToPath } from 'node:url'
import { parsePrivateKeySet } from '@idp-proxy/core'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose'
import { loadOrCreateKeyFile } from './key-file.js'

/** `<repo>/.dev/fapi-keys.json`. */
export const DEFAULT_FAPI_KEY_FILE = fileURLToPath(
  new URL('../../.dev/fapi-keys.json', import.meta.url),
)

export type FapiAssertionAlg = 'ES256' | 'PS256'

/** A private JWKS `{ keys: [signing, enc] }` as core's static key source reads it. */
export interface FapiKeySet {
  keys: JWK[]
}

export async function generateFapiKeys(alg: FapiAssertionAlg = 'ES256'): Promise<FapiKeySet> {
  const signing = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 })
  const enc = await generateKeyPair('ECDH-ES+A256KW', { extractable: true, crv: 'P-256' })
  const signingJwk = await exportJWK(signing.privateKey)
  const encJwk = await exportJWK(enc.privateKey)
  return {
    keys: [
      { ...signingJwk, kid: await calculateJwkThumbprint(signingJwk), alg, use: 'sig' },
      {
        ...encJwk,
        kid: await calculateJwkThumbprint(encJwk),
        alg: 'ECDH-ES+A256KW',
        use: 'enc',
      },
    ],
  }
}

/** The signing algorithm of a key set (its first `sig` key's `alg`). */
export function assertionAlgOf(set: FapiKeySet): FapiAssertionAlg {
  const alg = set.keys.find((key) => key.use !== 'enc')?.alg
  if (alg !== 'ES256' && alg !== 'PS256') {
    throw new Error(`the FAPI local run signs with ES256 or PS256, not ${alg ?? 'no algorithm'}`)
  }
  return alg as FapiAssertionAlg
}

/**
 * Reads the key file, or generates the keys and writes them (mode 0600) when it does not
 * exist. A file that does not hold a signing key and an `enc` key stops the start with a
 * message naming the file (core's parser never echoes key material).
 */
export async function loadOrCreateFapiKeys(
  file: string = DEFAULT_FAPI_KEY_FILE,
): Promise<{ keys: FapiKeySet; created: boolean }> {
  const { value, created } = await loadOrCreateKeyFile(file, {
    parse: (text) => {
      const set = parsePrivateKeySet(text)
      if (set.encryptionKeys.length === 0) throw new Error('no `use: "enc"` key')
      const keys = JSON.parse(text) as FapiKeySet
      assertionAlgOf(keys)
      return keys
    },
    generate: generateFapiKeys,
    what: 'new keys',
  })
  return { keys: value, created }
}
