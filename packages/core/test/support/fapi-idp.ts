/**
 * A small FAPI 2.0 IdP on msw for core's route tests: PAR (client assertion with aud = issuer,
 * optional DPoP proof), a token endpoint that checks the DPoP proof (htm, htu, jkt = the PAR
 * proof's, a server nonce asked for once), ID tokens signed ES256 and optionally encrypted to
 * the proxy's `enc` key, userinfo with `Authorization: DPoP` + `ath`. It records what it got so
 * tests can assert on it. The real-IdP coverage is dev/test/fapi-proxy.test.ts (oidc-provider).
 */
import {
  base64url,
  CompactEncrypt,
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  EmbeddedJWK,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose'
import { HttpResponse, http } from 'msw'
import type { EncryptionPublicJwk } from '../../src/index.js'
import { CLIENT_ID, mswServer } from './fixtures.js'

export const FAPI_ISSUER = 'https://fapi.example.com'
export const PAR_ENDPOINT = `${FAPI_ISSUER}/par`
export const FAPI_AUTHORIZE = `${FAPI_ISSUER}/auth`
export const FAPI_TOKEN = `${FAPI_ISSUER}/token`
export const FAPI_USERINFO = `${FAPI_ISSUER}/me`
export const FAPI_JWKS = `${FAPI_ISSUER}/jwks`

export interface FapiIdpSetup {
  /** The proxy's public JWKS (signing, for assertions). */
  clientJwks: () => Promise<{ keys: JWK[] }>
  /** Encrypt ID tokens to this key; undefined: signed only. */
  encryptTo?: EncryptionPublicJwk
  dpop?: boolean
  userinfo?: boolean
  /** Answer PAR with this OAuth error, or fail the connection ('network'). */
  parFailure?: { error: string } | 'network'
  /** Put `at_hash` in ID tokens. */
  atHash?: boolean
}

export interface Seen {
  par: { form: URLSearchParams; dpop: string | null; assertion: JWTPayload }[]
  token: { form: URLSearchParams; dpop: string | null; assertion: JWTPayload; status: number }[]
  userinfo: { authorization: string | null; dpop: string | null; status: number }[]
  /** The access tokens the IdP issued. */
  accessTokens: string[]
}

const USER = { sub: 'user-1', email: 'ada@example.com', name: 'Ada Lovelace' }

export { USER as FAPI_USER }

export async function startFapiIdp(setup: FapiIdpSetup) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const idpJwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' }
  const seen: Seen = { par: [], token: [], userinfo: [], accessTokens: [] }
  const requests = new Map<string, { params: URLSearchParams; jkt: string | undefined }>()
  const codes = new Map<string, { params: URLSearchParams; jkt: string | undefined }>()
  const tokens = new Map<string, string | undefined>()
  const nonce = base64url.encode(crypto.getRandomValues(new Uint8Array(16)))
  const usedJtis = new Set<string>()

  async function assertion(form: URLSearchParams): Promise<JWTPayload> {
    const keys = createLocalJWKSet(await setup.clientJwks())
    const { payload } = await jwtVerify(form.get('client_assertion') ?? '', keys, {
      issuer: CLIENT_ID,
      subject: CLIENT_ID,
      audience: FAPI_ISSUER,
    })
    if (usedJtis.has(String(payload.jti))) throw new Error('assertion jti replayed')
    usedJtis.add(String(payload.jti))
    return payload
  }

  /** A DPoP proof's key thumbprint, after checking htm, htu and (when asked) the nonce. */
  async function proof(
    header: string | null,
    htm: string,
    htu: string,
    needNonce: boolean,
    accessToken?: string,
  ): Promise<{ jkt: string } | { error: string }> {
    if (!header) return { error: 'invalid_dpop_proof' }
    try {
      const { payload } = await jwtVerify(header, EmbeddedJWK, { typ: 'dpop+jwt' })
      if (payload.htm !== htm || payload.htu !== htu) return { error: 'invalid_dpop_proof' }
      if (needNonce && payload.nonce !== nonce) return { error: 'use_dpop_nonce' }
      if (accessToken) {
        const ath = base64url.encode(
          new Uint8Array(
            await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken)),
          ),
        )
        if (payload.ath !== ath) return { error: 'invalid_dpop_proof' }
      }
      const { jwk } = decodeProtectedHeader(header) as { jwk: JWK }
      return { jkt: await calculateJwkThumbprint(jwk) }
    } catch {
      return { error: 'invalid_dpop_proof' }
    }
  }

  async function idToken(params: URLSearchParams, accessToken: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000)
    const claims: JWTPayload = { ...USER, nonce: params.get('nonce') ?? undefined }
    if (setup.atHash)
      claims.at_hash = base64url.encode(new TextEncoder().encode(accessToken).slice(0, 16))
    const signed = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .setIssuer(FAPI_ISSUER)
      .setAudience(CLIENT_ID)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey)
    if (!setup.encryptTo) return signed
    const { importJWK } = await import('jose')
    const key = await importJWK(setup.encryptTo as JWK, setup.encryptTo.alg)
    return new CompactEncrypt(new TextEncoder().encode(signed))
      .setProtectedHeader({
        alg: setup.encryptTo.alg,
        enc: 'A256GCM',
        kid: setup.encryptTo.kid,
        cty: 'JWT',
      })
      .encrypt(key)
  }

  const handlers = [
    http.get(`${FAPI_ISSUER}/.well-known/openid-configuration`, () =>
      HttpResponse.json({
        issuer: FAPI_ISSUER,
        authorization_endpoint: FAPI_AUTHORIZE,
        token_endpoint: FAPI_TOKEN,
        jwks_uri: FAPI_JWKS,
        pushed_authorization_request_endpoint: PAR_ENDPOINT,
        require_pushed_authorization_requests: true,
        ...(setup.userinfo === false ? {} : { userinfo_endpoint: FAPI_USERINFO }),
      }),
    ),
    http.get(FAPI_JWKS, () => HttpResponse.json({ keys: [idpJwk] })),
    http.post(PAR_ENDPOINT, async ({ request }) => {
      if (setup.parFailure === 'network') return HttpResponse.error()
      const form = new URLSearchParams(await request.text())
      const dpop = request.headers.get('dpop')
      const client = await assertion(form).catch(() => undefined)
      if (!client) return HttpResponse.json({ error: 'invalid_client' }, { status: 401 })
      seen.par.push({ form, dpop, assertion: client })
      if (setup.parFailure) return HttpResponse.json(setup.parFailure, { status: 400 })
      let jkt: string | undefined
      if (setup.dpop) {
        const checked = await proof(dpop, 'POST', PAR_ENDPOINT, false)
        if ('error' in checked) return HttpResponse.json(checked, { status: 400 })
        jkt = checked.jkt
      }
      const requestUri = `urn:ietf:params:oauth:request_uri:${crypto.randomUUID()}`
      requests.set(requestUri, { params: form, jkt })
      return HttpResponse.json({ request_uri: requestUri, expires_in: 60 }, { status: 201 })
    }),
    http.post(FAPI_TOKEN, async ({ request }) => {
      const form = new URLSearchParams(await request.text())
      const dpop = request.headers.get('dpop')
      const client = await assertion(form).catch(() => undefined)
      if (!client) return HttpResponse.json({ error: 'invalid_client' }, { status: 401 })
      const entry = { form, dpop, assertion: client, status: 200 }
      seen.token.push(entry)
      const flow = codes.get(form.get('code') ?? '')
      const refuse = (error: string, headers: Record<string, string> = {}) => {
        entry.status = 400
        return HttpResponse.json({ error }, { status: 400, headers })
      }
      if (!flow) return refuse('invalid_grant')
      if (setup.dpop) {
        const checked = await proof(dpop, 'POST', FAPI_TOKEN, true)
        if ('error' in checked) {
          return refuse(
            checked.error,
            checked.error === 'use_dpop_nonce' ? { 'dpop-nonce': nonce } : {},
          )
        }
        if (checked.jkt !== flow.jkt) return refuse('invalid_dpop_proof')
      }
      codes.delete(form.get('code') ?? '')
      const accessToken = base64url.encode(crypto.getRandomValues(new Uint8Array(24)))
      seen.accessTokens.push(accessToken)
      tokens.set(accessToken, flow.jkt)
      return HttpResponse.json({
        access_token: accessToken,
        token_type: setup.dpop ? 'DPoP' : 'Bearer',
        expires_in: 600,
        refresh_token: 'idp-refresh-token',
        id_token: await idToken(flow.params, accessToken),
      })
    }),
    http.get(FAPI_USERINFO, async ({ request }) => {
      const authorization = request.headers.get('authorization')
      const dpop = request.headers.get('dpop')
      const entry = { authorization, dpop, status: 200 }
      seen.userinfo.push(entry)
      const [scheme, token = ''] = (authorization ?? '').split(' ')
      const jkt = tokens.get(token)
      const unauthorized = (error: string) => {
        entry.status = 401
        return new HttpResponse(null, {
          status: 401,
          headers: { 'www-authenticate': `${setup.dpop ? 'DPoP' : 'Bearer'} error="${error}"` },
        })
      }
      if (!tokens.has(token)) return unauthorized('invalid_token')
      if (setup.dpop) {
        if (scheme !== 'DPoP') return unauthorized('invalid_token')
        const checked = await proof(dpop, 'GET', FAPI_USERINFO, false, token)
        if ('error' in checked || checked.jkt !== jkt) return unauthorized('invalid_token')
      }
      return HttpResponse.json(USER)
    }),
  ]
  mswServer(...handlers)

  return {
    seen,
    /** Revokes every access token issued (userinfo then answers 401 invalid_token). */
    revokeAll() {
      tokens.clear()
    },
    /** The IdP's sign-in: the browser arrives with client_id + request_uri, leaves with a code. */
    signIn(location: string): { code: string; state: string; params: URLSearchParams } {
      const url = new URL(location)
      const pushed = requests.get(url.searchParams.get('request_uri') ?? '')
      if (!pushed) throw new Error('unknown request_uri')
      const code = base64url.encode(crypto.getRandomValues(new Uint8Array(16)))
      codes.set(code, pushed)
      return { code, state: pushed.params.get('state') ?? '', params: pushed.params }
    },
  }
}
