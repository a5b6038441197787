/**
 * The one cryptographic step of verifying a JWS: does `signature` sign `data` under `key` with
 * `alg`? Everything around it (the header, the key's selection from the JWKS, the claims) is
 * jose's (verify-jwt.ts). The step is injectable because its cost is mostly the runtime's, not
 * the maths: Web Crypto runs every verification on a worker thread and answers through a
 * promise, ~0.1–0.3 ms per id_token here, while node:crypto verifies an RS256 signature in
 * ~0.03 ms on the calling thread. Core stays on Web Crypto; Node adapters pass
 * `nodeSignatureCheck` from `@idp-proxy/core/node`.
 */

import { isSigningAlgorithm } from './key-source.js'
import { WEB_CRYPTO_PARAMS } from './webcrypto-signer.js'

/**
 * Checks one signature. `alg` is the JWS algorithm of the protected header (already one the
 * caller allows); `key` is the public key jose selected and imported for it. Returns false, or
 * throws, when the signature does not verify.
 */
export type SignatureCheck = (
  alg: string,
  key: CryptoKey,
  signature: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
) => boolean | Promise<boolean>

/** Web Crypto's parameters for `alg`: the signing table, and `Ed25519` (RFC 9864) as EdDSA. */
export function webCryptoParams(alg: string): AlgorithmIdentifier | RsaPssParams | EcdsaParams {
  if (alg === 'Ed25519') return WEB_CRYPTO_PARAMS.EdDSA
  if (!isSigningAlgorithm(alg)) throw new TypeError(`unsupported JWS algorithm ${alg}`)
  return WEB_CRYPTO_PARAMS[alg]
}

/** The default: `crypto.subtle.verify`, in every runtime with Web Crypto. */
export const webCryptoSignatureCheck: SignatureCheck = (alg, key, signature, data) =>
  crypto.subtle.verify(webCryptoParams(alg), key, signature, data)
