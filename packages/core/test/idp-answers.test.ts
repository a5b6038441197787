/**
 * What a hostile or broken IdP can send, on a real loopback socket: bodies past the bounds (with
 * a length, chunked, a gzip bomb), statuses a Response cannot carry, deep JSON, refusals without
 * a body, redirects, and each way discovery can fail at start-up. Nothing it sends gives a 500.
 */
import { type HostileIdp, startHostileIdp } from '@idp-proxy/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMemoryStore, isProxyError, type ProxyOptions } from '../src/index.js'
import {
  authorizeUrl,
  captureLogger,
  cognitoTokenFields,
  createProxy,
  privateJwk,
  proxyOptions,
  tokenRequest,
} from './support/fixtures.js'

// The platform fetch as it is before msw patches it: msw's pass-through tees every response it
// lets through, and a tee whose other branch nobody reads never cancels the source, which would
// hide the very cancellation these tests check. Production has no msw.
const platformFetch = globalThis.fetch
const jwk = await privateJwk('ES256')
const MB = 1024 * 1024
let idp: HostileIdp

test.before(async () => {
  idp = await startHostileIdp()
})
test.after.each(() => {
  for (const endpoint of ['discovery', 'token', 'jwks'] as const) idp.answer(endpoint, undefined)
})
test.after(async () => {
  await idp.close()
})

function proxyOn(overrides: Partial<ProxyOptions> = {}) {
  const logger = captureLogger()
  const proxy = createProxy(
    proxyOptions(jwk, {
      idp: { issuer: idp.issuer },
      pkce: false,
      store: undefined,
      allowInsecureHttp: true,
      fetch: platformFetch,
      logger,
      ...overrides,
    }),
  )
  return { proxy, logger }
}

async function token(overrides: Partial<ProxyOptions> = {}) {
  const { proxy, logger } = proxyOn(overrides)
  const response = await proxy.handle(tokenRequest(cognitoTokenFields('an-idp-code')))
  const text = await response.text()
  return { response, text, body: JSON.parse(text) as Record<string, unknown>, logger }
}

function expectOAuth(
  result: Awaited<ReturnType<typeof token>>,
  status: number,
  error: string,
  code: string,
) {
  assert.is(result.response.status, status, result.text)
  assert.is(result.body.error, error, result.text)
  assert.type(result.body.error_description, 'string')
  assert.is(result.response.headers.get('location'), null, 'never a redirect')
  assert.is(result.response.headers.get('cache-control'), 'no-store')
  const line = result.logger.events.find((e) => e.event === 'request')
  assert.is(line?.code, code, JSON.stringify(result.logger.events))
}

for (const [name, answer] of [
  ['50 MB with a Content-Length', { kind: 'large', bytes: 50 * MB }],
  ['50 MB chunked, no length', { kind: 'chunked', bytes: 50 * MB }],
  ['a gzip bomb (1 GB inflated from ~1 MB)', { kind: 'gzip-bomb', bytes: 1024 * MB }],
] as const) {
  test(`token answer of ${name}: 502, read stopped at maxIdpTokenBytes, the log names the bound`, async () => {
    idp.answer('token', answer)
    const result = await token()
    expectOAuth(result, 502, 'temporarily_unavailable', 'ERR_IDP_RESPONSE_TOO_LARGE')
    if (answer.kind !== 'gzip-bomb') {
      // (A bomb is small on the wire by design: what matters is that it is not inflated.)
      await idp.settled('token')
      const sent = idp.bytesWritten('token')
      assert.ok(sent < answer.bytes / 2, `the IdP stopped early: ${sent} of ${answer.bytes} bytes`)
    }
    const failed = result.logger.events.find((e) => e.event === 'request_failed')
    assert.match(String(failed?.message), /maxIdpTokenBytes \(65536 bytes\)/)
    assert.not.match(result.logger.lines.join('\n'), /aaaaaaaa/, 'no body in the log')
  })
}

test('the token bound is configurable', async () => {
  idp.answer('token', { kind: 'raw', status: 200, body: JSON.stringify({ x: 'y'.repeat(5000) }) })
  const small = await token({ maxIdpTokenBytes: 4096 })
  expectOAuth(small, 502, 'temporarily_unavailable', 'ERR_IDP_RESPONSE_TOO_LARGE')
  assert.throws(
    () => proxyOn({ maxIdpTokenBytes: 10 }),
    (error: unknown) => isProxyError(error) && error.option === 'maxIdpTokenBytes',
  )
})

test('a discovery document or JWKS past maxIdpMetadataBytes: 502 naming the bound', async () => {
  idp.answer('discovery', { kind: 'chunked', bytes: 50 * MB })
  const { proxy } = proxyOn()
  try {
    await proxy.ready()
    assert.unreachable('ready() must fail')
  } catch (error) {
    assert.ok(isProxyError(error))
    assert.is(error.code, 'ERR_IDP_RESPONSE_TOO_LARGE')
    assert.match(error.message, /maxIdpMetadataBytes \(262144 bytes\)/)
  }
  await idp.settled('discovery')
  assert.ok(idp.bytesWritten('discovery') < 25 * MB, 'the read stopped early')

  // The JWKS goes through the same bound, at /token.
  idp.answer('discovery', undefined)
  idp.answer('token', {
    kind: 'raw',
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ access_token: 'x', token_type: 'Bearer', id_token: 'a.b.c' }),
  })
  idp.answer('jwks', { kind: 'gzip-bomb', bytes: 1024 * MB })
  const result = await token()
  expectOAuth(result, 502, 'temporarily_unavailable', 'ERR_IDP_RESPONSE_TOO_LARGE')
  const failed = result.logger.events.find((e) => e.event === 'request_failed')
  assert.match(String(failed?.message), /^JWKS fetch: .*maxIdpMetadataBytes/)
})

test('an IdP status outside 200-599 is 502, never 500', async () => {
  for (const status of [600, 999]) {
    idp.answer('token', { kind: 'raw', status, body: '{"access_token":"x"}' })
    const result = await token()
    expectOAuth(result, 502, 'temporarily_unavailable', 'ERR_IDP_UNAVAILABLE')
    assert.match(String(result.body.error_description), new RegExp(`status ${status}`))
  }
})

test('deeply nested JSON from the IdP is 502, never a stack overflow', async () => {
  const deep = `{"access_token":"x","n":${'['.repeat(20_000)}${']'.repeat(20_000)}}`
  idp.answer('token', { kind: 'raw', status: 200, body: deep })
  expectOAuth(await token(), 502, 'temporarily_unavailable', 'ERR_IDP_UNAVAILABLE')
  idp.answer('token', { kind: 'raw', status: 400, body: deep })
  expectOAuth(await token(), 400, 'invalid_grant', 'ERR_IDP_REFUSED')
})

test('a 4xx refusal without an OAuth body is an OAuth error with its status, logged as a refusal', async () => {
  for (const [status, headers, body, error] of [
    [403, {}, '', 'invalid_client'], // Glewlwyd: a refused assertion, no body
    [401, { 'content-type': 'text/html' }, '<h1>Unauthorized</h1>', 'invalid_client'],
    [400, {}, '', 'invalid_grant'],
    [400, { 'content-type': 'application/json' }, '{"message":"bad"}', 'invalid_grant'],
  ] as const) {
    idp.answer('token', { kind: 'raw', status, headers, body })
    const result = await token()
    expectOAuth(result, status, error, 'ERR_IDP_REFUSED')
    const levels = result.logger.events.map((e) => e.event)
    assert.ok(levels.includes('idp_refused'), JSON.stringify(levels))
    assert.not.ok(levels.includes('request_failed'), 'not logged as an outage')
  }
})

test('a 4xx with an OAuth error body still passes through unchanged', async () => {
  idp.answer('token', {
    kind: 'raw',
    status: 400,
    headers: { 'content-type': 'application/json' },
    body: '{"error":"invalid_grant","error_description":"code used"}',
  })
  const result = await token()
  assert.is(result.response.status, 400)
  assert.equal(result.body, { error: 'invalid_grant', error_description: 'code used' })
})

test('any 3xx from the token endpoint is 502 without a Location', async () => {
  for (const status of [301, 302, 303, 307, 308]) {
    idp.answer('token', {
      kind: 'raw',
      status,
      headers: { location: 'https://evil.example/steal', 'content-type': 'application/json' },
      body: '{"access_token":"x","token_type":"Bearer"}',
    })
    const result = await token()
    expectOAuth(result, 502, 'temporarily_unavailable', 'ERR_IDP_UNAVAILABLE')
  }
})

async function readyError(): Promise<{ code: string; message: string }> {
  const { proxy } = proxyOn()
  try {
    await proxy.ready()
  } catch (error) {
    assert.ok(isProxyError(error), String(error))
    return { code: error.code, message: error.message }
  }
  throw new Error('ready() should have failed')
}

test('start-up: each discovery failure has its own message with what was received', async () => {
  const issuer = idp.issuer // configured without a trailing slash
  const messages: string[] = []

  idp.answer('discovery', { kind: 'raw', status: 500, body: 'oops' })
  let failure = await readyError()
  assert.is(failure.code, 'ERR_IDP_UNAVAILABLE')
  assert.match(failure.message, /answered HTTP 500, not 200/)
  messages.push(failure.message)

  idp.answer('discovery', {
    kind: 'raw',
    status: 200,
    headers: { 'content-type': 'text/html' },
    body: '<html>login</html>',
  })
  failure = await readyError()
  assert.match(failure.message, /not a JSON object \(content-type text\/html, 18 characters\)/)
  messages.push(failure.message)

  idp.answer('discovery', {
    kind: 'raw',
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ issuer: 'https://other.example.com', token_endpoint: 'x' }),
  })
  failure = await readyError()
  assert.ok(
    failure.message.includes(
      `names issuer "https://other.example.com", not the configured "${issuer}"`,
    ),
    failure.message,
  )
  messages.push(failure.message)

  idp.answer('discovery', {
    kind: 'raw',
    status: 301,
    headers: { location: 'https://idp.example.com/realms/x/.well-known/openid-configuration' },
  })
  failure = await readyError()
  assert.match(
    failure.message,
    /redirected \(HTTP 301 to https:\/\/idp\.example\.com\/realms\/x\/\.well-known\/openid-configuration\)/,
  )
  messages.push(failure.message)

  assert.is(new Set(messages).size, 4, 'four distinct messages')
  for (const message of messages) {
    assert.ok(message.startsWith(`discovery of ${issuer}:`), message)
    assert.not.ok(message.includes(`${issuer}/:`), 'the issuer as configured, no slash added')
  }
})

test('a discovery failure at /authorize is a 502 page, not a redirect', async () => {
  idp.answer('discovery', { kind: 'raw', status: 500, body: '' })
  const { proxy } = proxyOn({ pkce: true, store: createMemoryStore() })
  const response = await proxy.handle(new Request(authorizeUrl()))
  assert.is(response.status, 502)
  assert.is(response.headers.get('location'), null)
})

test.run()
