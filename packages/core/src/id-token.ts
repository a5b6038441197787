/**
 * The IdP's id_token is verified before Cognito sees it: signature against the IdP's JWKS, `iss`,
 * `aud` (and `azp` when there are several audiences), `exp`, and the nonce of the authorization
 * request. What this does and does not prove is in docs/limits.md.
 *
 * The JWKS is fetched here rather than with jose's createRemoteJWKSet, which reads the answer
 * without a size bound: through the injected fetch, bounded, with the IdP timeout, cached, and
 * fetched again when a token names a `kid` the cache does not know (key rotation), at most once
 * per cool-down so a stream of forged kids cannot make the proxy hammer the IdP.
 */
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose'
import { boundedFetch, parseJsonObject, readBoundedText } from './bounded-read.js'
import { ProxyError } from './errors.js'
import { idpFailure } from './idp-metadata.js'
import { SIGNING_ALGORITHMS } from './keys/key-source.js'
import type { ResolvedOptions } from './options.js'
import { verifyJwt } from './verify-jwt.js'

/**
 * Asymmetric algorithms only (the proxy holds no secret shared with the IdP): those the proxy
 * signs with, and `Ed25519`, the fully specified name of EdDSA over Ed25519 (RFC 9864).
 */
const ALGORITHMS: string[] = [...SIGNING_ALGORITHMS, 'Ed25519']
/** Least time between two fetches of the JWKS triggered by an unknown kid. */
export const JWKS_REFRESH_COOLDOWN_MS = 30_000
/** A cached JWKS older than this is fetched again before use (a failed refresh keeps the old). */
export const JWKS_MAX_AGE_MS = 600_000
/** Leeway for the IdP's clock on `exp`, `iat` and `nbf`, in seconds. */
const CLOCK_TOLERANCE_SECONDS = 30

export interface IdTokenExpectations {
  issuer: string
  /** The IdP's JWKS URL. */
  jwksUri: string
  /** The nonce sent in the authorization request; undefined when the proxy never saw it. */
  nonce: string | undefined
}

/** Verifies the id_token and returns its claims (for the access-token record of /userinfo). */
export type IdTokenVerifier = ((
  idToken: unknown,
  expected: IdTokenExpectations,
) => Promise<Record<string, unknown>>) & {
  /** The IdP's keys from the same cache, for signed userinfo answers. */
  keys?: (jwksUri: string) => Promise<JWTVerifyGetKey>
}

interface CachedJwks {
  uri: string
  keys: ReturnType<typeof createLocalJWKSet>
  fetchedAt: number
}

export function idTokenVerifier(options: ResolvedOptions): IdTokenVerifier {
  let cached: CachedJwks | undefined
  let inFlight: Promise<CachedJwks> | undefined

  function load(uri: string): Promise<CachedJwks> {
    inFlight ??= fetchJwks(options, uri).finally(() => {
      inFlight = undefined
    })
    return inFlight
  }

  async function current(uri: string): Promise<CachedJwks> {
    const at = options.now()
    if (!cached || cached.uri !== uri) cached = await load(uri)
    else if (at - cached.fetchedAt > JWKS_MAX_AGE_MS) {
      cached = await load(uri).catch(() => cached as CachedJwks)
    }
    return cached
  }

  const verifier: IdTokenVerifier = async (idToken, expected) => {
    if (typeof idToken !== 'string' || idToken === '') throw rejected('id_token missing')
    let jwks = await current(expected.jwksUri)
    let payload: Record<string, unknown>
    try {
      payload = await verify(idToken, jwks, expected, options)
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw rejected(checkOf(error), error)
      // An unknown kid: the IdP may have rotated. Fetch again, unless that happened just now.
      if (options.now() - jwks.fetchedAt < JWKS_REFRESH_COOLDOWN_MS) {
        throw rejected('kid (no such key in the IdP JWKS)', error)
      }
      cached = jwks = await load(expected.jwksUri)
      try {
        payload = await verify(idToken, jwks, expected, options)
      } catch (again) {
        throw rejected(checkOf(again), again)
      }
    }
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== options.clientId) {
      throw rejected('azp')
    }
    if (expected.nonce !== undefined && payload.nonce !== expected.nonce) {
      throw rejected(payload.nonce === undefined ? 'nonce (missing)' : 'nonce')
    }
    return payload
  }
  verifier.keys = async (uri) => {
    const { keys } = await current(uri)
    return keys
  }
  return verifier
}

async function verify(
  idToken: string,
  jwks: CachedJwks,
  expected: IdTokenExpectations,
  options: ResolvedOptions,
): Promise<Record<string, unknown>> {
  return verifyJwt(idToken, jwks.keys, {
    issuer: expected.issuer,
    audience: options.clientId,
    algorithms: ALGORITHMS,
    requiredClaims: ['exp', 'iat', 'sub'],
    currentDate: new Date(options.now()),
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    check: options.signatureCheck,
  })
}

async function fetchJwks(options: ResolvedOptions, uri: string): Promise<CachedJwks> {
  const what = 'JWKS fetch'
  const signal = AbortSignal.timeout(options.idpTimeoutMs)
  let text: string
  let status: number
  try {
    const bound = { maxBytes: options.maxIdpMetadataBytes, option: 'maxIdpMetadataBytes', what }
    const response = await boundedFetch(options.fetch, bound)(uri, {
      signal,
      redirect: 'manual',
      headers: { accept: 'application/json, application/jwk-set+json' },
    })
    status = response.status
    text = await readBoundedText(response, bound)
  } catch (cause) {
    throw idpFailure(cause, signal, what)
  }
  const body = status === 200 ? parseJsonObject(text) : undefined
  if (!body || !Array.isArray(body.keys)) {
    throw new ProxyError(
      'ERR_IDP_UNAVAILABLE',
      `${what}: ${uri} answered HTTP ${status} without a JSON Web Key Set`,
    )
  }
  let keys: ReturnType<typeof createLocalJWKSet>
  try {
    keys = createLocalJWKSet(body as unknown as JSONWebKeySet)
  } catch (cause) {
    throw new ProxyError('ERR_IDP_UNAVAILABLE', `${what}: ${uri} has no usable key set`, { cause })
  }
  return { uri, keys, fetchedAt: options.now() }
}

/** Which check a jose error stands for: what the log line and Cognito's description name. */
function checkOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'exp'
  if (error instanceof errors.JWTClaimValidationFailed) return error.claim
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature'
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'kid (several keys match)'
  if (error instanceof errors.JOSEAlgNotAllowed) return 'alg'
  return 'format'
}

function rejected(check: string, cause?: unknown): ProxyError {
  return new ProxyError(
    'ERR_ID_TOKEN_INVALID',
    `the IdP's id_token failed verification: ${check}`,
    cause === undefined ? {} : { cause },
  )
}
