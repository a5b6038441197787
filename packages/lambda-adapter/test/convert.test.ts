import { readFileSync } from 'node:fs'
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type HttpEventV2,
  type HttpResultV2,
  isHttpEventV2,
  toRequest,
  toResult,
} from '../src/convert.js'

function fixture(name: string): APIGatewayProxyEventV2 {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'))
}

// The real event and result types fit the adapter's own (a compile-time check).
const _event: HttpEventV2 = fixture('apigw-v2-authorize')
const _result: APIGatewayProxyStructuredResultV2 = {} as HttpResultV2
void _event
void _result

const test = suite('event conversion')

test('API Gateway v2: base64 form body, cookies, stage prefix', async () => {
  const request = toRequest(fixture('apigw-v2-token-form'))
  assert.is(request.method, 'POST')
  assert.is(request.url, 'https://abc123defg.execute-api.us-east-1.amazonaws.com/v1/token')
  assert.is(request.headers.get('cookie'), 'session=abc123; theme=dark')
  assert.is(request.headers.get('content-type'), 'application/x-www-form-urlencoded')
  assert.is(request.headers.get('x-request-id'), 'Pc9x1jE3IAMEVxw')
  const form = new URLSearchParams(await request.text())
  assert.is(form.get('code'), 'abc+/=')
  assert.is(form.get('client_secret'), 's ecret')
  assert.is(form.get('redirect_uri'), 'https://auth.example.com/oauth2/idpresponse')
})

test('API Gateway v2: the raw query string is kept as sent', () => {
  const request = toRequest(fixture('apigw-v2-authorize'))
  const url = new URL(request.url)
  assert.is(url.pathname, '/v1/authorize')
  assert.is(url.searchParams.get('state'), 'H4sIAAAAAAAA+2Y')
  assert.is(url.searchParams.get('scope'), 'openid email')
  assert.is(request.headers.get('cookie'), null)
})

test('Function URL: plain body, Basic auth, $default stage, no query', async () => {
  const request = toRequest(fixture('function-url-token-form'))
  assert.is(request.url, 'https://a1b2c3d4e5f6g7h8i9j0kl.lambda-url.us-east-1.on.aws/token')
  assert.is(request.headers.get('authorization'), 'Basic Y2xpZW50LTE6cyUyMGVjcmV0')
  assert.is(new URLSearchParams(await request.text()).get('code'), 'abc+/=')
})

test('a missing rawQueryString, headers and body are fine', async () => {
  const event = fixture('function-url-health') as Partial<APIGatewayProxyEventV2>
  delete event.rawQueryString
  delete (event as { headers?: unknown }).headers
  const request = toRequest(event)
  assert.is(request.url, 'https://a1b2c3d4e5f6g7h8i9j0kl.lambda-url.us-east-1.on.aws/health')
  assert.is(request.body, null)
})

test('a body on GET is dropped; a path starting "//" stays a path', () => {
  const event = { ...fixture('function-url-health'), rawPath: '//evil.example/x', body: 'x' }
  const request = toRequest(event)
  assert.is(new URL(request.url).host, 'a1b2c3d4e5f6g7h8i9j0kl.lambda-url.us-east-1.on.aws')
  assert.is(new URL(request.url).pathname, '//evil.example/x')
  assert.is(request.body, null)
})

test('the host comes from the event, not the Host header', () => {
  const event = fixture('function-url-health')
  event.headers.host = 'attacker.example'
  assert.is(
    new URL(toRequest(event).url).host,
    'a1b2c3d4e5f6g7h8i9j0kl.lambda-url.us-east-1.on.aws',
  )
})

test('malformed events are refused with ERR_INVALID_REQUEST', () => {
  const good = fixture('apigw-v2-token-form')
  const bad: unknown[] = [
    null,
    'text',
    { Records: [] },
    { httpMethod: 'GET', path: '/health', requestContext: {} }, // REST API (payload 1.0)
    { ...good, rawPath: 'token' },
    { ...good, requestContext: { ...good.requestContext, http: { method: 'GE T' } } },
    { ...good, body: '***not base64***' },
    { ...good, body: 42 },
    { ...good, cookies: 'a=b' },
    { ...good, headers: { 'bad header': 'x' } },
    { ...good, headers: { 'x-ok': 'line\nbreak' } },
  ]
  for (const event of bad.slice(0, 4)) assert.not.ok(isHttpEventV2(event))
  for (const event of bad) {
    assert.throws(
      () => toRequest(event),
      (error: { code?: string }) => error.code === 'ERR_INVALID_REQUEST',
      JSON.stringify(event)?.slice(0, 80),
    )
  }
})

test('toResult: status, headers, each Set-Cookie separately, text body', async () => {
  const headers = new Headers({ 'content-type': 'application/json', 'cache-control': 'no-store' })
  headers.append('set-cookie', 'a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure')
  headers.append('set-cookie', 'b=2; HttpOnly')
  const result = await toResult(new Response('{"ok":true}', { status: 201, headers }))
  assert.equal(result, {
    statusCode: 201,
    headers: { 'cache-control': 'no-store', 'content-type': 'application/json' },
    cookies: ['a=1; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure', 'b=2; HttpOnly'],
    body: '{"ok":true}',
    isBase64Encoded: false,
  })
})

test('toResult: a redirect has an empty body and no cookies field', async () => {
  const result = await toResult(
    new Response(null, { status: 302, headers: { location: 'https://x.example/cb?code=1' } }),
  )
  assert.equal(result, {
    statusCode: 302,
    headers: { location: 'https://x.example/cb?code=1' },
    body: '',
    isBase64Encoded: false,
  })
})

test('toResult: a binary body is base64-encoded', async () => {
  const bytes = new Uint8Array([0, 1, 2, 250, 255])
  const result = await toResult(
    new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }),
  )
  assert.is(result.isBase64Encoded, true)
  assert.equal(new Uint8Array(Buffer.from(result.body, 'base64')), bytes)
  const jwks = await toResult(
    new Response('{"keys":[]}', { headers: { 'content-type': 'application/jwk-set+json' } }),
  )
  assert.is(jwks.isBase64Encoded, false)
  assert.is(jwks.body, '{"keys":[]}')
})

test.run()
