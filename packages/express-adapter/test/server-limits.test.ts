/**
 * The standalone server's timeouts and connection limits, seen from raw sockets: a client that
 * trickles its headers or its body is answered 408 (or cut off) and its connection closed, an
 * idle keep-alive connection is announced with the configured timeout, and connections past
 * the limits are refused. Deadlines are small (200 ms) so each test waits for the server's
 * close or answer; each trickle lasts ten times the deadline, so a server that did not enforce
 * it answers something else (and the assertion fails) rather than hanging the test.
 */
import {
  createStrictIdp,
  type LoopbackServer,
  type StrictIdp,
  withoutMsw,
} from '@idp-proxy/testing'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  DEFAULT_SERVER_LIMITS,
  type RunningServer,
  resolveServerLimits,
  type ServerLimits,
  startServer,
} from '../src/index.js'
import { CLIENT_ID, CLIENT_SECRET, COGNITO_REDIRECT } from './helpers/flow.js'
import { testKeys } from './helpers/keys.js'
import { rawClient, statuses } from './helpers/raw-socket.js'
import { freePort } from './helpers/redis.js'

const test = suite('standalone server: timeouts and connection limits')
// Raw sockets to the server under test: msw would hold trickled headers until they are whole.
// The IdP is a loopback server instead.
withoutMsw(test)

let idp: StrictIdp
let idpServer: LoopbackServer
let privateJwk: object
test.before(async () => {
  const keys = await testKeys()
  privateJwk = keys.privateJwk
  idp = createStrictIdp({ clientId: CLIENT_ID, jwks: async () => keys.publicJwks })
  idpServer = await idp.listen()
})
test.after(async () => {
  await idpServer?.close()
})

async function serve(limits: Partial<ServerLimits>): Promise<RunningServer> {
  const port = await freePort()
  return startServer({
    env: {
      PROXY_BASE_URL: `http://127.0.0.1:${port}`,
      IDP_ISSUER: idp.issuer,
      IDP_CLIENT_ID: CLIENT_ID,
      COGNITO_REDIRECT_URIS: COGNITO_REDIRECT,
      COGNITO_CLIENT_SECRET: CLIENT_SECRET,
      PRIVATE_KEY: JSON.stringify(privateJwk),
      ALLOW_INSECURE_HTTP: 'true',
      LOG_LEVEL: 'error',
    },
    port,
    host: '127.0.0.1',
    limits,
  })
}

const SLOW = 'x'.repeat(40)
// The end of a /health answer (the body is chunked: the JSON sits between chunk sizes).
const HEALTHY = /\{"status":"ok"\}/
const EVERY_MS = 50

test('headers trickled past headersTimeoutMs: Node answers 408 and closes the connection', async () => {
  const server = await serve({ headersTimeoutMs: 200, requestTimeoutMs: 5_000, bodyTimeoutMs: 200 })
  try {
    const client = await rawClient(server.url)
    client.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ')
    const cutOff = await client.trickle(SLOW, EVERY_MS)
    // A server without the deadline gets its headers now and answers 200.
    if (!cutOff) client.socket.write('\r\n\r\n')
    await client.waitFor(/^HTTP\/1\.1 \d{3} /m)
    client.socket.end()
    const text = await client.closed
    assert.equal(statuses(text), [408])
    assert.ok(cutOff, 'the server closed the connection while the headers were trickling')
  } finally {
    await server.close()
  }
})

test('a body trickled past bodyTimeoutMs: 408 with an OAuth JSON error, connection closed', async () => {
  const server = await serve({ bodyTimeoutMs: 200 })
  try {
    const client = await rawClient(server.url)
    client.socket.write(
      'POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        'Content-Type: application/x-www-form-urlencoded\r\n' +
        `Content-Length: ${SLOW.length}\r\n\r\n`,
    )
    const cutOff = await client.trickle(SLOW, EVERY_MS)
    const text = await client.closed
    // Without the deadline the whole body arrives and /token answers 401 (no client auth).
    assert.equal(statuses(text), [408])
    assert.match(text, /^connection: close\r$/im)
    const body = JSON.parse(/\{.*\}/s.exec(text)?.[0] ?? '{}') as Record<string, string>
    assert.is(body.error, 'invalid_request')
    assert.match(body.error_description ?? '', /did not arrive within 200 ms/)
    assert.ok(cutOff, 'the server closed the connection while the body was trickling')
  } finally {
    await server.close()
  }
})

test('a body no route reads, trickled past requestTimeoutMs: the connection is cut', async () => {
  const server = await serve({ headersTimeoutMs: 200, bodyTimeoutMs: 200, requestTimeoutMs: 300 })
  try {
    const client = await rawClient(server.url)
    client.socket.write(
      `POST /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${SLOW.length}\r\n\r\n`,
    )
    const cutOff = await client.trickle(SLOW, EVERY_MS)
    // A server without the deadline keeps the connection and serves the next request on it.
    if (!cutOff) client.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    await client.waitFor(/^HTTP\/1\.1 \d{3} [\s\S]*^HTTP\/1\.1 \d{3} /m)
    client.socket.end()
    const text = await client.closed
    // Express answered 404 at once; the rest of the body never arrived in time.
    assert.equal(statuses(text), [404])
    assert.ok(cutOff, 'the server closed the connection while the body was trickling')
  } finally {
    await server.close()
  }
})

test('keep-alive: the response announces keepAliveTimeoutMs', async () => {
  const server = await serve({ keepAliveTimeoutMs: 3_000 })
  try {
    const client = await rawClient(server.url)
    client.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    const text = await client.waitFor(HEALTHY)
    assert.equal(statuses(text), [200])
    assert.match(text, /^keep-alive: timeout=3\b/im)
    client.socket.destroy()
  } finally {
    await server.close()
  }
})

test('no limits given: the defaults are in force (announced keep-alive timeout and request cap)', async () => {
  const server = await serve({})
  try {
    const client = await rawClient(server.url)
    client.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    const text = await client.waitFor(HEALTHY)
    const { keepAliveTimeoutMs, maxRequestsPerSocket } = DEFAULT_SERVER_LIMITS
    const announced = new RegExp(
      `^keep-alive: timeout=${keepAliveTimeoutMs / 1000}, max=${maxRequestsPerSocket}\r$`,
      'im',
    )
    assert.match(text, announced)
    client.socket.destroy()
  } finally {
    await server.close()
  }
})

test('maxRequestsPerSocket: the last allowed response closes the connection', async () => {
  const server = await serve({ maxRequestsPerSocket: 2 })
  try {
    const client = await rawClient(server.url)
    const get = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
    client.socket.write(get)
    const first = await client.waitFor(HEALTHY)
    assert.match(first, /^connection: keep-alive\r$/im)
    client.socket.write(get)
    const text = await client.ended
    assert.equal(statuses(text), [200, 200])
    assert.match(text.split(/^HTTP\/1\.1 /m)[2] ?? '', /^connection: close\r$/im)
  } finally {
    await server.close()
  }
})

test('maxConnections: a connection past the limit is closed at once; the others keep working', async () => {
  const server = await serve({ maxConnections: 2 })
  try {
    const get = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
    const first = await rawClient(server.url)
    const second = await rawClient(server.url)
    for (const client of [first, second]) {
      client.socket.write(get)
      await client.waitFor(HEALTHY)
    }
    const third = await rawClient(server.url)
    third.socket.write(get)
    assert.is(await third.closed, '', 'the extra connection got no answer')
    first.socket.write(get)
    const again = await first.waitFor(/"ok"\}[\s\S]*"ok"\}/)
    assert.equal(statuses(again), [200, 200])
    first.socket.destroy()
    second.socket.destroy()
  } finally {
    await server.close()
  }
})

test('resolveServerLimits: defaults, and every bad limit named', () => {
  assert.equal(resolveServerLimits(), DEFAULT_SERVER_LIMITS)
  assert.is(resolveServerLimits({ maxConnections: 5 }).maxConnections, 5)
  for (const [limits, name] of [
    [{ headersTimeoutMs: 50 }, 'limits.headersTimeoutMs'],
    [{ maxConnections: 1.5 }, 'limits.maxConnections'],
    [{ keepAliveTimeoutMs: '5000' }, 'limits.keepAliveTimeoutMs'],
    [{ headersTimeoutMs: 20_000, requestTimeoutMs: 10_000 }, 'limits.headersTimeoutMs'],
    [{ bodyTimeoutMs: 40_000 }, 'limits.bodyTimeoutMs'],
    [{ maxSockets: 3 }, 'limits.maxSockets'],
  ] as const) {
    try {
      resolveServerLimits(limits as unknown as Partial<ServerLimits>)
      assert.unreachable(`accepted ${JSON.stringify(limits)}`)
    } catch (error) {
      assert.is((error as { code?: string }).code, 'ERR_INVALID_OPTION')
      assert.is((error as { option?: string }).option, name)
    }
  }
})

test('startServer refuses a bad limit before listening', async () => {
  try {
    await serve({ maxHeaderBytes: 10 })
    assert.unreachable('must not start')
  } catch (error) {
    assert.is((error as { option?: string }).option, 'limits.maxHeaderBytes')
  }
})

test.run()
