/** A fresh signing key pair for a test: the private JWK for the proxy, the public JWKS for the IdP. */
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose'

export interface TestKeys {
  privateJwk: JWK
  publicJwks: JSONWebKeySet
  kid: string
}

export async function testKeys(alg: 'ES256' | 'RS256' = 'ES256'): Promise<TestKeys> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const kid = `test-${alg.toLowerCase()}`
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' }
  const publicJwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }] }
  return { privateJwk, publicJwks, kid }
}
