/**
 * The client side of a FAPI 2.0 sign-in, built only from core's FAPI building blocks, the way
 * the proxy's routes will use them: PAR with DPoP at /authorize, the user's sign-in (a fetch
 * with a cookie jar instead of a browser), the token request with DPoP and the nonce retry at
 * /token, ID token decryption and verification, and userinfo with DPoP at /userinfo.
 */
import {
  assertionClientAuth,
  bufferResponse,
  createDpopHandle,
  createDpopNonceCache,
  type Decrypter,
  type DpopNonceCache,
  decryptIdToken,
  type EncryptionPublicJwk,
  fetchUserinfo,
  generateDpopKey,
  type IdpHttp,
  importDecrypter,
  importDpopKey,
  importSigner,
  type PrivateJwk,
  pushAuthorizationRequest,
  pushedAuthorizationRedirect,
  type UserinfoClaims,
  withDpopNonceRetry,
} from '@idp-proxy/core'
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from 'jose'
import * as oauth from 'oauth4webapi'
import type { DemoUser } from '../../src/demo-users.js'

export const CLIENT_ID = 'fapi-client'

export interface ClientKeys {
  signing: PrivateJwk
  decrypter: Decrypter
  /** What the IdP is given: the public signing key and the public `enc` key. */
  publicJwks: { keys: (JWK | EncryptionPublicJwk)[] }
}

export async function clientKeys(
  assertionAlg: 'ES256' | 'PS256',
  encAlg: 'ECDH-ES+A256KW' | 'RSA-OAEP-256',
): Promise<ClientKeys> {
  const signingPair = await generateKeyPair(assertionAlg, { extractable: true })
  const signing = {
    ...(await exportJWK(signingPair.privateKey)),
    kid: `sig-${assertionAlg}`,
    alg: assertionAlg,
  } as PrivateJwk
  const encPair = await generateKeyPair(encAlg === 'RSA-OAEP-256' ? 'RSA-OAEP-256' : 'ECDH-ES', {
    extractable: true,
    ...(encAlg === 'ECDH-ES+A256KW' ? { crv: 'P-256' } : {}),
  })
  const decrypter = await importDecrypter({
    ...(await exportJWK(encPair.privateKey)),
    kid: `enc-${encAlg}`,
    alg: encAlg,
    use: 'enc',
  })
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicSigning } = signing as JWK
  return {
    signing,
    decrypter,
    publicJwks: { keys: [{ ...publicSigning, use: 'sig' }, decrypter.publicJwk()] },
  }
}

export interface Exchange {
  url: string
  method: string
  status: number
  /** The OAuth `error` of a 400/401 answer, or the DPoP challenge's error. */
  error?: string
  dpop?: string
  assertion?: string
  authorization?: string
}

/** A fetch that records every call (and can rewrite the request just before it leaves). */
export function recordingFetch(rewrite?: (url: string, init: RequestInit) => RequestInit) {
  const exchanges: Exchange[] = []
  const recording: typeof fetch = async (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input)
    const effective = rewrite ? rewrite(url, init) : init
    const headers = new Headers(effective.headers)
    const body = effective.body instanceof URLSearchParams ? effective.body : undefined
    const response = await fetch(input, effective)
    let error: string | undefined
    if (response.status === 400 || response.status === 401) {
      const challenge = response.headers.get('www-authenticate')
      error = challenge
        ? /error="([^"]+)"/.exec(challenge)?.[1]
        : (
            (await response
              .clone()
              .json()
              .catch(() => ({}))) as { error?: string }
          ).error
    }
    exchanges.push({
      url,
      method: effective.method ?? 'GET',
      status: response.status,
      ...(error ? { error } : {}),
      ...(headers.get('dpop') ? { dpop: headers.get('dpop') as string } : {}),
      ...(body?.get('client_assertion')
        ? { assertion: body.get('client_assertion') as string }
        : {}),
      ...(headers.get('authorization')
        ? { authorization: headers.get('authorization') as string }
        : {}),
    })
    return response
  }
  return { fetch: recording, exchanges }
}

export interface ClientSetup {
  server: oauth.AuthorizationServer
  keys: ClientKeys
  redirectUri: string
  user: DemoUser
  http: IdpHttp
  nonces?: DpopNonceCache
  now?: () => number
}

export interface Authorized {
  code: string
  verifier: string
  nonce: string
  state: string
  dpopKey: Awaited<ReturnType<typeof generateDpopKey>>
  nonces: DpopNonceCache
  /** ms spent in the PAR call (both attempts when the nonce retry happened). */
  parMs: number
}

export async function discover(issuer: string, http: IdpHttp): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer)
  const response = await oauth.discoveryRequest(url, {
    [oauth.customFetch]: http.fetch,
    [oauth.allowInsecureRequests]: true,
  })
  return oauth.processDiscoveryResponse(url, response)
}

export async function clientAuth(setup: ClientSetup): Promise<oauth.ClientAuth> {
  return assertionClientAuth(await importSigner(setup.keys.signing), {
    audience: setup.server.issuer,
    lifetimeSeconds: 60,
    now: setup.now ?? Date.now,
  })
}

/** /authorize (PAR with DPoP) and the user's sign-in up to the code at the callback. */
export async function authorize(
  setup: ClientSetup,
  key?: Awaited<ReturnType<typeof generateDpopKey>>,
): Promise<Authorized> {
  const nonces = setup.nonces ?? createDpopNonceCache()
  const now = setup.now ?? Date.now
  const dpopKey = key ?? (await generateDpopKey())
  const handle = createDpopHandle(await importDpopKey(dpopKey), { now, nonces })
  const verifier = oauth.generateRandomCodeVerifier()
  const nonce = oauth.generateRandomNonce()
  const state = oauth.generateRandomState()
  const started = performance.now()
  const pushed = await pushAuthorizationRequest({
    server: setup.server,
    clientId: CLIENT_ID,
    clientAuth: await clientAuth(setup),
    parameters: {
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: setup.redirectUri,
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    },
    dpop: { handle, nonces },
    http: setup.http,
  })
  const parMs = performance.now() - started
  const redirect = pushedAuthorizationRedirect(setup.server, CLIENT_ID, pushed.requestUri)
  const callback = await signInWithBrowserless(redirect, setup.user)
  const params = oauth.validateAuthResponse(setup.server, { client_id: CLIENT_ID }, callback, state)
  return { code: params.get('code') as string, verifier, nonce, state, dpopKey, nonces, parMs }
}

/** The browser's part: follow redirects by hand, keep cookies, post the login form. */
export async function signInWithBrowserless(start: URL, user: DemoUser): Promise<URL> {
  const jar = new Map<string, string>()
  const go = async (url: URL, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers)
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    const response = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';')
      const at = pair.indexOf('=')
      const name = pair.slice(0, at).trim()
      const value = pair.slice(at + 1).trim()
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(cookie)) jar.delete(name)
      else jar.set(name, value)
    }
    return response
  }
  const next = (response: Response, from: URL): URL => {
    const location = response.headers.get('location')
    if (response.status < 300 || response.status > 399 || !location) {
      throw new Error(`expected a redirect from ${from.pathname}, got ${response.status}`)
    }
    return new URL(location, from)
  }
  const interaction = next(await go(start), start)
  const page = await go(interaction)
  if (page.status !== 200) throw new Error(`login page answered ${page.status}`)
  await page.text()
  const login = new URL(`${interaction.pathname}/login`, interaction)
  const resume = next(
    await go(login, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: user.username, password: user.password }),
    }),
    login,
  )
  return next(await go(resume), resume)
}

export interface TokenResult {
  status: number
  body: Record<string, unknown>
}

/** /token: the code exchange with a fresh assertion and proof per attempt, one nonce retry. */
export async function requestToken(
  setup: ClientSetup,
  authorized: Authorized,
  dpop: oauth.DPoPHandle | undefined,
  nonces: DpopNonceCache = authorized.nonces,
): Promise<TokenResult> {
  const auth = await clientAuth(setup)
  const signal = AbortSignal.timeout(setup.http.timeoutMs)
  const send = () =>
    oauth.genericTokenEndpointRequest(
      setup.server,
      { client_id: CLIENT_ID },
      auth,
      'authorization_code',
      new URLSearchParams({
        code: authorized.code,
        redirect_uri: setup.redirectUri,
        code_verifier: authorized.verifier,
      }),
      {
        signal,
        ...(dpop ? { DPoP: dpop } : {}),
        [oauth.customFetch]: setup.http.fetch,
        [oauth.allowInsecureRequests]: true,
      },
    )
  const raw = dpop
    ? await withDpopNonceRetry(setup.server.token_endpoint as string, nonces, send)
    : await send()
  const response = await bufferResponse(raw)
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

export async function dpopHandleFor(authorized: Authorized, nonces = authorized.nonces) {
  return createDpopHandle(await importDpopKey(authorized.dpopKey), { now: Date.now, nonces })
}

export interface SignedIn {
  token: TokenResult
  /** The inner (signed) ID token, as Cognito will get it. */
  idToken: string
  idTokenClaims: JWTPayload
  jweHeader: ReturnType<typeof decodeProtectedHeader>
  userinfo: UserinfoClaims
  authorized: Authorized
}

/** The whole sign-in: authorize, token, decrypt + verify the ID token, userinfo. */
export async function signIn(setup: ClientSetup): Promise<SignedIn> {
  const authorized = await authorize(setup)
  const handle = await dpopHandleFor(authorized)
  const token = await requestToken(setup, authorized, handle)
  if (token.status !== 200) throw new Error(`token request answered ${token.status}`)
  const raw = String(token.body.id_token)
  const idToken = await decryptIdToken(raw, [setup.keys.decrypter], { required: true })
  const jwks = createRemoteJWKSet(new URL(setup.server.jwks_uri as string))
  const { payload } = await jwtVerify(idToken, jwks, {
    issuer: setup.server.issuer,
    audience: CLIENT_ID,
    algorithms: ['ES256'],
  })
  if (payload.nonce !== authorized.nonce) throw new Error('ID token nonce mismatch')
  const userinfo = await fetchUserinfo({
    server: setup.server,
    clientId: CLIENT_ID,
    accessToken: String(token.body.access_token),
    dpop: { handle, nonces: authorized.nonces },
    expectedSubject: String(payload.sub),
    idpKeys: jwks,
    decrypters: [setup.keys.decrypter],
    http: setup.http,
    now: Date.now,
  })
  return {
    token,
    idToken,
    idTokenClaims: payload,
    jweHeader: decodeProtectedHeader(raw),
    userinfo,
    authorized,
  }
}

export function proofClaims(proof: string | undefined): JWTPayload {
  if (!proof) throw new Error('no DPoP proof was sent')
  return decodeJwt(proof)
}
