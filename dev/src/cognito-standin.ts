/**
 * A page that plays Amazon Cognito's part, for local development only. It does what a Cognito
 * user pool does with an OIDC IdP whose endpoints point at the proxy:
 * - "Sign in" sends the browser to the authorization endpoint (the proxy's /authorize, or the
 *   IdP's own with PKCE off) with only `client_id`, `redirect_uri` (…/oauth2/idpresponse),
 *   `scope`, `response_type=code` and a long opaque `state`; no nonce, no PKCE;
 * - `/oauth2/idpresponse` checks the state, then POSTs the token endpoint (always the proxy's)
 *   with `client_secret_post`, validates the ID token against the IdP's jwks_uri and issuer,
 *   calls userinfo with the access token (the IdP's, or the proxy's /userinfo when the proxy
 *   fronts it, as Cognito's `attributes_url` does in FAPI mode), and shows the claims.
 * "Sign in without the proxy" does the same against the IdP directly, to show it refuses.
 */
import { randomBytes } from 'node:crypto'
import express from 'express'
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose'
import { escapeHtml, page } from './html.js'

export interface StandinOptions {
  /** The stand-in's origin, e.g. `http://127.0.0.1:4002`. */
  origin: string
  clientId: string
  clientSecret: string
  /** Where "Sign in" sends the browser: the proxy's /authorize, or the IdP's with PKCE off. */
  authorizationEndpoint: string
  /** Always the proxy's /token. */
  tokenEndpoint: string
  idp: {
    issuer: string
    authorizationEndpoint: string
    tokenEndpoint: string
    jwksUri: string
    userinfoEndpoint: string
  }
  /**
   * Where the claims come from after the token call (Cognito's `attributes_url`): the IdP's
   * userinfo (default), or the proxy's /userinfo when the proxy fronts it (FAPI mode).
   */
  userinfoEndpoint?: string
  /** Shown on the page: which mode the local run is in. */
  description?: string
  /** Why the IdP refuses a sign-in without the proxy. Default: no PKCE, no client assertion. */
  bypassRefusal?: string
  /** Called after each successful sign-in with what the stand-in got (for tests). */
  onSignIn?: (result: StandinSignIn) => void
}

/** What the stand-in ended a sign-in with: the raw ID token, its verified claims, userinfo. */
export interface StandinSignIn {
  idToken: string
  claims: JWTPayload
  userinfo: unknown
}

export const IDP_RESPONSE_PATH = '/oauth2/idpresponse'
const SCOPE = 'openid email profile'
const STATE_COOKIE = 'cognito_standin_state'
// How long a sign-in may take before its state is forgotten.
const STATE_TTL_MS = 10 * 60 * 1000

type Route = 'proxy' | 'direct'

export function createStandin(options: StandinOptions): express.Express {
  const redirectUri = options.origin + IDP_RESPONSE_PATH
  const jwks = createRemoteJWKSet(new URL(options.idp.jwksUri))
  const pending = new Map<string, { route: Route; expires: number }>()
  const app = express()
  app.disable('x-powered-by')

  // Opened as http://localhost:…? Move to the configured origin, or the state cookie set here
  // would not come back with the IdP's redirect to the configured redirect_uri.
  const host = new URL(options.origin).host
  app.use((req, res, next) => {
    if (req.headers.host === host) next()
    else res.redirect(302, options.origin + req.originalUrl)
  })

  app.get('/', (_req, res) => {
    res.type('html').send(homePage(options))
  })

  const start = (route: Route) => (_req: express.Request, res: express.Response) => {
    for (const [key, flow] of pending) if (flow.expires < Date.now()) pending.delete(key)
    const state = cognitoLikeState()
    pending.set(state, { route, expires: Date.now() + STATE_TTL_MS })
    const target = new URL(
      route === 'proxy' ? options.authorizationEndpoint : options.idp.authorizationEndpoint,
    )
    target.search = new URLSearchParams({
      client_id: options.clientId,
      redirect_uri: redirectUri,
      scope: SCOPE,
      response_type: 'code',
      state,
    }).toString()
    res.cookie(STATE_COOKIE, state, { httpOnly: true, sameSite: 'lax', path: IDP_RESPONSE_PATH })
    res.redirect(302, target.href)
  }
  app.get('/signin', start('proxy'))
  app.get('/signin-direct', start('direct'))

  app.get(IDP_RESPONSE_PATH, async (req, res) => {
    const query = req.query as Record<string, unknown>
    const state = typeof query.state === 'string' ? query.state : ''
    const flow = pending.get(state)
    pending.delete(state)
    res.clearCookie(STATE_COOKIE, { path: IDP_RESPONSE_PATH })
    if (!flow || flow.expires < Date.now() || cookieOf(req, STATE_COOKIE) !== state) {
      fail(res, { error: 'invalid_state', error_description: 'unknown, expired or replayed state' })
      return
    }
    if (typeof query.error === 'string') {
      fail(res, pick(query, ['error', 'error_description']), 'authorization')
      return
    }
    const code = typeof query.code === 'string' ? query.code : ''
    const tokenEndpoint = flow.route === 'proxy' ? options.tokenEndpoint : options.idp.tokenEndpoint
    // Cognito's token request: client_secret_post, no code_verifier.
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        client_id: options.clientId,
        client_secret: options.clientSecret,
      }),
    })
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>
    if (!response.ok || typeof body.id_token !== 'string') {
      fail(res, pick(body, ['error', 'error_description']), 'token')
      return
    }
    let claims: JWTPayload
    try {
      ;({ payload: claims } = await jwtVerify(body.id_token, jwks, {
        issuer: options.idp.issuer,
        audience: options.clientId,
      }))
    } catch (error) {
      fail(res, { error: 'invalid_id_token', error_description: (error as Error).message })
      return
    }
    const userinfoEndpoint =
      flow.route === 'proxy'
        ? (options.userinfoEndpoint ?? options.idp.userinfoEndpoint)
        : options.idp.userinfoEndpoint
    const userinfo = await fetchUserinfo(userinfoEndpoint, body.access_token)
    options.onSignIn?.({ idToken: body.id_token, claims, userinfo })
    res
      .type('html')
      .send(claimsPage(claims, userinfo, userinfoEndpoint !== options.idp.userinfoEndpoint))
  })

  // A server that cannot be reached (the proxy stopped, say): a page, not a stack trace.
  app.use(
    (error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      fail(res, { error: 'server_error', error_description: error.message }, undefined, 502)
    },
  )

  return app
}

function fail(
  res: express.Response,
  error: Record<string, string>,
  step?: 'authorization' | 'token',
  status = 400,
): void {
  res.status(status).type('html').send(errorPage(error, step))
}

/** Cognito's `state` is long (two gzip+base64 parts, ~1 KB); ours has the same shape and size. */
function cognitoLikeState(): string {
  const part = (bytes: number) => `H4sIAAAAAAAAA${randomBytes(bytes).toString('base64')}`
  return `${part(420)}.${part(90)}`
}

function cookieOf(req: express.Request, name: string): string | undefined {
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = pair.trim().split('=')
    if (key === name) return decodeURIComponent(value.join('='))
  }
  return undefined
}

function pick(source: Record<string, unknown>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of names) if (typeof source[name] === 'string') out[name] = source[name] as string
  return out
}

async function fetchUserinfo(endpoint: string, accessToken: unknown): Promise<unknown> {
  if (typeof accessToken !== 'string') return undefined
  const response = await fetch(endpoint, { headers: { authorization: `Bearer ${accessToken}` } })
  return response.ok ? response.json() : { status: response.status }
}

function standinPage(title: string, body: string): string {
  return page({
    title,
    banner: 'Cognito stand-in (local development only)',
    colour: '#b35900',
    body,
  })
}

function homePage(options: StandinOptions): string {
  return standinPage(
    'Cognito stand-in',
    `<h1>Cognito stand-in (local development only)</h1>
<p>This page plays the part of an Amazon Cognito user pool federated with the development IdP
through idp-proxy. ${escapeHtml(options.description ?? '')}</p>
<form action="/signin" method="get"><button id="sign-in" type="submit">Sign in</button></form>
<p class="hint">Without the proxy, the IdP refuses the same sign-in (${escapeHtml(options.bypassRefusal ?? 'no PKCE, no client assertion')}):
<a id="sign-in-direct" href="/signin-direct">sign in without the proxy</a>.</p>`,
  )
}

function claimsPage(claims: JWTPayload, userinfo: unknown, viaProxy: boolean): string {
  return standinPage(
    'Signed in',
    `<h1 id="result">Signed in</h1>
<p>The ID token was validated against the IdP's keys and issuer. Its claims:</p>
<pre id="claims">${escapeHtml(JSON.stringify(claims, null, 2))}</pre>
<p>Userinfo, fetched from ${viaProxy ? "the proxy's /userinfo (Cognito's attributes_url)" : 'the IdP'} with the access token (as Cognito does):</p>
<pre id="userinfo">${escapeHtml(JSON.stringify(userinfo ?? null, null, 2))}</pre>
<p><a href="/">Back</a></p>`,
  )
}

function errorPage(error: Record<string, string>, step?: 'authorization' | 'token'): string {
  const where =
    step === 'token'
      ? 'The token request was refused'
      : step === 'authorization'
        ? 'The IdP refused the sign-in'
        : 'Sign-in failed'
  return standinPage(
    'Sign-in failed',
    `<h1 id="result">${escapeHtml(where)}</h1>
<pre id="error">${escapeHtml(JSON.stringify(error, null, 2))}</pre>
<p><a href="/">Back</a></p>`,
  )
}
