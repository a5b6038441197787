/**
 * The proxy's development signing key: generated on first start and kept in `.dev/` at the
 * repository root (gitignored), so the IdP sees the same key across restarts. Never use it
 * anywhere but on this machine.
 */
import { fileURLToPath } from 'node:url'
import { type PrivateJwk, parsePrivateKeySet } from '@idp-proxy/core'
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import { loadOrCreateKeyFile } from './key-file.js'

/** `<repo>/.dev/private-key.json`. */
export const DEFAULT_KEY_FILE = fileURLToPath(
  new URL('../../.dev/private-key.json', import.meta.url),
)

/** A fresh RS256 private JWK with a `kid` (its thumbprint): the format core expects. */
export async function generateDevKey(): Promise<PrivateJwk> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true })
  const jwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(jwk)
  const [key] = parsePrivateKeySet({ ...jwk, kid, alg: 'RS256', use: 'sig' }).keys
  return key as PrivateJwk
}

/**
 * Reads the key file, or generates the key and writes it (mode 0600) when the file does not
 * exist. A file that exists but does not hold a usable private JWK stops the start with a
 * message naming the file (core's key parser never echoes key material).
 */
export async function loadOrCreateDevKey(
  file: string = DEFAULT_KEY_FILE,
): Promise<{ key: PrivateJwk; created: boolean }> {
  const { value, created } = await loadOrCreateKeyFile(file, {
    parse: (text) => parsePrivateKeySet(text).keys[0] as PrivateJwk,
    generate: generateDevKey,
    what: 'a new key',
  })
  return { key: value, created }
}
