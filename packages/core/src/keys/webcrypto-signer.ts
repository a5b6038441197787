import { importJWK } from 'jose'
import { ProxyError } from '../errors.js'
import type { Signer, SigningAlgorithm } from './key-source.js'
import type { PrivateJwk } from './private-jwk.js'

type SignParams = AlgorithmIdentifier | RsaPssParams | EcdsaParams

// Web Crypto's parameters for each JWS algorithm. ECDSA output from Web Crypto is already the
// raw r‖s form JWS wants (for P-521 each half is 66 bytes).
export const WEB_CRYPTO_PARAMS: Record<SigningAlgorithm, SignParams> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  RS384: { name: 'RSASSA-PKCS1-v1_5' },
  RS512: { name: 'RSASSA-PKCS1-v1_5' },
  PS256: { name: 'RSA-PSS', saltLength: 32 } as RsaPssParams,
  PS384: { name: 'RSA-PSS', saltLength: 48 } as RsaPssParams,
  PS512: { name: 'RSA-PSS', saltLength: 64 } as RsaPssParams,
  ES256: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
  ES384: { name: 'ECDSA', hash: 'SHA-384' } as EcdsaParams,
  ES512: { name: 'ECDSA', hash: 'SHA-512' } as EcdsaParams,
  // Ed25519 in Web Crypto (Node 22/24, current browsers and workers): pure EdDSA, RFC 8037.
  EdDSA: { name: 'Ed25519' },
}

/**
 * Imports a validated private JWK once (as a non-extractable CryptoKey) and returns a Signer.
 * Importing is the expensive part (tens of ms for RSA-4096), so callers keep the Signer.
 */
export async function importSigner(jwk: PrivateJwk): Promise<Signer> {
  let key: CryptoKey
  try {
    const imported = await importJWK({ ...jwk, ext: false }, jwk.alg)
    key = imported as CryptoKey
  } catch (cause) {
    // jose's message names the JWK problem without printing key material.
    throw new ProxyError(
      'ERR_INVALID_KEY',
      `the key with kid "${jwk.kid}" could not be imported for ${jwk.alg}`,
      { cause },
    )
  }
  const params = WEB_CRYPTO_PARAMS[jwk.alg]
  const thumbprint = jwk['x5t#S256']
  return {
    kid: jwk.kid,
    alg: jwk.alg,
    ...(typeof thumbprint === 'string' ? { header: { 'x5t#S256': thumbprint } } : {}),
    async sign(data) {
      return new Uint8Array(await crypto.subtle.sign(params, key, data as BufferSource))
    },
  }
}
