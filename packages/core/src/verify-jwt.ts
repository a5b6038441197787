/**
 * A signed JWT verified with jose's own rules around an injectable signature check
 * (keys/signature-check.ts): the compact form and its protected header as jose parses them,
 * the key as jose's JWKS selection picks and imports it, and the claims through jose's
 * `validateClaimsSet` (reached through `UnsecuredJWT.decode`, which applies exactly the options
 * `jwtVerify` takes to a payload). Only the call to the crypto is ours to choose.
 */
import {
  base64url,
  decodeProtectedHeader,
  errors,
  type JWTClaimVerificationOptions,
  type JWTPayload,
  type JWTVerifyGetKey,
  UnsecuredJWT,
} from 'jose'
import { utf8 } from './encoding.js'
import type { SignatureCheck } from './keys/signature-check.js'

export interface VerifyJwtOptions extends JWTClaimVerificationOptions {
  /** The JWS algorithms accepted (asymmetric only: the proxy shares no secret with anyone). */
  algorithms: readonly string[]
  check: SignatureCheck
}

// The segments of a compact JWS are base64url: anything else (non-ASCII too) is not one.
const SEGMENT = /^[A-Za-z0-9_-]*$/
const UNSECURED_HEADER = base64url.encode('{"alg":"none"}')
// jose's minimum for RSA keys (RFC 7518 3.3: 2048 bits or larger).
const MIN_RSA_BITS = 2048

/** The verified claims of `token`; throws jose's errors, as `jwtVerify` would. */
export async function verifyJwt(
  token: string,
  keys: JWTVerifyGetKey,
  options: VerifyJwtOptions,
): Promise<JWTPayload> {
  const { algorithms, check, ...claims } = options
  const parts = token.split('.')
  const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] = parts
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) {
    throw new errors.JWSInvalid('Invalid Compact JWS')
  }
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(token)
  } catch (cause) {
    throw new errors.JWSInvalid('JWS Protected Header is invalid', { cause })
  }
  // No JWS extension is understood here, so one marked critical is refused (RFC 7515 4.1.11);
  // jose would accept only `b64`, which a JWT must not use (RFC 7797 7) anyway.
  if (header.crit !== undefined) {
    throw new errors.JOSENotSupported('the "crit" Header Parameter names an unsupported extension')
  }
  const { alg } = header
  if (typeof alg !== 'string' || alg === '') {
    throw new errors.JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing or invalid')
  }
  if (!algorithms.includes(alg)) {
    throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed')
  }
  const key = await keys(
    { ...header, alg },
    {
      protected: encodedHeader,
      payload: encodedPayload,
      signature: encodedSignature,
    },
  )
  if (!(key instanceof CryptoKey)) throw new TypeError('the key set gave no CryptoKey')
  const { modulusLength } = key.algorithm as Partial<RsaHashedKeyAlgorithm>
  if (modulusLength !== undefined && modulusLength < MIN_RSA_BITS) {
    throw new TypeError(`${alg} requires key modulusLength to be ${MIN_RSA_BITS} bits or larger`)
  }
  let signature: Uint8Array<ArrayBuffer>
  try {
    signature = base64url.decode(encodedSignature) as Uint8Array<ArrayBuffer>
  } catch (cause) {
    throw new errors.JWSInvalid('the JWS Signature is not base64url', { cause })
  }
  let verified: boolean
  try {
    verified = await check(alg, key, signature, utf8(`${encodedHeader}.${encodedPayload}`))
  } catch (cause) {
    throw new errors.JWSSignatureVerificationFailed(undefined, { cause })
  }
  if (!verified) throw new errors.JWSSignatureVerificationFailed()
  return UnsecuredJWT.decode(`${UNSECURED_HEADER}.${encodedPayload}.`, claims).payload
}
