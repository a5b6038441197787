import { request as httpRequest } from 'node:http'
import type { Proxy as IdpProxy } from '@idp-proxy/core'
import { startMsw } from '@idp-proxy/testing'
import express from 'express'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { proxyRouter, reencodeBody } from '../src/index.js'
import { publicPath } from '../src/router.js'
import { listen, type TestServer } from './helpers/app.js'
import { setUp } from './helpers/setup.js'

startMsw()

/** A stand-in proxy that records the Web Request it gets and answers what the test says. */
function fakeProxy(base: string, answer: (request: Request) => Promise<Response>) {
  const seen: Request[] = []
  const urls = {
    authorize: `${base}/authorize`,
    callback: `${base}/callback`,
    token: `${base}/token`,
    jwks: `${base}/.well-known/jwks.json`,
    health: `${base}/health`,
    userinfo: `${base}/userinfo`,
  }
  const proxy: IdpProxy = {
    baseUrl: base,
    urls,
    callbackUrl: urls.callback,
    ready: async () => {
      throw new Error('not used')
    },
    handle: async (request) => {
      seen.push(request)
      return answer(request)
    },
  }
  return { proxy, seen }
}

function raw(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: string } = {},
) {
  return new Promise<{
    status: number
    headers: Record<string, string | string[] | undefined>
    body: string
  }>((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(options.body)
  })
}

const test = suite('convert: Node request <-> Web Request/Response')
let server: TestServer
setUp(test, async () => {
  server = await listen()
})
test.after(async () => {
  await server?.close()
})

test('the URL is the configured base + router-relative path + query, whatever Host says', async () => {
  const { proxy, seen } = fakeProxy('https://proxy.example.test/v1', async () => new Response('ok'))
  const app = express()
  app.use('/mounted', proxyRouter(proxy))
  server.setListener(app)
  const answer = await raw(`${server.origin}/mounted/authorize?a=1&b=%20x`, {
    headers: { host: 'evil.example', 'x-multi': ['one', 'two'] },
  })
  assert.is(answer.status, 200)
  assert.is(seen[0]?.url, 'https://proxy.example.test/v1/authorize?a=1&b=%20x')
  assert.is(seen[0]?.headers.get('x-multi'), 'one, two')
  assert.is(seen[0]?.headers.get('connection'), null)
})

test('every Set-Cookie stays its own header (never split or joined on commas)', async () => {
  const cookies = ['a=1; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Secure', 'b=2; HttpOnly']
  const { proxy } = fakeProxy('https://proxy.example.test', async () => {
    const headers = new Headers({ 'content-type': 'text/plain', 'x-extra': 'yes' })
    for (const cookie of cookies) headers.append('set-cookie', cookie)
    return new Response('cookies', { status: 201, headers })
  })
  const app = express()
  app.use(proxyRouter(proxy))
  server.setListener(app)
  const answer = await raw(`${server.origin}/health`)
  assert.is(answer.status, 201)
  assert.equal(answer.headers['set-cookie'], cookies)
  assert.is(answer.headers['x-extra'], 'yes')
  assert.is(answer.body, 'cookies')
})

test('a streamed response body arrives whole; a streamed request body reaches core', async () => {
  const { proxy } = fakeProxy('https://proxy.example.test', async (request) => {
    const received = await request.text()
    const encoder = new TextEncoder()
    const parts = ['first,', 'second,', `got ${received.length}`]
    return new Response(
      new ReadableStream({
        pull(controller) {
          const part = parts.shift()
          if (part === undefined) controller.close()
          else controller.enqueue(encoder.encode(part))
        },
      }),
    )
  })
  const app = express()
  app.use(proxyRouter(proxy))
  server.setListener(app)
  const answer = await raw(`${server.origin}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'z'.repeat(10_000),
  })
  assert.is(answer.body, 'first,second,got 10000')
})

test('a response body that fails mid-way cuts the response short; the server carries on', async () => {
  let calls = 0
  const { proxy } = fakeProxy('https://proxy.example.test', async () => {
    if (++calls > 1) return new Response('fine')
    let sent = false
    return new Response(
      new ReadableStream({
        pull(controller) {
          if (sent) controller.error(new Error('producer failed'))
          else controller.enqueue(new TextEncoder().encode('partial'))
          sent = true
        },
      }),
    )
  })
  const app = express()
  app.use(proxyRouter(proxy))
  server.setListener(app)
  const broken = await raw(`${server.origin}/health`).then(
    () => 'completed',
    (error: Error & { code?: string }) => error.code ?? error.message,
  )
  assert.is.not(broken, 'completed', 'the client must see a cut response, not a complete one')
  assert.is((await raw(`${server.origin}/health`)).body, 'fine')
})

test('a method the Fetch API cannot carry (TRACE) gets 405 JSON, not a 500', async () => {
  const { proxy, seen } = fakeProxy('https://proxy.example.test', async () => new Response('never'))
  const app = express()
  app.use(proxyRouter(proxy))
  server.setListener(app)
  const answer = await raw(`${server.origin}/token`, { method: 'TRACE' })
  assert.is(answer.status, 405)
  assert.is(JSON.parse(answer.body).error, 'invalid_request')
  assert.is(seen.length, 0)
})

test('reencodeBody: forms, repeated values, nested values dropped, JSON, bytes', () => {
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
  const form = 'application/x-www-form-urlencoded'
  assert.is(text(reencodeBody({ a: 'x y', b: ['1', '2'], c: { d: 'e' } }, form)), 'a=x+y&b=1&b=2')
  assert.is(text(reencodeBody({ a: 1 }, 'application/json')), '{"a":1}')
  assert.is(text(reencodeBody(Buffer.from('raw'), 'text/plain')), 'raw')
  assert.is(text(reencodeBody('text', 'text/plain')), 'text')
  assert.is(reencodeBody(undefined, form).byteLength, 0)
})

test('the router sees the path the URL parser would, parsed or not', () => {
  const relatives = [
    '/authorize?client_id=a&state=b',
    '/authorize/',
    '/authorize#frag',
    'authorize',
    '',
    '/',
    '//authorize',
    '/./authorize',
    '/x/../authorize',
    '/%61uthorize',
    '/authorize%2F',
    '/\\authorize',
    '/a b',
    '/caf\u00e9',
    '/\tauthorize',
    '/authorize?next=/../x#y',
    '/.well-known/jwks.json',
    '/~user/a_b-c',
  ]
  for (const base of [
    'https://proxy.example.com',
    'https://proxy.example.com/idp',
    'https://p.example/a%20b',
  ]) {
    const basePath = new URL(base).pathname.replace(/\/+$/, '')
    for (const relative of relatives) {
      const path = relative.startsWith('/') ? relative : `/${relative}`
      assert.is(
        publicPath(base, basePath, relative),
        new URL(`${base}${path}`).pathname,
        `${base} ${relative}`,
      )
    }
  }
})

test.run()
