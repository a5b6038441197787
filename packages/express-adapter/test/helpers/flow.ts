/**
 * Plays Cognito's part in a sign-in: the browser redirects (followed by hand) and the token call.
 * Returns each step's status so tests can assert where a flow stops.
 */
import { randomBytes } from 'node:crypto'
import type { StrictIdp } from '@idp-proxy/testing'

export const CLIENT_ID = 'test-client'
export const CLIENT_SECRET = 'cognito-shared-secret-0123456789'
export const COGNITO_REDIRECT = 'https://auth.example.test/oauth2/idpresponse'

export interface FlowUrls {
  authorize: string
  token: string
}

export interface FlowResult {
  /** Token response status and body (undefined when the flow stopped earlier). */
  status: number
  body: Record<string, unknown>
  /** Cognito's code handle (PKCE mode) or the IdP's code (without PKCE). */
  code: string
}

/** /authorize -> IdP -> /callback -> Cognito: returns the callback response for inspection. */
export async function authorizeAtProxy(
  urls: FlowUrls,
  idp: StrictIdp,
  init: RequestInit = {},
): Promise<{ callbackUrl: string; state: string; idpRedirect: URL }> {
  const state = `cognito-${randomBytes(24).toString('base64url')}`
  const authorize = new URL(urls.authorize)
  authorize.searchParams.set('client_id', CLIENT_ID)
  authorize.searchParams.set('redirect_uri', COGNITO_REDIRECT)
  authorize.searchParams.set('state', state)
  authorize.searchParams.set('scope', 'openid email')
  authorize.searchParams.set('response_type', 'code')
  const toIdp = await fetch(authorize, { ...init, redirect: 'manual' })
  if (toIdp.status !== 302)
    throw new Error(`/authorize answered ${toIdp.status}: ${await toIdp.text()}`)
  const location = toIdp.headers.get('location') as string
  return { callbackUrl: idp.signIn(location).callbackUrl, state, idpRedirect: new URL(location) }
}

/** The IdP's redirect to the proxy's /callback; returns the code handle sent on to Cognito. */
export async function callbackAtProxy(callbackUrl: string, state: string): Promise<string> {
  const toCognito = await fetch(callbackUrl, { redirect: 'manual' })
  if (toCognito.status !== 302) {
    throw new Error(`/callback answered ${toCognito.status}: ${await toCognito.text()}`)
  }
  const back = new URL(toCognito.headers.get('location') as string)
  if (`${back.origin}${back.pathname}` !== COGNITO_REDIRECT)
    throw new Error(`callback went to ${back.href}`)
  if (back.searchParams.get('state') !== state) throw new Error('Cognito state not returned')
  return back.searchParams.get('code') as string
}

/** Cognito's token call (client_secret_post, the way Cognito does it). */
export async function tokenAtProxy(
  tokenUrl: string,
  code: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    ...init,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(init.headers ?? {}) },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: COGNITO_REDIRECT,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** A whole PKCE-mode sign-in through the proxy. */
export async function pkceFlow(
  urls: FlowUrls,
  idp: StrictIdp,
  init: RequestInit = {},
): Promise<FlowResult> {
  const { callbackUrl, state } = await authorizeAtProxy(urls, idp, init)
  const code = await callbackAtProxy(callbackUrl, state)
  return { ...(await tokenAtProxy(urls.token, code, init)), code }
}

/** Without PKCE Cognito goes to the IdP directly; only the token call goes through the proxy. */
export async function plainFlow(
  urls: FlowUrls,
  idp: StrictIdp,
  init: RequestInit = {},
): Promise<FlowResult> {
  const authorize = new URL(idp.authorizationEndpoint)
  authorize.searchParams.set('client_id', CLIENT_ID)
  authorize.searchParams.set('redirect_uri', COGNITO_REDIRECT)
  authorize.searchParams.set('state', 'cognito-state-without-pkce')
  authorize.searchParams.set('response_type', 'code')
  const { code } = idp.signIn(authorize.href)
  return { ...(await tokenAtProxy(urls.token, code, init)), code }
}
