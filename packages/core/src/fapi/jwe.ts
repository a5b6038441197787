/**
 * Encrypted ID tokens and userinfo answers (JWE, RFC 7516): the IdP encrypts to the proxy's
 * `use: "enc"` key, the proxy picks the key by the header's `kid`, decrypts, and hands the inner
 * JWS on for verification (the inner token is what Cognito receives).
 *
 * A Decrypter is a strategy like the Signer: `{ kid, alg, publicJwk(), decrypt(jwe) }`. The static
 * one here (a private JWK, from a file or Secrets Manager) lets jose do the whole JWE. A KMS
 * decrypter fits the same shape but must do the key-management step itself (kms:Decrypt for
 * RSA-OAEP-256, kms:DeriveSharedSecret + Concat KDF + AES-KW for ECDH-ES+A*KW) and the content
 * decryption on Web Crypto, because jose takes only keys, never an external unwrap
 * (docs/fapi.md, "Decryption keys: what KMS can and cannot do").
 */
import { compactDecrypt, decodeProtectedHeader, importJWK } from 'jose'
import { MAX_IDP_RESPONSE_BYTES } from '../bounded-read.js'
import { ProxyError } from '../errors.js'

/** JWE `alg` values the proxy decrypts (key management). */
export const KEY_MANAGEMENT_ALGORITHMS = [
  'ECDH-ES',
  'ECDH-ES+A128KW',
  'ECDH-ES+A256KW',
  'RSA-OAEP-256',
] as const
export type KeyManagementAlgorithm = (typeof KEY_MANAGEMENT_ALGORITHMS)[number]

/** JWE `enc` values (content encryption). Singpass: A256CBC-HS512 (ID token), A256GCM (userinfo). */
export const CONTENT_ENCRYPTION_ALGORITHMS = [
  'A128GCM',
  'A256GCM',
  'A128CBC-HS256',
  'A256CBC-HS512',
] as const
export type ContentEncryptionAlgorithm = (typeof CONTENT_ENCRYPTION_ALGORITHMS)[number]

const EC_CURVES = ['P-256', 'P-384', 'P-521']

/** A public encryption key as published at the JWKS route. */
export interface EncryptionPublicJwk {
  kty: 'EC' | 'RSA'
  kid: string
  alg: KeyManagementAlgorithm
  use: 'enc'
  crv?: string
  x?: string
  y?: string
  n?: string
  e?: string
}

/** The protected header of a JWE, as far as the proxy reads it. */
export interface JweHeader {
  alg: string
  enc: string
  kid?: string
  cty?: string
}

export interface Decrypter {
  readonly kid: string
  readonly alg: KeyManagementAlgorithm
  publicJwk(): EncryptionPublicJwk
  /**
   * Decrypts a compact JWE addressed to this key (its header already checked against the
   * allow-lists) and returns the plaintext. Throws when it cannot (wrong key, bad tag).
   */
  decrypt(
    jwe: string,
    header: JweHeader,
    contentEncryption: readonly ContentEncryptionAlgorithm[],
  ): Promise<Uint8Array>
}

export interface DecryptOptions {
  /** Allowed `enc` values (e.g. from the IdP's discovery). Default: all of CONTENT_ENCRYPTION_ALGORITHMS. */
  contentEncryption?: readonly ContentEncryptionAlgorithm[]
  /** Longest JWE accepted, in characters. Default MAX_IDP_RESPONSE_BYTES. */
  maxLength?: number
}

function invalidKey(message: string): ProxyError {
  return new ProxyError('ERR_INVALID_KEY', message)
}

function failed(message: string, cause?: unknown): ProxyError {
  return new ProxyError('ERR_DECRYPTION_FAILED', message, cause === undefined ? {} : { cause })
}

/**
 * Imports a private decryption JWK (EC P-256/384/521 for ECDH-ES*, RSA >= 2048 bits for
 * RSA-OAEP-256) with `kid`, `alg` and `use: "enc"`. Messages never include key material.
 */
export async function importDecrypter(input: unknown): Promise<Decrypter> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidKey('a decryption key must be a JWK object')
  }
  const jwk = input as Record<string, unknown>
  const kid = jwk.kid
  if (typeof kid !== 'string' || kid.length === 0)
    throw invalidKey('a decryption key needs a "kid"')
  if (jwk.use !== 'enc') throw invalidKey(`the decryption key "${kid}" must have "use": "enc"`)
  const alg = jwk.alg
  if (!(KEY_MANAGEMENT_ALGORITHMS as readonly unknown[]).includes(alg)) {
    throw invalidKey(
      `the decryption key "${kid}" has alg ${JSON.stringify(alg)}; expected one of ${KEY_MANAGEMENT_ALGORITHMS.join(', ')}`,
    )
  }
  const algorithm = alg as KeyManagementAlgorithm
  if (typeof jwk.d !== 'string')
    throw invalidKey(`the decryption key "${kid}" is not a private key`)
  const rsa = algorithm === 'RSA-OAEP-256'
  if (rsa) {
    if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
      throw invalidKey(`the decryption key "${kid}" must be an RSA key for ${algorithm}`)
    }
    // base64url length of the modulus: 2048 bits = 256 bytes = 342 characters.
    if (jwk.n.length < 342)
      throw invalidKey(`the decryption key "${kid}" is shorter than 2048 bits`)
  } else if (
    jwk.kty !== 'EC' ||
    !EC_CURVES.includes(jwk.crv as string) ||
    typeof jwk.x !== 'string' ||
    typeof jwk.y !== 'string'
  ) {
    throw invalidKey(
      `the decryption key "${kid}" must be an EC P-256, P-384 or P-521 key for ${algorithm}`,
    )
  }
  const publicJwk: EncryptionPublicJwk = rsa
    ? { kty: 'RSA', kid, alg: algorithm, use: 'enc', n: jwk.n as string, e: jwk.e as string }
    : {
        kty: 'EC',
        kid,
        alg: algorithm,
        use: 'enc',
        crv: jwk.crv as string,
        x: jwk.x as string,
        y: jwk.y as string,
      }
  let key: Awaited<ReturnType<typeof importJWK>>
  try {
    key = await importJWK({ ...(jwk as object), ext: false }, algorithm)
  } catch (cause) {
    throw new ProxyError('ERR_INVALID_KEY', `the decryption key "${kid}" could not be imported`, {
      cause,
    })
  }
  return {
    kid,
    alg: algorithm,
    publicJwk: () => ({ ...publicJwk }),
    async decrypt(jwe, _header, contentEncryption) {
      const { plaintext } = await compactDecrypt(jwe, key, {
        keyManagementAlgorithms: [algorithm],
        contentEncryptionAlgorithms: [...contentEncryption],
      })
      return plaintext
    },
  }
}

/** The public halves, for the JWKS route (next to the signing keys). */
export function toPublicEncryptionJwks(decrypters: readonly Decrypter[]): {
  keys: EncryptionPublicJwk[]
} {
  return { keys: decrypters.map((decrypter) => decrypter.publicJwk()) }
}

/** True for a compact JWE (five parts), false for a compact JWS (three). */
export function isCompactJwe(token: string): boolean {
  return token.split('.').length === 5
}

/**
 * Decrypts a compact JWE with the decrypter its `kid` names (or, without a `kid`, the ones whose
 * `alg` matches, in order) and returns the plaintext as text. `alg` and `enc` outside the
 * allow-lists are refused before any key is touched.
 */
export async function decryptJwe(
  jwe: string,
  decrypters: readonly Decrypter[],
  options: DecryptOptions = {},
): Promise<string> {
  const maxLength = options.maxLength ?? MAX_IDP_RESPONSE_BYTES
  if (jwe.length > maxLength) throw failed(`the JWE is longer than ${maxLength} characters`)
  if (!isCompactJwe(jwe)) throw failed('the value is not a compact JWE')
  let header: JweHeader
  try {
    header = decodeProtectedHeader(jwe) as JweHeader
  } catch (cause) {
    throw failed('the JWE protected header is malformed', cause)
  }
  const enc = options.contentEncryption ?? CONTENT_ENCRYPTION_ALGORITHMS
  if (typeof header.alg !== 'string' || typeof header.enc !== 'string') {
    throw failed('the JWE header lacks alg or enc')
  }
  if (!(enc as readonly string[]).includes(header.enc)) {
    throw failed(`the JWE enc ${JSON.stringify(header.enc)} is not allowed`)
  }
  const candidates =
    header.kid === undefined
      ? decrypters.filter((d) => d.alg === header.alg)
      : decrypters.filter((d) => d.kid === header.kid)
  if (candidates.length === 0) {
    throw failed(
      header.kid === undefined
        ? `no decryption key for alg ${JSON.stringify(header.alg)}`
        : `no decryption key with kid ${JSON.stringify(header.kid)}`,
    )
  }
  let lastCause: unknown
  for (const decrypter of candidates) {
    if (decrypter.alg !== header.alg) {
      throw failed(
        `the JWE alg ${JSON.stringify(header.alg)} does not match key "${decrypter.kid}"`,
      )
    }
    try {
      const plaintext = await decrypter.decrypt(jwe, header, enc)
      return new TextDecoder('utf-8', { fatal: true }).decode(plaintext)
    } catch (cause) {
      lastCause = cause
    }
  }
  throw failed('the JWE could not be decrypted', lastCause)
}

export interface IdTokenDecryptOptions extends DecryptOptions {
  /** Refuse a plain (signed-only) ID token. Set for IdPs that must encrypt (Singpass). */
  required?: boolean
}

/**
 * The ID token as Cognito and the verifier need it: the inner compact JWS. A JWE is decrypted;
 * a JWS passes through unless encryption is required.
 */
export async function decryptIdToken(
  idToken: string,
  decrypters: readonly Decrypter[],
  options: IdTokenDecryptOptions = {},
): Promise<string> {
  if (!isCompactJwe(idToken)) {
    if (options.required) {
      throw new ProxyError(
        'ERR_IDP_RESPONSE_INVALID',
        'the IdP sent an ID token that is not encrypted',
      )
    }
    return idToken
  }
  const inner = await decryptJwe(idToken, decrypters, options)
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(inner)) {
    throw new ProxyError('ERR_IDP_RESPONSE_INVALID', 'the decrypted ID token is not a signed JWT')
  }
  return inner
}
