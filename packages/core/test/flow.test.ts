import { createHash } from 'node:crypto'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createSealedStore, generateSealingKey, staticKeySource } from '../src/index.js'
import {
  AUTHORIZATION_ENDPOINT,
  authorizeUrl,
  BASE_URL,
  CLIENT_ID,
  CLIENT_SECRET,
  COGNITO_REDIRECT,
  COGNITO_STATE,
  cognitoTokenFields,
  createProxy,
  ISSUER,
  mockIdp,
  privateJwk,
  proxyOptions,
  TOKEN_ENDPOINT,
  tokenRequest,
} from './support/fixtures.js'

async function setup(
  overrides: Parameters<typeof proxyOptions>[1] = {},
  alg: 'RS256' | 'PS256' | 'ES256' = 'RS256',
) {
  const jwk = await privateJwk(alg)
  const keys = staticKeySource(jwk)
  const proxy = createProxy(proxyOptions(jwk, { keys, ...overrides }))
  const idp = mockIdp(keys, {
    requirePkce: overrides.pkce !== false,
    ...(overrides.assertion?.audience === 'issuer' ? { audience: ISSUER } : {}),
  })
  return { proxy, idp, keys }
}

/** Browser -> proxy /authorize -> IdP sign-in -> proxy /callback -> back at Cognito. */
async function signInThroughProxy(
  ctx: Awaited<ReturnType<typeof setup>>,
  params: Record<string, string> = {},
) {
  const authorize = await ctx.proxy.handle(new Request(authorizeUrl(params)))
  assert.is(authorize.status, 302)
  const toIdp = authorize.headers.get('location') as string
  const atIdp = ctx.idp.signIn(toIdp)
  const callback = await ctx.proxy.handle(
    new Request(`${BASE_URL}/callback?code=${atIdp.code}&state=${encodeURIComponent(atIdp.state)}`),
  )
  assert.is(callback.status, 302)
  const back = new URL(callback.headers.get('location') as string)
  return { toIdp: new URL(toIdp), atIdp, back }
}

test('PKCE flow: Cognito gets tokens, the IdP gets an assertion and a verifier', async () => {
  for (const alg of ['RS256', 'PS256', 'ES256'] as const) {
    const ctx = await setup({}, alg)
    const { toIdp, atIdp, back } = await signInThroughProxy(ctx)

    // What the IdP saw: our callback, a short opaque state, an S256 challenge, Cognito's scope.
    assert.is(`${toIdp.origin}${toIdp.pathname}`, AUTHORIZATION_ENDPOINT)
    assert.is(atIdp.redirectUri, `${BASE_URL}/callback`)
    assert.is(toIdp.searchParams.get('code_challenge_method'), 'S256')
    assert.is(toIdp.searchParams.get('scope'), 'openid email')
    assert.is(toIdp.searchParams.get('client_id'), CLIENT_ID)
    assert.ok(atIdp.state.length >= 22 && atIdp.state.length < 64, 'short opaque state')
    assert.not.ok(
      toIdp.href.includes(COGNITO_STATE.slice(0, 40)),
      'Cognito state hidden from the IdP',
    )
    assert.ok((toIdp.searchParams.get('nonce') ?? '').length >= 22, 'nonce added')

    // What Cognito saw: its own state back, a code that is not the IdP's.
    assert.is(`${back.origin}${back.pathname}`, COGNITO_REDIRECT)
    assert.is(back.searchParams.get('state'), COGNITO_STATE)
    const code = back.searchParams.get('code') as string
    assert.is.not(code, atIdp.code)

    const response = await ctx.proxy.handle(tokenRequest(cognitoTokenFields(code)))
    const body = await response.json()
    assert.is(response.status, 200, JSON.stringify(body))
    assert.ok(String(body.access_token).startsWith('at-'))
    assert.is(body.token_type, 'Bearer')
    assert.is(response.headers.get('cache-control'), 'no-store')

    const sent = ctx.idp.tokenRequests.at(-1) as URLSearchParams
    assert.is(sent.get('code'), atIdp.code)
    assert.is(sent.get('redirect_uri'), `${BASE_URL}/callback`)
    assert.not.ok(sent.has('client_secret'), 'the client secret never reaches the IdP')
    assert.is(ctx.idp.assertionHeaders.at(-1)?.alg, alg)
    assert.is(ctx.idp.assertionHeaders.at(-1)?.kid, `key-${alg}`)
  }
})

test('PKCE flow with the sealed store (no server-side state)', async () => {
  const ctx = await setup({ store: createSealedStore({ keys: [generateSealingKey()] }) })
  const { back, toIdp } = await signInThroughProxy(ctx)
  assert.not.ok(toIdp.href.includes(COGNITO_STATE.slice(0, 40)), 'state is encrypted')
  const response = await ctx.proxy.handle(
    tokenRequest(cognitoTokenFields(back.searchParams.get('code') as string)),
  )
  assert.is(response.status, 200)
})

test('client_secret_basic works as well as client_secret_post', async () => {
  const ctx = await setup()
  const { back } = await signInThroughProxy(ctx)
  const basic = Buffer.from(
    `${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`,
  ).toString('base64')
  const response = await ctx.proxy.handle(
    tokenRequest(
      {
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') as string,
        redirect_uri: COGNITO_REDIRECT,
      },
      { headers: { authorization: `Basic ${basic}` } },
    ),
  )
  assert.is(response.status, 200)
})

test('PKCE off: only /token goes through the proxy, the IdP code passes unchanged', async () => {
  const ctx = await setup({ pkce: false, store: undefined })
  const authorize = await ctx.proxy.handle(new Request(authorizeUrl()))
  assert.is(authorize.status, 404)
  assert.is(authorize.headers.get('location'), null)

  // Cognito goes to the IdP directly with its own redirect_uri.
  const direct = new URL(AUTHORIZATION_ENDPOINT)
  direct.search = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: COGNITO_REDIRECT,
    response_type: 'code',
    state: COGNITO_STATE,
  }).toString()
  const { code } = ctx.idp.signIn(direct.href)
  const response = await ctx.proxy.handle(tokenRequest(cognitoTokenFields(code)))
  assert.is(response.status, 200)
  const sent = ctx.idp.tokenRequests.at(-1) as URLSearchParams
  assert.is(sent.get('code'), code)
  assert.is(sent.get('redirect_uri'), COGNITO_REDIRECT)
  assert.not.ok(sent.has('code_verifier'))
})

test('explicit endpoints skip discovery; discovery is fetched once and cached', async () => {
  const explicit = await setup({
    idp: {
      issuer: ISSUER,
      authorizationEndpoint: AUTHORIZATION_ENDPOINT,
      tokenEndpoint: TOKEN_ENDPOINT,
      jwksUri: `${ISSUER}/jwks`,
    },
  })
  await signInThroughProxy(explicit)
  assert.is(explicit.idp.discoveryCount, 0)

  const discovered = await setup()
  await signInThroughProxy(discovered)
  await signInThroughProxy(discovered)
  assert.is(discovered.idp.discoveryCount, 1)
})

test('assertion audience can be the issuer (Auth0, FAPI 2.0 style IdPs)', async () => {
  const ctx = await setup({ assertion: { audience: 'issuer' } })
  const { back } = await signInThroughProxy(ctx)
  const response = await ctx.proxy.handle(
    tokenRequest(cognitoTokenFields(back.searchParams.get('code') as string)),
  )
  assert.is(response.status, 200)
})

test('authorization parameters: Cognito’s are forwarded, configured ones added or override', async () => {
  const ctx = await setup({
    authorizationParams: {
      acr_values: 'http://idmanagement.gov/ns/assurance/ial/1',
      prompt: 'select_account',
    },
  })
  const { toIdp } = await signInThroughProxy(ctx, {
    login_hint: 'jane@example.com',
    prompt: 'login',
    nonce: 'cognito-nonce-value',
  })
  const q = toIdp.searchParams
  assert.is(q.get('login_hint'), 'jane@example.com')
  assert.is(q.get('acr_values'), 'http://idmanagement.gov/ns/assurance/ial/1')
  assert.is(q.get('prompt'), 'select_account')
  assert.is(q.get('nonce'), 'cognito-nonce-value', "Cognito's nonce is kept")
  assert.is(q.getAll('state').length, 1)
  assert.is(q.getAll('redirect_uri').length, 1)
})

test('the IdP’s token error and status go back to Cognito', async () => {
  const ctx = await setup()
  const { back, atIdp } = await signInThroughProxy(ctx)
  ctx.idp.revoke(atIdp.code)
  const response = await ctx.proxy.handle(
    tokenRequest(cognitoTokenFields(back.searchParams.get('code') as string)),
  )
  assert.is(response.status, 400)
  const body = await response.json()
  assert.equal(body, { error: 'invalid_grant', error_description: 'unknown or used code' })
  assert.is(response.headers.get('cache-control'), 'no-store')
})

test('PKCE verifier sent to the IdP matches the challenge it saw', async () => {
  const ctx = await setup()
  const { back, toIdp } = await signInThroughProxy(ctx)
  await ctx.proxy.handle(tokenRequest(cognitoTokenFields(back.searchParams.get('code') as string)))
  const verifier = (ctx.idp.tokenRequests.at(-1) as URLSearchParams).get('code_verifier') as string
  assert.ok(verifier.length >= 43)
  assert.is(
    createHash('sha256').update(verifier).digest('base64url'),
    toIdp.searchParams.get('code_challenge'),
  )
})

test('routes answer under the base path (API stage) and without it', async () => {
  const ctx = await setup()
  for (const url of [`${BASE_URL}/health`, 'https://proxy.example.com/health']) {
    const response = await ctx.proxy.handle(new Request(url))
    assert.is(response.status, 200)
    assert.equal(await response.json(), { status: 'ok' })
  }
  assert.is(ctx.proxy.callbackUrl, `${BASE_URL}/callback`)
  assert.is(ctx.proxy.urls.jwks, `${BASE_URL}/.well-known/jwks.json`)
})

test('JWKS route publishes public keys only, cacheable', async () => {
  const ctx = await setup()
  const response = await ctx.proxy.handle(new Request(`${BASE_URL}/.well-known/jwks.json`))
  assert.is(response.status, 200)
  assert.is(response.headers.get('cache-control'), 'public, max-age=300')
  const body = await response.json()
  assert.is(body.keys.length, 1)
  assert.is(body.keys[0].kid, 'key-RS256')
  assert.is(body.keys[0].use, 'sig')
  for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi'])
    assert.not.ok(member in body.keys[0], member)
})

test.run()
