/**
 * Unauthenticated traffic cannot hurt sign-ins: capped parameters, codes that survive a flood of
 * new flows, handles that a wrong route cannot consume, a callback without code or error that
 * goes back to Cognito, a client abort that is its own quiet outcome, and the JWKS media type.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createMemoryStore,
  createSealedStore,
  type FlowStore,
  generateSealingKey,
  type ProxyOptions,
  staticKeySource,
} from '../src/index.js'
import {
  authorizeUrl,
  BASE_URL,
  COGNITO_REDIRECT,
  COGNITO_STATE,
  captureLogger,
  cognitoTokenFields,
  createProxy,
  mockIdp,
  privateJwk,
  proxyOptions,
  signInAt,
  tokenRequest,
} from './support/fixtures.js'

const jwk = await privateJwk('ES256')
const keys = staticKeySource(jwk)

function setup(overrides: Partial<ProxyOptions> = {}) {
  const logger = captureLogger()
  const proxy = createProxy(proxyOptions(jwk, { keys, logger, ...overrides }))
  const idp = mockIdp(keys)
  return { proxy, idp, logger }
}

async function expectPage(response: Response, status: number, pattern: RegExp) {
  const text = await response.text()
  assert.is(response.status, status, text)
  assert.is(response.headers.get('location'), null, 'never a redirect')
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/)
  assert.match(text, pattern)
}

const stores: [string, () => FlowStore][] = [
  ['memory', () => createMemoryStore()],
  ['sealed', () => createSealedStore({ keys: [generateSealingKey()] })],
]

test('/authorize: state is capped at maxStateBytes (2048), refused with a page', async () => {
  const ctx = setup()
  const ok = await ctx.proxy.handle(new Request(authorizeUrl({ state: 's'.repeat(2048) })))
  assert.is(ok.status, 302)
  await expectPage(
    await ctx.proxy.handle(new Request(authorizeUrl({ state: 's'.repeat(2049) }))),
    400,
    /state is longer than maxStateBytes \(2048 bytes\)/,
  )
  // Bytes, not characters: 683 three-byte characters are 2049 bytes.
  await expectPage(
    await ctx.proxy.handle(new Request(authorizeUrl({ state: '€'.repeat(683) }))),
    400,
    /maxStateBytes/,
  )
  const wider = setup({ maxStateBytes: 4096 })
  assert.is(
    (await wider.proxy.handle(new Request(authorizeUrl({ state: 's'.repeat(3000) })))).status,
    302,
  )
})

test('/authorize and /callback: every other parameter and the whole query are capped', async () => {
  const ctx = setup()
  await expectPage(
    await ctx.proxy.handle(new Request(authorizeUrl({ login_hint: 'h'.repeat(1025) }))),
    400,
    /login_hint is longer than maxParamBytes \(1024 bytes\)/,
  )
  const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, 'x'.repeat(900)]))
  await expectPage(
    await ctx.proxy.handle(new Request(authorizeUrl(many))),
    414,
    /maxQueryBytes \(8192 bytes\)/,
  )
  const { atIdp } = await (async () => {
    const authorize = await ctx.proxy.handle(new Request(authorizeUrl()))
    return { atIdp: ctx.idp.signIn(authorize.headers.get('location') as string) }
  })()
  await expectPage(
    await ctx.proxy.handle(
      new Request(`${BASE_URL}/callback?code=${'c'.repeat(1025)}&state=${atIdp.state}`),
    ),
    400,
    /code is longer than maxParamBytes/,
  )
  // Refused before the store: the sign-in is still usable with a proper code.
  const callback = await ctx.proxy.handle(
    new Request(`${BASE_URL}/callback?code=${atIdp.code}&state=${atIdp.state}`),
  )
  assert.is(callback.status, 302)
})

test('memory store: a flood of maximal /authorize requests never evicts an issued code', async () => {
  const ctx = setup({ store: createMemoryStore({ maxEntries: 500 }) })
  const { code } = await signInAt(ctx.proxy, ctx.idp)
  const first = await ctx.proxy.handle(new Request(authorizeUrl()))
  const inProgress = ctx.idp.signIn(first.headers.get('location') as string)
  for (let i = 0; i < 1_000; i++) {
    const flood = await ctx.proxy.handle(new Request(authorizeUrl({ state: 'f'.repeat(2048) })))
    assert.is(flood.status, 302)
  }
  const evicted = await ctx.proxy.handle(
    new Request(`${BASE_URL}/callback?code=${inProgress.code}&state=${inProgress.state}`),
  )
  await expectPage(evicted, 400, /ERR_FLOW_NOT_FOUND/)
  const token = await ctx.proxy.handle(tokenRequest(cognitoTokenFields(code)))
  assert.is(token.status, 200, await token.clone().text())
  assert.type((await token.json()).access_token, 'string')
})

for (const [name, makeStore] of stores) {
  test(`${name}: a code handle sent as state to /callback is refused and not consumed`, async () => {
    const ctx = setup({ store: makeStore() })
    const { code } = await signInAt(ctx.proxy, ctx.idp)
    await expectPage(
      await ctx.proxy.handle(new Request(`${BASE_URL}/callback?code=x&state=${code}`)),
      400,
      /ERR_FLOW_NOT_FOUND/,
    )
    const token = await ctx.proxy.handle(tokenRequest(cognitoTokenFields(code)))
    assert.is(token.status, 200, await token.clone().text())
  })

  test(`${name}: a state handle sent as code to /token is refused and not consumed`, async () => {
    const ctx = setup({ store: makeStore() })
    const authorize = await ctx.proxy.handle(new Request(authorizeUrl()))
    const atIdp = ctx.idp.signIn(authorize.headers.get('location') as string)
    const token = await ctx.proxy.handle(tokenRequest(cognitoTokenFields(atIdp.state)))
    const body = await token.json()
    assert.is(token.status, 400)
    assert.is(body.error, 'invalid_grant')
    const callback = await ctx.proxy.handle(
      new Request(`${BASE_URL}/callback?code=${atIdp.code}&state=${atIdp.state}`),
    )
    assert.is(callback.status, 302)
    assert.ok(new URL(callback.headers.get('location') as string).searchParams.has('code'))
  })

  test(`${name}: /callback with neither code nor error goes back to Cognito with invalid_request`, async () => {
    const ctx = setup({ store: makeStore() })
    const authorize = await ctx.proxy.handle(new Request(authorizeUrl()))
    const atIdp = ctx.idp.signIn(authorize.headers.get('location') as string)
    const callback = await ctx.proxy.handle(
      new Request(`${BASE_URL}/callback?state=${atIdp.state}`),
    )
    assert.is(callback.status, 302)
    const back = new URL(callback.headers.get('location') as string)
    assert.is(`${back.origin}${back.pathname}`, COGNITO_REDIRECT)
    assert.is(back.searchParams.get('error'), 'invalid_request')
    assert.is(back.searchParams.get('state'), COGNITO_STATE)
    assert.not.ok(back.searchParams.has('code'))
    assert.is(await callback.text(), '')
  })
}

test('a client that aborts mid-/token-body is its own quiet outcome', async () => {
  const ctx = setup()
  let sent = false
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) {
        controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
        return
      }
      sent = true
      controller.enqueue(new TextEncoder().encode('grant_type=authorization_code&code='))
    },
  })
  const response = await ctx.proxy.handle(
    new Request(`${BASE_URL}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      duplex: 'half',
    } as RequestInit),
  )
  const json = await response.json()
  assert.is(response.status, 400)
  assert.is(json.error, 'invalid_request')
  assert.is(response.headers.get('location'), null)
  const lines = ctx.logger.lines.map((line) => JSON.parse(line))
  assert.not.ok(
    lines.some((l) => l.level === 'error' || l.level === 'warn'),
    ctx.logger.lines.join('\n'),
  )
  const request = lines.find((l) => l.event === 'request')
  assert.is(request.code, 'ERR_CLIENT_ABORTED')
  assert.is(request.level, 'info')
})

test('the JWKS route answers application/json', async () => {
  const ctx = setup()
  const response = await ctx.proxy.handle(new Request(`${BASE_URL}/.well-known/jwks.json`))
  assert.is(response.status, 200)
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
  assert.equal((await response.json()).keys.length, 1)
})

test.run()
