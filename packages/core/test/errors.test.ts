import { delay, HttpResponse, http } from 'msw'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type FlowStore, type KeySource, ProxyError, staticKeySource } from '../src/index.js'
import { errorPage } from '../src/responses.js'
import {
  authorizeUrl,
  BASE_URL,
  CLIENT_ID,
  COGNITO_REDIRECT,
  COGNITO_STATE,
  cognitoTokenFields,
  createProxy,
  ISSUER,
  mockIdp,
  mswServer,
  privateJwk,
  proxyOptions,
  TOKEN_ENDPOINT,
  tokenRequest,
} from './support/fixtures.js'

const jwk = await privateJwk('ES256')
const publicJwks = await staticKeySource(jwk).publicJwks()

async function setup(overrides: Parameters<typeof proxyOptions>[1] = {}) {
  const proxy = createProxy(proxyOptions(jwk, overrides))
  const idp = mockIdp({ publicJwks: async () => publicJwks })
  return { proxy, idp }
}

async function signIn(ctx: Awaited<ReturnType<typeof setup>>) {
  const authorize = await ctx.proxy.handle(new Request(authorizeUrl()))
  const atIdp = ctx.idp.signIn(authorize.headers.get('location') as string)
  return atIdp
}

async function codeFor(ctx: Awaited<ReturnType<typeof setup>>): Promise<string> {
  const atIdp = await signIn(ctx)
  const callback = await ctx.proxy.handle(
    new Request(`${BASE_URL}/callback?code=${atIdp.code}&state=${atIdp.state}`),
  )
  return new URL(callback.headers.get('location') as string).searchParams.get('code') as string
}

async function expectOAuthError(response: Response, status: number, error: string) {
  const text = await response.text()
  assert.is(response.status, status, text)
  const body = JSON.parse(text)
  assert.is(body.error, error, text)
  assert.type(body.error_description, 'string')
  assert.not.match(text, /\bat .+:\d+:\d+/, 'no stack trace')
  assert.is(response.headers.get('cache-control'), 'no-store')
  assert.is(response.headers.get('location'), null)
  return body
}

async function expectPage(response: Response, status: number, code: string) {
  const text = await response.text()
  assert.is(response.status, status, text)
  assert.is(response.headers.get('location'), null, 'never a redirect')
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/)
  assert.is(response.headers.get('cache-control'), 'no-store')
  assert.ok(text.includes(`<code id="error-code">${code}</code>`), text)
  assert.not.match(text, /\bat .+:\d+:\d+/, 'no stack trace')
  // A capitalised sentence for people, not the log message.
  assert.match(text, /<p id="message">[A-Z][^<]*\.<\/p>/)
  // The request id that the response header and the logs carry, so support can find the line.
  const requestId = response.headers.get('x-request-id') as string
  assert.ok(text.includes(`<code id="request-id">${requestId}</code>`), text)
  // Strict CSP: nothing but this response's own nonce-bearing style and script.
  const csp = response.headers.get('content-security-policy') ?? ''
  const nonce = /'nonce-([\w-]+)'/.exec(csp)?.[1] as string
  assert.ok(nonce && nonce.length >= 16, csp)
  assert.is(
    csp,
    `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  )
  assert.equal(text.match(/<(style|script)\b[^>]*>/g), [
    `<style nonce="${nonce}">`,
    `<script nonce="${nonce}">`,
  ])
  assert.not.match(
    text,
    /\b(src|action)=|style="/,
    'no external resource, no inline style attribute',
  )
  // A way back: the browser's history, or this very page for an outage; no other address.
  const links = [...text.matchAll(/href="([^"]*)"/g)].map((match) => match[1])
  assert.equal(links, status >= 500 ? ['#', ''] : ['#'])
  return text
}

// /authorize and /callback: plain 400 pages, never a redirect to an unconfigured URL.

test('/authorize refuses an unconfigured redirect_uri without redirecting', async () => {
  const ctx = await setup()
  for (const redirect of [
    'https://evil.example.com/oauth2/idpresponse',
    `${COGNITO_REDIRECT}/x`,
    `${COGNITO_REDIRECT}?a=1`,
  ]) {
    await expectPage(
      await ctx.proxy.handle(new Request(authorizeUrl({ redirect_uri: redirect }))),
      400,
      'ERR_REDIRECT_URI_NOT_ALLOWED',
    )
  }
})

test('/authorize refuses a wrong client_id, missing state, repeated or wrong parameters', async () => {
  const ctx = await setup()
  await expectPage(
    await ctx.proxy.handle(new Request(authorizeUrl({ client_id: 'other' }))),
    400,
    'ERR_UNKNOWN_CLIENT',
  )
  const noState = new URL(authorizeUrl())
  noState.searchParams.delete('state')
  await expectPage(await ctx.proxy.handle(new Request(noState)), 400, 'ERR_INVALID_REQUEST')
  const repeated = new URL(authorizeUrl())
  repeated.searchParams.append('redirect_uri', 'https://evil.example.com/cb')
  await expectPage(await ctx.proxy.handle(new Request(repeated)), 400, 'ERR_INVALID_REQUEST')
  await expectPage(
    await ctx.proxy.handle(new Request(authorizeUrl({ response_type: 'token' }))),
    400,
    'ERR_INVALID_REQUEST',
  )
})

test('/callback: a replayed, unknown or missing state is refused with a page', async () => {
  const ctx = await setup()
  const atIdp = await signIn(ctx)
  const first = await ctx.proxy.handle(
    new Request(`${BASE_URL}/callback?code=${atIdp.code}&state=${atIdp.state}`),
  )
  assert.is(first.status, 302)
  const replay = await ctx.proxy.handle(
    new Request(`${BASE_URL}/callback?code=${atIdp.code}&state=${atIdp.state}`),
  )
  await expectPage(replay, 400, 'ERR_FLOW_NOT_FOUND')
  await expectPage(
    await ctx.proxy.handle(new Request(`${BASE_URL}/callback?code=x&state=${'A'.repeat(43)}`)),
    400,
    'ERR_FLOW_NOT_FOUND',
  )
  await expectPage(
    await ctx.proxy.handle(new Request(`${BASE_URL}/callback?code=x`)),
    400,
    'ERR_INVALID_REQUEST',
  )
  await expectPage(
    await ctx.proxy.handle(new Request(`${BASE_URL}/callback?code=x&state=<script>`)),
    400,
    'ERR_FLOW_NOT_FOUND',
  )
})

test('/callback: an IdP error goes back to Cognito with Cognito’s state', async () => {
  const ctx = await setup()
  const atIdp = await signIn(ctx)
  const response = await ctx.proxy.handle(
    new Request(
      `${BASE_URL}/callback?error=access_denied&error_description=User+cancelled&state=${atIdp.state}&extra=dropped`,
    ),
  )
  assert.is(response.status, 302)
  const back = new URL(response.headers.get('location') as string)
  assert.is(`${back.origin}${back.pathname}`, COGNITO_REDIRECT)
  assert.is(back.searchParams.get('error'), 'access_denied')
  assert.is(back.searchParams.get('error_description'), 'User cancelled')
  assert.is(back.searchParams.get('state'), COGNITO_STATE)
  assert.not.ok(back.searchParams.has('extra'))
})

test('/callback: an `iss` from another issuer is reported to Cognito as an error (RFC 9207)', async () => {
  const ctx = await setup()
  const atIdp = await signIn(ctx)
  const response = await ctx.proxy.handle(
    new Request(
      `${BASE_URL}/callback?code=${atIdp.code}&state=${atIdp.state}&iss=${encodeURIComponent('https://attacker.example.com')}`,
    ),
  )
  const back = new URL(response.headers.get('location') as string)
  assert.is(back.searchParams.get('error'), 'invalid_request')
  assert.not.ok(back.searchParams.has('code'))
  const good = await signIn(ctx)
  const ok = await ctx.proxy.handle(
    new Request(
      `${BASE_URL}/callback?code=${good.code}&state=${good.state}&iss=${encodeURIComponent(ISSUER)}`,
    ),
  )
  assert.ok(new URL(ok.headers.get('location') as string).searchParams.has('code'))
})

// /token: OAuth JSON errors.

test('/token: wrong, missing or doubled client authentication is invalid_client / invalid_request', async () => {
  const ctx = await setup()
  const code = await codeFor(ctx)
  const wrong = await ctx.proxy.handle(
    tokenRequest(cognitoTokenFields(code, { client_secret: 'not-the-secret-at-all' })),
  )
  await expectOAuthError(wrong, 401, 'invalid_client')
  assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic/)
  const otherClient = await ctx.proxy.handle(
    tokenRequest(cognitoTokenFields(code, { client_id: 'someone-else' })),
  )
  await expectOAuthError(otherClient, 401, 'invalid_client')
  const fields = cognitoTokenFields(code)
  delete (fields as Record<string, string | undefined>).client_secret
  await expectOAuthError(await ctx.proxy.handle(tokenRequest(fields)), 401, 'invalid_client')
  const both = tokenRequest(cognitoTokenFields(code), {
    headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:x`).toString('base64')}` },
  })
  await expectOAuthError(await ctx.proxy.handle(both), 400, 'invalid_request')
  const garbage = tokenRequest(
    { grant_type: 'authorization_code', code },
    { headers: { authorization: 'Bearer abc' } },
  )
  await expectOAuthError(await ctx.proxy.handle(garbage), 401, 'invalid_client')
  // None of these spent the code: it still works.
  assert.is((await ctx.proxy.handle(tokenRequest(cognitoTokenFields(code)))).status, 200)
})

test('/token: replaying a code fails; unknown codes and a wrong redirect_uri are invalid_grant', async () => {
  const ctx = await setup()
  const code = await codeFor(ctx)
  assert.is((await ctx.proxy.handle(tokenRequest(cognitoTokenFields(code)))).status, 200)
  await expectOAuthError(
    await ctx.proxy.handle(tokenRequest(cognitoTokenFields(code))),
    400,
    'invalid_grant',
  )
  await expectOAuthError(
    await ctx.proxy.handle(tokenRequest(cognitoTokenFields('A'.repeat(43)))),
    400,
    'invalid_grant',
  )
  const other = await codeFor(ctx)
  const mismatch = tokenRequest(
    cognitoTokenFields(other, {
      redirect_uri: 'https://other.auth.example.com/oauth2/idpresponse',
    }),
  )
  await expectOAuthError(await ctx.proxy.handle(mismatch), 400, 'invalid_grant')
  // A state handle is not a code handle.
  const atIdp = await signIn(ctx)
  await expectOAuthError(
    await ctx.proxy.handle(tokenRequest(cognitoTokenFields(atIdp.state))),
    400,
    'invalid_grant',
  )
})

test('/token: bad grant type, missing code, wrong content type, oversized body', async () => {
  const ctx = await setup()
  await expectOAuthError(
    await ctx.proxy.handle(tokenRequest(cognitoTokenFields('x', { grant_type: 'refresh_token' }))),
    400,
    'unsupported_grant_type',
  )
  const fields = cognitoTokenFields('x')
  delete (fields as Record<string, string | undefined>).code
  await expectOAuthError(await ctx.proxy.handle(tokenRequest(fields)), 400, 'invalid_request')
  const json = new Request(`${BASE_URL}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  })
  await expectOAuthError(await ctx.proxy.handle(json), 400, 'invalid_request')
  const huge = tokenRequest(cognitoTokenFields('x', { padding: 'p'.repeat(20_000) }))
  await expectOAuthError(await ctx.proxy.handle(huge), 413, 'invalid_request')
})

test('/token: PKCE off refuses an unconfigured redirect_uri', async () => {
  const ctx = await setup({ pkce: false, store: undefined })
  const request = tokenRequest(
    cognitoTokenFields('idp-code', { redirect_uri: 'https://evil.example.com/cb' }),
  )
  await expectOAuthError(await ctx.proxy.handle(request), 400, 'invalid_request')
})

test('IdP unreachable: 502; not JSON: 502; too slow: 504 within the timeout', async () => {
  const ctx = await setup({ idpTimeoutMs: 200 })
  const cases = [
    { handler: () => HttpResponse.error(), status: 502 },
    {
      handler: () =>
        new HttpResponse('<html>oops</html>', {
          status: 500,
          headers: { 'content-type': 'text/html' },
        }),
      status: 502,
    },
    {
      handler: async () => {
        await delay(30_000)
        return HttpResponse.json({})
      },
      status: 504,
    },
  ]
  for (const { handler, status } of cases) {
    const code = await codeFor(ctx)
    const server = mswServer(...ctx.idp.handlers)
    server.use(http.post(TOKEN_ENDPOINT, handler))
    const body = await expectOAuthError(
      await ctx.proxy.handle(tokenRequest(cognitoTokenFields(code))),
      status,
      'temporarily_unavailable',
    )
    assert.not.match(
      body.error_description,
      /ECONN|fetch failed|html/i,
      'no internal detail to Cognito',
    )
  }
})

test('IdP discovery failing: /authorize answers 502 with a page, and recovers', async () => {
  const ctx = await setup()
  const server = mswServer(
    http.get(`${ISSUER}/.well-known/openid-configuration`, () => HttpResponse.error()),
  )
  await expectPage(await ctx.proxy.handle(new Request(authorizeUrl())), 502, 'ERR_IDP_UNAVAILABLE')
  server.resetHandlers(...ctx.idp.handlers)
  assert.is((await ctx.proxy.handle(new Request(authorizeUrl()))).status, 302)
})

test('store down: 503 on every route that needs it; key source down: 503 on /token and JWKS', async () => {
  const down: FlowStore = {
    save: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')),
    take: () => Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379')),
  }
  const ctx = await setup({ store: down })
  await expectPage(
    await ctx.proxy.handle(new Request(authorizeUrl())),
    503,
    'ERR_STORE_UNAVAILABLE',
  )
  await expectPage(
    await ctx.proxy.handle(new Request(`${BASE_URL}/callback?code=c&state=${'A'.repeat(43)}`)),
    503,
    'ERR_STORE_UNAVAILABLE',
  )
  await expectOAuthError(
    await ctx.proxy.handle(tokenRequest(cognitoTokenFields('A'.repeat(43)))),
    503,
    'temporarily_unavailable',
  )

  const noKeys: KeySource = {
    signer: () => Promise.reject(new Error('AccessDeniedException')),
    publicJwks: () => Promise.reject(new Error('AccessDeniedException')),
  }
  const keyless = await setup({ keys: noKeys })
  const code = await codeFor(keyless)
  await expectOAuthError(
    await keyless.proxy.handle(tokenRequest(cognitoTokenFields(code))),
    503,
    'temporarily_unavailable',
  )
  await expectOAuthError(
    await keyless.proxy.handle(new Request(`${BASE_URL}/.well-known/jwks.json`)),
    503,
    'temporarily_unavailable',
  )
})

test('ready() fails fast on an unreachable IdP or an unusable key, and names the problem', async () => {
  const ctx = await setup()
  mswServer(http.get(`${ISSUER}/.well-known/openid-configuration`, () => HttpResponse.error()))
  const unreachable = await ctx.proxy.ready().catch((error: unknown) => error)
  assert.is((unreachable as { code: string }).code, 'ERR_IDP_UNAVAILABLE')

  mswServer(...ctx.idp.handlers)
  assert.is((await ctx.proxy.ready()).tokenEndpoint, TOKEN_ENDPOINT)
  // A JWK that passes validation but whose numbers are not a key: refused at ready().
  const broken = await setup({ keys: staticKeySource({ ...jwk, x: jwk.y }) })
  const unusable = await broken.proxy.ready().catch((error: unknown) => error)
  assert.is((unusable as { code: string }).code, 'ERR_INVALID_KEY')
  assert.match((unusable as Error).message, /could not be imported/)
})

test('unknown route 404, wrong method 405, both JSON', async () => {
  const ctx = await setup()
  await expectOAuthError(
    await ctx.proxy.handle(new Request(`${BASE_URL}/nope`)),
    404,
    'invalid_request',
  )
  const get = await ctx.proxy.handle(new Request(`${BASE_URL}/token`))
  await expectOAuthError(get, 405, 'invalid_request')
  const post = await ctx.proxy.handle(new Request(`${BASE_URL}/health`, { method: 'POST' }))
  assert.is(post.status, 405)
  // HEAD only where it has no side effect: not on /authorize, which saves a flow.
  assert.is((await ctx.proxy.handle(new Request(authorizeUrl(), { method: 'HEAD' }))).status, 405)
  assert.is(
    (await ctx.proxy.handle(new Request(`${BASE_URL}/health`, { method: 'HEAD' }))).status,
    200,
  )
})

test('every response carries a request id; a sane incoming one is kept', async () => {
  const ctx = await setup()
  const given = await ctx.proxy.handle(
    new Request(`${BASE_URL}/health`, { headers: { 'x-request-id': 'abc-123' } }),
  )
  assert.is(given.headers.get('x-request-id'), 'abc-123')
  const made = await ctx.proxy.handle(
    new Request(`${BASE_URL}/health`, { headers: { 'x-request-id': 'bad id\n' } }),
  )
  assert.match(made.headers.get('x-request-id') ?? '', /^[\w-]{16}$/)
})

test('error page: the message is escaped, each response has its own nonce, a given request id is shown', async () => {
  const ctx = await setup()
  const bad = authorizeUrl({ client_id: '<img src=x onerror=alert(1)>' })
  const first = await ctx.proxy.handle(new Request(bad, { headers: { 'x-request-id': 'req-1.a' } }))
  const text = await expectPage(first, 400, 'ERR_UNKNOWN_CLIENT')
  assert.ok(text.includes('<code id="request-id">req-1.a</code>'), text)
  assert.not.ok(text.includes('<img'), 'request input never becomes markup')
  const second = await ctx.proxy.handle(new Request(bad))
  assert.is.not(
    second.headers.get('content-security-policy'),
    first.headers.get('content-security-policy'),
    'a fresh nonce per response',
  )
  const direct = errorPage(new ProxyError('ERR_INVALID_REQUEST', 'state: <b>"x"</b> & more'))
  const html = await direct.text()
  assert.ok(html.includes('Details: state: &lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; more'), html)
  assert.not.ok(html.includes('request-id'), 'no request id line without one')
})

test.run()
