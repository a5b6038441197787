/**
 * The IdP's userinfo, called by the proxy's /userinfo on Cognito's behalf: `Authorization: DPoP`
 * with a proof carrying `ath` (or Bearer for a token that is not DPoP-bound), one nonce retry,
 * a bounded read, and the answer as JSON claims whatever its form: JSON, a signed JWT (verified
 * against the IdP's keys, `iss` and `aud`), or a JWE around a signed JWT (Myinfo v5).
 */
import { type JWTVerifyGetKey, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import { bufferResponse, MAX_IDP_RESPONSE_BYTES } from '../bounded-read.js'
import { ProxyError } from '../errors.js'
import { idpFailure } from '../idp-metadata.js'
import { withDpopNonceRetry } from './dpop.js'
import { idpRejection } from './idp-errors.js'
import { type IdpHttp, oauthRequestOptions } from './idp-http.js'
import { type ContentEncryptionAlgorithm, type Decrypter, decryptJwe, isCompactJwe } from './jwe.js'
import type { DpopBinding } from './par.js'

/** JWS algorithms accepted on signed userinfo (FAPI 2.0 section 5.4.1 plus the RSA ones IdPs use). */
export const USERINFO_SIGNING_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'RS256', 'EdDSA']

export interface UserinfoInput {
  /** The IdP's metadata; `userinfo_endpoint` and `issuer` are used. */
  server: oauth.AuthorizationServer
  clientId: string
  accessToken: string
  /** The sign-in's DPoP key when the token is DPoP-bound (token_type DPoP); Bearer without. */
  dpop?: DpopBinding
  /** The verified ID token's `sub`: the userinfo `sub` must equal it (OIDC Core 5.3.4). */
  expectedSubject: string
  /** The IdP's signing keys, for JWT answers (jose's createRemoteJWKSet or createLocalJWKSet). */
  idpKeys?: JWTVerifyGetKey
  /** Decryption keys, for JWE answers. */
  decrypters?: readonly Decrypter[]
  contentEncryption?: readonly ContentEncryptionAlgorithm[]
  signingAlgorithms?: readonly string[]
  http: IdpHttp
  /** Clock in ms since the epoch (the JWT's exp/nbf/iat check). */
  now: () => number
}

export type UserinfoClaims = Record<string, unknown> & { sub: string }

export async function fetchUserinfo(input: UserinfoInput): Promise<UserinfoClaims> {
  const endpoint = input.server.userinfo_endpoint
  if (!endpoint) {
    throw new ProxyError('ERR_IDP_UNAVAILABLE', "the IdP's metadata has no userinfo_endpoint")
  }
  const client: oauth.Client = { client_id: input.clientId }
  const signal = AbortSignal.timeout(input.http.timeoutMs)
  const max = input.http.maxResponseBytes ?? MAX_IDP_RESPONSE_BYTES
  const send = () =>
    oauth.userInfoRequest(input.server, client, input.accessToken, {
      ...oauthRequestOptions(input.http, signal),
      ...(input.dpop ? { DPoP: input.dpop.handle } : {}),
    })
  let response: Response
  let text: string
  try {
    const raw = input.dpop
      ? await withDpopNonceRetry(endpoint, input.dpop.nonces, send)
      : await send()
    response = await bufferResponse(raw, {
      maxBytes: max,
      option: input.http.maxResponseOption ?? 'maxIdpTokenBytes',
      what: 'userinfo answer',
    })
    text = await response.text()
  } catch (cause) {
    throw idpFailure(cause, signal, 'userinfo request')
  }
  if (response.status !== 200) throw refusal(response)

  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
  const claims = type === 'application/jwt' ? await jwtClaims(text.trim(), input) : jsonClaims(text)
  if (claims.sub !== input.expectedSubject) {
    throw new ProxyError('ERR_IDP_RESPONSE_INVALID', "the userinfo sub is not the ID token's sub")
  }
  return claims as UserinfoClaims
}

function refusal(response: Response): ProxyError {
  const challenge = response.headers.get('www-authenticate')
  if (challenge) {
    const code = /\berror\s*=\s*"?([\x21\x23-\x5B\x5D-\x7E]{1,64}?)"?(?:[,\s]|$)/.exec(
      challenge,
    )?.[1]
    return new ProxyError(
      'ERR_IDP_REJECTED',
      `the IdP refused the userinfo request (${code ?? 'no error code'}, HTTP ${response.status})`,
    )
  }
  return idpRejection(undefined, `userinfo request (HTTP ${response.status})`)
}

function jsonClaims(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    value = undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProxyError(
      'ERR_IDP_RESPONSE_INVALID',
      "the IdP's userinfo answer is not a JSON object",
    )
  }
  return value as Record<string, unknown>
}

async function jwtClaims(token: string, input: UserinfoInput): Promise<Record<string, unknown>> {
  let jws = token
  if (isCompactJwe(token)) {
    if (!input.decrypters?.length) {
      throw new ProxyError(
        'ERR_DECRYPTION_FAILED',
        'the userinfo answer is encrypted but no decryption key is configured',
      )
    }
    jws = await decryptJwe(token, input.decrypters, {
      ...(input.contentEncryption ? { contentEncryption: input.contentEncryption } : {}),
    })
  }
  if (!input.idpKeys) {
    throw new ProxyError(
      'ERR_IDP_RESPONSE_INVALID',
      'the userinfo answer is a JWT but no IdP keys are configured',
    )
  }
  try {
    const { payload } = await jwtVerify(jws, input.idpKeys, {
      issuer: input.server.issuer,
      audience: input.clientId,
      algorithms: [...(input.signingAlgorithms ?? USERINFO_SIGNING_ALGORITHMS)],
      currentDate: new Date(input.now()),
    })
    return payload
  } catch (cause) {
    throw new ProxyError(
      'ERR_IDP_RESPONSE_INVALID',
      'the signed userinfo answer fails verification',
      {
        cause,
      },
    )
  }
}

// Claims that describe the ID token itself, not the user: left out when the verified ID token
// stands in for userinfo (Singpass Login apps have no userinfo endpoint).
const TOKEN_ONLY_CLAIMS = new Set([
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'nonce',
  'at_hash',
  'c_hash',
  's_hash',
  'azp',
  'sid',
  'cnf',
])

/** The verified ID token's claims as a userinfo answer (for an IdP without a userinfo endpoint). */
export function userinfoFromIdToken(
  claims: Record<string, unknown> & { sub: string },
): UserinfoClaims {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(claims))
    if (!TOKEN_ONLY_CLAIMS.has(name)) out[name] = value
  return out as UserinfoClaims
}
