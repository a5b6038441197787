import {
  createStrictIdp,
  mswServer,
  type StrictIdp,
  type StrictIdpOptions,
} from '@idp-proxy/testing'
import type { JSONWebKeySet, JWK } from 'jose'
import { exportJWK, generateKeyPair } from 'jose'
import {
  createMemoryStore,
  createProxy,
  type KeySource,
  type LogFields,
  type Logger,
  type ProxyOptions,
  staticKeySource,
} from '../../src/index.js'

export { mswServer }

export const CLIENT_ID = 'cognito-federation-client'
export const CLIENT_SECRET = 'shared-secret-between-cognito-and-proxy'
export const COGNITO_REDIRECT =
  'https://example.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse'
export const ISSUER = 'https://idp.example.com'
export const AUTHORIZATION_ENDPOINT = `${ISSUER}/oauth2/authorize`
export const TOKEN_ENDPOINT = `${ISSUER}/oauth2/token`
export const BASE_URL = 'https://proxy.example.com/v1'
/** Cognito's real state is long (two gzip+base64 parts); this stands in for it. */
export const COGNITO_STATE = `H4sIAAAAAAAAAE2Q${'x'.repeat(300)}.H4sIAAAAAAAAAD2N${'y'.repeat(200)}`

export async function privateJwk(
  alg: 'RS256' | 'PS256' | 'ES256' = 'RS256',
  kid = `key-${alg}`,
): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return { ...(await exportJWK(privateKey)), kid, alg }
}

/** The strict IdP at ISSUER that knows `keys`' public JWKS, as the msw server's only handlers. */
export function mockIdp(
  keys: Pick<KeySource, 'publicJwks'>,
  options: Partial<StrictIdpOptions> = {},
): StrictIdp {
  const idp = createStrictIdp({
    issuer: ISSUER,
    clientId: CLIENT_ID,
    jwks: async () => (await keys.publicJwks()) as JSONWebKeySet,
    requirePkce: true,
    ...options,
  })
  mswServer(...idp.handlers)
  return idp
}

export function captureLogger(): Logger & {
  lines: string[]
  events: (LogFields & { event: string })[]
} {
  const lines: string[] = []
  const events: (LogFields & { event: string })[] = []
  return {
    lines,
    events,
    log(level, event, fields) {
      lines.push(JSON.stringify({ level, event, ...fields }))
      events.push({ event, ...fields })
    },
  }
}

export function proxyOptions(jwk: JWK, overrides: Partial<ProxyOptions> = {}): ProxyOptions {
  return {
    baseUrl: BASE_URL,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [COGNITO_REDIRECT],
    idp: { issuer: ISSUER },
    keys: staticKeySource(jwk),
    store: createMemoryStore(),
    logger: captureLogger(),
    ...overrides,
  }
}

export { createProxy }

export function authorizeUrl(params: Record<string, string> = {}): string {
  const url = new URL(`${BASE_URL}/authorize`)
  const all = {
    client_id: CLIENT_ID,
    redirect_uri: COGNITO_REDIRECT,
    response_type: 'code',
    scope: 'openid email',
    state: COGNITO_STATE,
    ...params,
  }
  for (const [name, value] of Object.entries(all)) url.searchParams.set(name, value)
  return url.href
}

/** Cognito's token request: client_secret_post, as Cognito sends it. */
export function tokenRequest(
  fields: Record<string, string>,
  init: { headers?: Record<string, string> } = {},
): Request {
  return new Request(`${BASE_URL}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...init.headers },
    body: new URLSearchParams(fields),
  })
}

export function cognitoTokenFields(
  code: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    code,
    redirect_uri: COGNITO_REDIRECT,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    ...extra,
  }
}

/**
 * Browser -> proxy /authorize -> IdP sign-in -> proxy /callback -> back at Cognito; returns where
 * the browser went, and the proxy's code handle Cognito redeems at /token.
 */
export async function signInAt(
  proxy: { handle(request: Request): Promise<Response> },
  idp: StrictIdp,
  params: Record<string, string> = {},
) {
  const authorize = await proxy.handle(new Request(authorizeUrl(params)))
  const toIdp = new URL(authorize.headers.get('location') as string)
  const atIdp = idp.signIn(toIdp.href)
  const callback = await proxy.handle(
    new Request(`${BASE_URL}/callback?code=${atIdp.code}&state=${encodeURIComponent(atIdp.state)}`),
  )
  const back = new URL(callback.headers.get('location') as string)
  return { toIdp, atIdp, back, code: back.searchParams.get('code') as string }
}
