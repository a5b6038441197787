import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { Logger } from '@idp-proxy/core'
import { DYNAMODB_ATTRIBUTES } from '@idp-proxy/lambda-adapter/dynamodb'
import { createStrictIdp, type LoopbackServer, type StrictIdp, startMsw } from '@idp-proxy/testing'
import dynalite from 'dynalite'
import { exportJWK, generateKeyPair } from 'jose'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { startServer } from '../src/index.js'
import { PACKAGE_DIR, runServer, type ServerChild } from './helpers/child.js'
import {
  authorizeAtProxy,
  CLIENT_ID,
  CLIENT_SECRET,
  COGNITO_REDIRECT,
  callbackAtProxy,
  pkceFlow,
  tokenAtProxy,
} from './helpers/flow.js'
import { type TestKeys, testKeys } from './helpers/keys.js'
import { freePort, type RedisProcess, startRedis } from './helpers/redis.js'
import { setUp } from './helpers/setup.js'

// Requests off loopback fail: the proxy in this process must reach only the loopback IdP.
startMsw()

let keys: TestKeys
let idp: StrictIdp
let idpServer: LoopbackServer
let redis: RedisProcess
const dir = mkdtempSync(join(tmpdir(), 'idp-proxy-server-test-'))

async function baseEnv(port: number, path = ''): Promise<Record<string, string>> {
  return {
    PROXY_BASE_URL: `http://127.0.0.1:${port}${path}`,
    IDP_ISSUER: idp.issuer,
    IDP_CLIENT_ID: CLIENT_ID,
    COGNITO_REDIRECT_URIS: COGNITO_REDIRECT,
    COGNITO_CLIENT_SECRET: CLIENT_SECRET,
    PRIVATE_KEY: JSON.stringify(keys.privateJwk),
    ALLOW_INSECURE_HTTP: 'true',
    PORT: String(port),
    HOST: '127.0.0.1',
  }
}

/** A plain new connection (no pooled keep-alive socket) to see whether the server still accepts. */
function connects(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      res.resume()
      resolve(true)
    })
    req.on('error', () => resolve(false))
    req.end()
  })
}

async function stopped(server: ServerChild): Promise<void> {
  server.child.kill('SIGTERM')
  const exit = await server.exited
  assert.is(exit.code, 0, exit.stderr)
}

const test = suite('standalone server (child process)')

setUp(test, async () => {
  keys = await testKeys()
  // The child process reaches the IdP over loopback: its issuer is the port listen() binds.
  idp = createStrictIdp({
    clientId: CLIENT_ID,
    jwks: async () => keys.publicJwks,
    issParameter: true,
  })
  idpServer = await idp.listen()
  redis = await startRedis()
})

test.after(async () => {
  await idpServer?.close()
  await redis?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('serves a full PKCE flow, /health and the JWKS, logs JSON lines, exits 0 on SIGTERM', async () => {
  const port = await freePort()
  const server = runServer(['serve'], await baseEnv(port))
  try {
    const listening = await server.waitFor('server_listening')
    assert.is(listening.url, `http://127.0.0.1:${port}`)
    const base = `http://127.0.0.1:${port}`
    const result = await pkceFlow({ authorize: `${base}/authorize`, token: `${base}/token` }, idp)
    assert.equal(idp.refusals, [])
    assert.is(result.status, 200, JSON.stringify(result.body))
    assert.equal(await (await fetch(`${base}/health`)).json(), { status: 'ok' })
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[]
    }
    assert.is(jwks.keys[0]?.kid, keys.kid)
    assert.is((await fetch(`${base}/nowhere`)).status, 404)
    const requests = server.lines.filter((line) => line.event === 'request')
    assert.ok(requests.length >= 5)
    // Nothing secret in the log: not the client secret, not the private key.
    const log = JSON.stringify(server.lines)
    assert.not.ok(log.includes(CLIENT_SECRET))
    assert.not.ok(log.includes(String(keys.privateJwk.d)))
  } finally {
    await stopped(server)
  }
})

test('STORE=redis://, PRIVATE_KEY_FILE and a base path: a full flow, then a clean exit', async () => {
  const port = await freePort()
  const keyFile = join(dir, 'key.json')
  writeFileSync(keyFile, JSON.stringify({ keys: [keys.privateJwk] }))
  const env = await baseEnv(port, '/idp')
  delete env.PRIVATE_KEY
  const server = runServer(['serve'], {
    ...env,
    PRIVATE_KEY_FILE: keyFile,
    STORE: redis.url,
    REDIS_KEY_PREFIX: 'served:',
  })
  try {
    const listening = await server.waitFor('server_listening')
    assert.is(listening.store, 'redis')
    await server.waitFor('redis_ready')
    const base = `http://127.0.0.1:${port}/idp`
    const { callbackUrl, state, idpRedirect } = await authorizeAtProxy(
      { authorize: `${base}/authorize`, token: `${base}/token` },
      idp,
    )
    assert.is(idpRedirect.searchParams.get('redirect_uri'), `${base}/callback`)
    const code = await callbackAtProxy(callbackUrl, state)
    const token = await tokenAtProxy(`${base}/token`, code)
    assert.is(token.status, 200, JSON.stringify(token.body))
    // The same routes without the prefix (a reverse proxy that strips it) are served too.
    assert.is((await fetch(`http://127.0.0.1:${port}/health`)).status, 200)
  } finally {
    await stopped(server)
  }
})

test("STORE=dynamodb: a full flow with the Lambda adapter's store (dynalite)", async () => {
  const db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${(db.address() as AddressInfo).port}`
  const aws = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }
  const client = new DynamoDBClient({
    region: aws.AWS_REGION,
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  })
  const port = await freePort()
  let server: ServerChild | undefined
  try {
    await client.send(
      new CreateTableCommand({
        TableName: 'flows',
        AttributeDefinitions: [{ AttributeName: DYNAMODB_ATTRIBUTES.key, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: DYNAMODB_ATTRIBUTES.key, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    )
    server = runServer(['serve'], {
      ...(await baseEnv(port)),
      ...aws,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      STORE: 'dynamodb',
      FLOW_TABLE_NAME: 'flows',
    })
    assert.is((await server.waitFor('server_listening')).store, 'dynamodb')
    const base = `http://127.0.0.1:${port}`
    const result = await pkceFlow({ authorize: `${base}/authorize`, token: `${base}/token` }, idp)
    assert.is(result.status, 200, JSON.stringify(result.body))
  } finally {
    if (server) await stopped(server)
    client.destroy()
    await new Promise<void>((resolve) => db.close(() => resolve()))
  }
})

test('SIGTERM while a token request is in flight: it completes, new connections are refused, exit 0', async () => {
  const port = await freePort()
  const server = runServer(['serve'], await baseEnv(port))
  try {
    await server.waitFor('server_listening')
    const base = `http://127.0.0.1:${port}`
    const { callbackUrl, state } = await authorizeAtProxy(
      { authorize: `${base}/authorize`, token: `${base}/token` },
      idp,
    )
    const code = await callbackAtProxy(callbackUrl, state)
    const hold = idp.holdNextToken()
    const inFlight = tokenAtProxy(`${base}/token`, code)
    await hold.reached
    server.child.kill('SIGTERM')
    await server.waitFor('server_stopping')
    assert.is(await connects(`${base}/health`), false, 'no new connections while stopping')
    hold.release()
    const token = await inFlight
    assert.is(token.status, 200, JSON.stringify(token.body))
    const exit = await server.exited
    assert.is(exit.code, 0, exit.stderr)
    assert.ok(server.lines.some((line) => line.event === 'server_stopped'))
  } finally {
    server.child.kill('SIGKILL')
  }
})

for (const [name, change, variable] of [
  ['no COGNITO_CLIENT_SECRET', { COGNITO_CLIENT_SECRET: '' }, 'COGNITO_CLIENT_SECRET'],
  ['a public-only PRIVATE_KEY', 'public-key', 'PRIVATE_KEY'],
  ['an unknown STORE', { STORE: 'mongodb://x' }, 'STORE'],
  ['STORE=dynamodb without FLOW_TABLE_NAME', { STORE: 'dynamodb' }, 'FLOW_TABLE_NAME'],
  // Checked by createProxy, reported under the variable that feeds the option.
  ['two routes on one path', { ROUTE_PATHS: '{"jwks":"/token"}' }, 'ROUTE_PATHS'],
] as const) {
  test(`refuses to start with ${name}: one line naming ${variable}, exit 1`, async () => {
    const port = await freePort()
    const env = await baseEnv(port)
    if (change === 'public-key') {
      const { publicKey } = await generateKeyPair('ES256', { extractable: true })
      env.PRIVATE_KEY = JSON.stringify({
        ...(await exportJWK(publicKey)),
        kid: 'public-only',
        alg: 'ES256',
      })
    } else {
      Object.assign(env, change)
    }
    const server = runServer(['serve'], env)
    const exit = await server.exited
    assert.is(exit.code, 1)
    const lines = exit.stderr.trim().split('\n')
    assert.is(lines.length, 1, exit.stderr)
    assert.match(lines[0] as string, /^idp-proxy: invalid configuration: /)
    assert.ok(lines[0]?.includes(variable), lines[0])
    assert.not.match(exit.stderr, /\n\s+at /)
    assert.is(await connects(`http://127.0.0.1:${port}/health`), false)
  })
}

test('an empty environment: one message naming every required variable, exit 1, nothing listens', async () => {
  const port = await freePort()
  // PORT only, so that "nothing listens" can be checked; it is not required.
  const server = runServer(['serve'], { PORT: String(port) })
  const exit = await server.exited
  assert.is(exit.code, 1)
  const [first, ...rest] = exit.stderr.trim().split('\n')
  const required = [
    'PROXY_BASE_URL',
    'IDP_ISSUER',
    'IDP_CLIENT_ID',
    'COGNITO_REDIRECT_URIS',
    'COGNITO_CLIENT_SECRET',
    'PRIVATE_KEY',
  ]
  assert.is(first, `idp-proxy: invalid configuration: ${required.length} problems:`)
  assert.equal(
    rest.map((line) => /^ {2}([A-Z_]+): /.exec(line)?.[1]),
    required,
    exit.stderr,
  )
  assert.match(exit.stderr, 'PRIVATE_KEY: is required (or PRIVATE_KEY_FILE)')
  assert.not.match(exit.stderr, /\n\s+at /)
  assert.is(await connects(`http://127.0.0.1:${port}/health`), false)
})

test('an unreachable Redis at start-up: startServer rejects (ERR_STORE_UNAVAILABLE), nothing listens', async () => {
  const port = await freePort()
  const nothing = await freePort()
  const env = { ...(await baseEnv(port)), STORE: `redis://127.0.0.1:${nothing}`, LOG_LEVEL: 'warn' }
  const logged: { level: string; event: string; code?: unknown }[] = []
  const logger: Logger = { log: (level, event, fields) => logged.push({ level, event, ...fields }) }
  try {
    await startServer({ env, storeConnectTimeoutMs: 300, logger })
    assert.unreachable('must not start')
  } catch (error) {
    assert.is((error as { code?: string }).code, 'ERR_STORE_UNAVAILABLE')
    assert.match((error as Error).message, /^STORE: /)
  }
  // The Redis client's refused connection is logged as such.
  assert.ok(logged.length > 0, 'the refused connection is logged')
  assert.equal(
    logged.filter((line) => line.event !== 'redis_error' || line.code !== 'ECONNREFUSED'),
    [],
  )
  assert.is(await connects(`http://127.0.0.1:${port}/health`), false)
})

test('the bin launcher runs the built CLI from any directory', async () => {
  const launcher = join(PACKAGE_DIR, 'bin', 'idp-proxy.mjs')
  const server = runServer(['--help'], {}, [launcher], tmpdir())
  const exit = await server.exited
  assert.is(exit.code, 0, exit.stderr)
  const text = server.lines.map((line) => line.text).join('\n')
  assert.match(text, /usage: idp-proxy serve/)
  assert.match(text, /PROXY_BASE_URL/)
  assert.match(text, /REDIS_KEY_PREFIX/)
})

test.run()
