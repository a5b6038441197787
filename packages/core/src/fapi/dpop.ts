/**
 * DPoP (RFC 9449): one ephemeral P-256 key per sign-in, proofs through oauth4webapi's DPoP
 * handle, a process-wide nonce cache per origin, and the one retry on `use_dpop_nonce`.
 *
 * Why a key per sign-in: Singpass and Corppass require a new key pair per authentication, used for
 * PAR, token and userinfo of that sign-in only (docs/fapi.md, "DPoP key per sign-in"). The private
 * JWK rides in the flow records from /authorize to /userinfo; it must never reach a log, Cognito
 * or a response.
 */
import * as oauth from 'oauth4webapi'
import { readBoundedText } from '../bounded-read.js'

/** A DPoP key as stored in a flow record: the P-256 private JWK (d, x, y) and nothing else. */
export interface DpopPrivateJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
  d: string
}

/** The DPoP proof algorithm; ES256 is the one every FAPI IdP and oidc-provider accept. */
export const DPOP_ALG = 'ES256'

const EC_PARAMS = { name: 'ECDSA', namedCurve: 'P-256' } as const
// A P-256 coordinate or scalar is 32 bytes: 43 base64url characters without padding.
const COORDINATE = /^[A-Za-z0-9_-]{43}$/

/** Generates a fresh key for one sign-in and returns its private JWK (for the flow record). */
export async function generateDpopKey(): Promise<DpopPrivateJwk> {
  const pair = (await crypto.subtle.generateKey(EC_PARAMS, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair
  const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey)
  return toDpopJwk(jwk)
}

/** True for a well-formed stored DPoP key (used when a flow record is decoded). */
export function isDpopPrivateJwk(value: unknown): value is DpopPrivateJwk {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    v.kty === 'EC' &&
    v.crv === 'P-256' &&
    [v.x, v.y, v.d].every((part) => typeof part === 'string' && COORDINATE.test(part))
  )
}

/**
 * Imports a stored DPoP key: the private half non-extractable, the public half extractable
 * (oauth4webapi puts it in the proof's `jwk` header). Web Crypto checks the point is on the curve.
 */
export async function importDpopKey(jwk: DpopPrivateJwk): Promise<CryptoKeyPair> {
  const { kty, crv, x, y, d } = jwk
  const [privateKey, publicKey] = await Promise.all([
    crypto.subtle.importKey('jwk', { kty, crv, x, y, d }, EC_PARAMS, false, ['sign']),
    crypto.subtle.importKey('jwk', { kty, crv, x, y }, EC_PARAMS, true, ['verify']),
  ])
  return { privateKey, publicKey }
}

/** The last `DPoP-Nonce` seen per origin (authorization server and resource server separately). */
export interface DpopNonceCache {
  get(origin: string): string | undefined
  set(origin: string, nonce: string): void
}

export interface DpopNonceCacheOptions {
  /** Origins remembered; the least recently used is dropped beyond. Default 100. */
  maxOrigins?: number
}

// RFC 9449 section 8.1: nonce = 1*NQCHAR. Bounded so an IdP cannot make us store megabytes.
const NONCE = /^[\x21\x23-\x5B\x5D-\x7E]{1,1024}$/

/**
 * One cache per process (not per sign-in): nonces belong to the server, not to the key, so the
 * next sign-in's first proof can carry the nonce the last one learned and skip the retry.
 */
export function createDpopNonceCache(options: DpopNonceCacheOptions = {}): DpopNonceCache {
  const max = options.maxOrigins ?? 100
  const nonces = new Map<string, string>()
  return {
    get(origin) {
      const nonce = nonces.get(origin)
      if (nonce !== undefined) {
        nonces.delete(origin)
        nonces.set(origin, nonce)
      }
      return nonce
    },
    set(origin, nonce) {
      if (!NONCE.test(nonce)) return
      nonces.delete(origin)
      if (nonces.size >= max) nonces.delete(nonces.keys().next().value as string)
      nonces.set(origin, nonce)
    },
  }
}

export interface DpopProofOptions {
  /** Clock in ms since the epoch (the proof's `iat`). */
  now: () => number
  nonces: DpopNonceCache
  /**
   * Adds `exp` = `iat` + this many seconds to every proof. RFC 9449 defines no `exp`; Singpass's
   * demo app sends one (at most 120 s). Unset: no `exp`.
   */
  proofLifetimeSeconds?: number
}

/**
 * A DPoP handle for one sign-in's key, to pass as `DPoP` to oauth4webapi's PAR, token and
 * userinfo requests. oauth4webapi makes the proof (typ dpop+jwt, jwk, fresh jti, htm, htu
 * without query and fragment, ath for resource calls); the hook sets `iat` from the injected
 * clock and the nonce from the shared cache.
 */
export function createDpopHandle(
  keyPair: CryptoKeyPair,
  options: DpopProofOptions,
): oauth.DPoPHandle {
  return oauth.DPoP({}, keyPair, {
    [oauth.modifyAssertion](_header, payload) {
      const iat = Math.floor(options.now() / 1000)
      payload.iat = iat
      if (options.proofLifetimeSeconds !== undefined) {
        payload.exp = iat + options.proofLifetimeSeconds
      }
      const origin = originOf(payload.htu)
      const shared = origin === undefined ? undefined : options.nonces.get(origin)
      if (shared !== undefined) payload.nonce = shared
    },
  })
}

/** The `dpop_jkt` PAR parameter (RFC 9449 section 10): the key's SHA-256 JWK thumbprint. */
export function dpopJkt(handle: oauth.DPoPHandle): Promise<string> {
  return handle.calculateThumbprint()
}

/**
 * Sends a DPoP request and, when the server asks for a nonce (`use_dpop_nonce`: a 400 OAuth error
 * at the authorization server, a 401 DPoP challenge at a resource server, each with a `DPoP-Nonce`
 * header), sends it once more. `send` must build the whole request again: a new proof (new jti,
 * the new nonce) and, at PAR and token, a new client assertion, because oidc-provider
 * authenticates the client before it checks DPoP and so has already spent the first assertion's
 * jti. oauth4webapi's request functions do both when called again with the same handle and
 * ClientAuth. A second `use_dpop_nonce` is returned as it is (the caller's processing turns it
 * into an error).
 */
export async function withDpopNonceRetry(
  url: string | URL,
  nonces: DpopNonceCache,
  send: () => Promise<Response>,
): Promise<Response> {
  const origin = new URL(url).origin
  const first = await send()
  const nonce = first.headers.get('dpop-nonce')
  if (nonce !== null) nonces.set(origin, nonce)
  if (nonce === null || !(await asksForNonce(first))) return first
  first.body?.cancel().catch(() => undefined)
  const second = await send()
  const next = second.headers.get('dpop-nonce')
  if (next !== null) nonces.set(origin, next)
  return second
}

/** `use_dpop_nonce` in a 401 DPoP challenge or a 400 OAuth error body (read from a clone). */
export async function asksForNonce(response: Response): Promise<boolean> {
  if (response.status === 401) {
    return /\bdpop\b[\s\S]*\berror\s*=\s*"?use_dpop_nonce\b/i.test(
      response.headers.get('www-authenticate') ?? '',
    )
  }
  if (response.status !== 400) return false
  try {
    const body = JSON.parse(
      await readBoundedText(response.clone(), {
        maxBytes: 16 * 1024,
        option: 'the DPoP error bound',
        what: 'DPoP error',
      }),
    )
    return (body as { error?: unknown } | null)?.error === 'use_dpop_nonce'
  } catch {
    return false
  }
}

function originOf(htu: unknown): string | undefined {
  if (typeof htu !== 'string') return undefined
  try {
    return new URL(htu).origin
  } catch {
    return undefined
  }
}

function toDpopJwk(jwk: JsonWebKey): DpopPrivateJwk {
  const { x, y, d } = jwk
  const candidate = { kty: 'EC', crv: 'P-256', x, y, d }
  if (!isDpopPrivateJwk(candidate)) throw new Error('the generated DPoP key is not a P-256 key')
  return candidate
}
