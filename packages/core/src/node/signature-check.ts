/**
 * `SignatureCheck` on node:crypto, for the Node adapters (`@idp-proxy/core/node`): the same
 * verification as Web Crypto's (same algorithms, same key), without its round trip through the
 * thread pool. A check that costs less than that round trip runs on the calling thread (RSA
 * verification is ~0.03 ms for a 2048-bit key, ES256 and Ed25519 ~0.1 ms); ES384 and ES512
 * (0.5–1.3 ms) go to the thread pool through node:crypto's callback form, so one slow IdP
 * algorithm never holds up other requests.
 */
import { constants, KeyObject, type VerifyKeyObjectInput, verify } from 'node:crypto'
import { type SignatureCheck, webCryptoSignatureCheck } from '../keys/signature-check.js'

interface NodeVerify {
  /** node:crypto's digest, or null where the algorithm fixes it (Ed25519). */
  hash: string | null
  /**
   * Padding or signature encoding, when the key's defaults are not the algorithm's. Without
   * any, the KeyObject is passed as it is: node:crypto prepares a `{ key, ... }` input on every
   * call, ~20 µs more than the RSA verification itself.
   */
  options?: Omit<VerifyKeyObjectInput, 'key'>
  /** Run on the thread pool: verifying costs more than the round trip there. */
  offload: boolean
}

const PSS = (bytes: number): Omit<VerifyKeyObjectInput, 'key'> => ({
  padding: constants.RSA_PKCS1_PSS_PADDING,
  // JWS fixes the salt at the digest's length (RFC 7518 3.5): nothing else verifies.
  saltLength: bytes,
})
// JWS carries ECDSA signatures as r‖s (RFC 7518 3.4), not DER.
const P1363 = { dsaEncoding: 'ieee-p1363' } as const

const NODE_VERIFY: Record<string, NodeVerify> = {
  RS256: { hash: 'sha256', offload: false },
  RS384: { hash: 'sha384', offload: false },
  RS512: { hash: 'sha512', offload: false },
  PS256: { hash: 'sha256', options: PSS(32), offload: false },
  PS384: { hash: 'sha384', options: PSS(48), offload: false },
  PS512: { hash: 'sha512', options: PSS(64), offload: false },
  ES256: { hash: 'sha256', options: P1363, offload: false },
  ES384: { hash: 'sha384', options: P1363, offload: true },
  ES512: { hash: 'sha512', options: P1363, offload: true },
  EdDSA: { hash: null, offload: false },
  Ed25519: { hash: null, offload: false },
}

// jose caches the keys it imports from a JWKS, so one KeyObject per CryptoKey is enough.
const keyObjects = new WeakMap<CryptoKey, KeyObject>()

function keyObjectOf(key: CryptoKey): KeyObject {
  let keyObject = keyObjects.get(key)
  if (!keyObject) {
    keyObject = KeyObject.from(key)
    keyObjects.set(key, keyObject)
  }
  return keyObject
}

export const nodeSignatureCheck: SignatureCheck = (alg, key, signature, data) => {
  const spec = NODE_VERIFY[alg]
  // A key imported non-extractable (an IdP JWK with "ext": false) has no KeyObject without a
  // deprecation warning (DEP0204): Web Crypto verifies it as before.
  if (!spec || !key.extractable || key.type !== 'public') {
    return webCryptoSignatureCheck(alg, key, signature, data)
  }
  const keyObject = keyObjectOf(key)
  const input = spec.options ? { key: keyObject, ...spec.options } : keyObject
  if (!spec.offload) return verify(spec.hash, data, input, signature)
  return new Promise<boolean>((resolve, reject) => {
    verify(spec.hash, data, input, signature, (error, result) => {
      if (error) reject(error)
      else resolve(result)
    })
  })
}
