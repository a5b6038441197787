/** A fresh signing key pair for a test: the private JWK for the proxy, the public key for the IdP. */
import { exportJWK, generateKeyPair, type JWK } from 'jose'

export interface TestKeys {
  privateJwk: JWK
  publicKey: CryptoKey
  kid: string
}

export async function testKeys(alg: 'ES256' | 'RS256' = 'ES256'): Promise<TestKeys> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const kid = `test-${alg.toLowerCase()}`
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' }
  return { privateJwk, publicKey, kid }
}
