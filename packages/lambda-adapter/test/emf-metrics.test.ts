/**
 * CloudWatch Embedded Metric Format from the Lambda handlers: a full sign-in through the three
 * route functions, then each failure class (a wrong client secret, a used code, the IdP's own
 * refusal, the IdP down, DynamoDB down, a malformed event), each read back from the captured
 * stdout lines as EMF documents and checked for names, dimensions and values.
 */
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:net'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { createStrictIdp, type StrictIdp, useMsw } from '@idp-proxy/testing'
import type { JWK } from 'jose'
import { HttpResponse, http } from 'msw'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { browserProxyFromEnv } from '../src/browser-proxy.js'
import type { HttpResultV2 } from '../src/convert.js'
import { emfMetrics } from '../src/emf-metrics.js'
import { createHandler, type LambdaHandler } from '../src/handler.js'
import { tokenProxyFromEnv } from '../src/token-proxy.js'
import { AWS_TEST_CONFIG } from './helpers/aws.js'
import { secretsManagerMock } from './helpers/aws-mocks.js'
import { type Dynalite, startDynalite } from './helpers/dynalite.js'
import { httpEvent } from './helpers/events.js'
import { memoryLogger, seedJwk } from './helpers/keys.js'

const test = suite('CloudWatch EMF metrics from the Lambda handlers')
const server = useMsw(test)

const ISSUER = 'https://idp.example.com'
const BASE = 'https://abc123defg.execute-api.us-east-1.amazonaws.com/v1'
const COGNITO = 'https://auth.example.com/oauth2/idpresponse'
const KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:idp-proxy/key-AbCdEf'
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:idp-proxy/cognito-GhIjKl'
const CLIENT_SECRET = 'cognito-shared-secret-0123456789'

let db: Dynalite
let secretsClient: SecretsManagerClient
let jwk: JWK
let idp: StrictIdp

test.before(async () => {
  db = await startDynalite()
  secretsClient = new SecretsManagerClient(AWS_TEST_CONFIG)
  jwk = await seedJwk('seed-key-1')
})
test.after(async () => {
  secretsClient.destroy()
  await db.stop()
})
test.before.each(() => {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk
  idp = createStrictIdp({
    issuer: ISSUER,
    clientId: 'client-1',
    jwks: async () => ({ keys: [publicJwk] }),
    algorithms: ['RS256'],
  })
  const secrets = new Map([
    [KEY_ARN, { value: JSON.stringify(jwk), versionId: 'v1' }],
    [SECRET_ARN, { value: CLIENT_SECRET, versionId: 'v1' }],
  ])
  server.use(...idp.handlers, secretsManagerMock({ calls: new Map(), secrets }))
})

interface EmfDocument {
  _aws: {
    Timestamp: number
    CloudWatchMetrics: {
      Namespace: string
      Dimensions: string[][]
      Metrics: { Name: string; Unit: string }[]
    }[]
  }
  [member: string]: unknown
}

/** A metric as CloudWatch extracts it from one line: name, unit, dimensions, value. */
interface Extracted {
  name: string
  unit: string
  dimensions: Record<string, string>
  value: number
}

/** Parses each line as EMF and checks it is well-formed (what CloudWatch would refuse). */
function extract(lines: string[]): Extracted[] {
  return lines.map((line) => {
    const doc = JSON.parse(line) as EmfDocument
    assert.type(doc._aws.Timestamp, 'number')
    assert.is(doc._aws.CloudWatchMetrics.length, 1)
    const [directive] = doc._aws.CloudWatchMetrics
    assert.is(directive?.Namespace, 'IdpProxy')
    assert.is(directive?.Dimensions.length, 1)
    assert.is(directive?.Metrics.length, 1)
    const [metric] = directive?.Metrics ?? []
    const dimensions: Record<string, string> = {}
    for (const key of directive?.Dimensions[0] ?? []) {
      assert.type(doc[key], 'string', `dimension ${key} is a string member of the root`)
      dimensions[key] = doc[key] as string
    }
    assert.type(doc[metric?.Name ?? ''], 'number', 'the metric value is a number member')
    return {
      name: metric?.Name ?? '',
      unit: metric?.Unit ?? '',
      dimensions,
      value: doc[metric?.Name ?? ''] as number,
    }
  })
}

async function handlers(extra: Record<string, string> = {}, dynamoDb?: DynamoDBClient) {
  const lines: string[] = []
  const metrics = emfMetrics({ write: (line) => lines.push(line) })
  const env = {
    PROXY_BASE_URL: BASE,
    IDP_ISSUER: ISSUER,
    IDP_CLIENT_ID: 'client-1',
    COGNITO_REDIRECT_URIS: COGNITO,
    STORE: 'dynamodb',
    FLOW_TABLE_NAME: await db.createTable(),
    PRIVATE_KEY_SECRET_ARN: KEY_ARN,
    CLIENT_SECRET_ARN: SECRET_ARN,
    LOG_LEVEL: 'error',
    ...extra,
  }
  const clients = { dynamoDb: dynamoDb ?? db.client, secretsManager: secretsClient }
  const logged = memoryLogger()
  const options = { metrics, logger: logged.logger }
  return {
    lines,
    /** The proxies' error log lines: event and code. */
    errors: () =>
      logged.lines
        .filter((line) => line.level === 'error')
        .map((line) => [line.event, line.fields.code]),
    /** The metrics written since the last call. */
    take: () => extract(lines.splice(0)),
    authorize: createHandler(() => browserProxyFromEnv(env, clients, options), options),
    callback: createHandler(
      () => browserProxyFromEnv(env, { ...clients, fn: 'callback' }, options),
      options,
    ),
    token: createHandler(() => tokenProxyFromEnv(env, clients, options), options),
  }
}

type Handlers = Awaited<ReturnType<typeof handlers>>

function tokenEvent(code: string, secret = CLIENT_SECRET) {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: COGNITO,
    client_id: 'client-1',
    client_secret: secret,
  }).toString()
  return httpEvent('POST', '/v1/token', {
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
}

function location(result: HttpResultV2): URL {
  assert.is(result.statusCode, 302, result.body)
  return new URL(String(result.headers.location))
}

const authorizeEvent = () =>
  httpEvent(
    'GET',
    `/v1/authorize?${new URLSearchParams({
      client_id: 'client-1',
      redirect_uri: COGNITO,
      response_type: 'code',
      scope: 'openid',
      state: 'cognito-state-emf',
    })}`,
  )

/** /authorize, the IdP, /callback: Cognito's code handle and the IdP's code behind it. */
async function codeHandle(h: Handlers): Promise<{ handle: string; idpCode: string }> {
  const atIdp = location(await h.authorize(authorizeEvent()))
  const { code } = idp.signIn(atIdp.href)
  const back = new URLSearchParams({ code, state: atIdp.searchParams.get('state') ?? '' })
  const atCognito = location(await h.callback(httpEvent('GET', `/v1/callback?${back}`)))
  return { handle: atCognito.searchParams.get('code') ?? '', idpCode: code }
}

const failure = (route: string, code: string, error: string): Extracted => ({
  name: 'Failures',
  unit: 'Count',
  dimensions: { Route: route, Code: code, Error: error },
  value: 1,
})

test('a full sign-in: SigninsStarted, IdP latency per endpoint, SigninsCompleted', async () => {
  const h = await handlers()
  const { handle } = await codeHandle(h)
  const tokens = await h.token(tokenEvent(handle))
  assert.is(tokens.statusCode, 200, tokens.body)

  const metrics = h.take()
  // Discovery ran in the authorize function and again in the token function (one per container).
  const latencies = metrics.filter((m) => m.name === 'IdpRequestDuration')
  assert.equal(
    latencies.map((m) => [m.unit, m.dimensions]),
    [
      ['Milliseconds', { Endpoint: 'discovery', Outcome: '2xx' }],
      ['Milliseconds', { Endpoint: 'discovery', Outcome: '2xx' }],
      ['Milliseconds', { Endpoint: 'token', Outcome: '2xx' }],
      // The token function verifies the IdP's id_token against its JWKS, fetched on first use.
      ['Milliseconds', { Endpoint: 'jwks', Outcome: '2xx' }],
    ],
  )
  for (const { value } of latencies) assert.ok(value >= 0 && Number.isFinite(value))
  assert.equal(
    metrics.filter((m) => m.name !== 'IdpRequestDuration'),
    [
      { name: 'SigninsStarted', unit: 'Count', dimensions: {}, value: 1 },
      { name: 'SigninsCompleted', unit: 'Count', dimensions: {}, value: 1 },
    ],
  )
})

test('each failure class: one Failures line with Route, Code and Error', async () => {
  const h = await handlers()
  const { handle } = await codeHandle(h)
  assert.is((await h.token(tokenEvent(handle))).statusCode, 200)
  h.take()

  assert.is((await h.token(tokenEvent(handle, 'wrong-secret-0123456789'))).statusCode, 401)
  assert.equal(h.take(), [failure('token', 'ERR_CLIENT_AUTH', 'invalid_client')])

  // The code handle was used by the sign-in above.
  assert.is((await h.token(tokenEvent(handle))).statusCode, 400)
  assert.equal(h.take(), [failure('token', 'ERR_FLOW_NOT_FOUND', 'invalid_grant')])

  // The IdP refuses (its code was revoked): its own error, passed on to Cognito.
  const revoked = await codeHandle(h)
  idp.revoke(revoked.idpCode)
  h.take()
  const refused = await h.token(tokenEvent(revoked.handle))
  assert.is(refused.statusCode, 400)
  assert.equal(
    h.take().map((m) => [m.name, m.dimensions]),
    [
      ['IdpRequestDuration', { Endpoint: 'token', Outcome: '4xx' }],
      ['Failures', { Route: 'token', Code: 'IDP_ERROR', Error: 'invalid_grant' }],
    ],
  )

  // The IdP is down.
  const down = await codeHandle(h)
  h.take()
  server.use(http.post(idp.tokenEndpoint, () => HttpResponse.error()))
  assert.is((await h.token(tokenEvent(down.handle))).statusCode, 502)
  assert.equal(h.errors(), [['request_failed', 'ERR_IDP_UNAVAILABLE']])
  assert.equal(
    h.take().map((m) => [m.name, m.dimensions]),
    [
      ['IdpRequestDuration', { Endpoint: 'token', Outcome: 'error' }],
      [
        'Failures',
        { Route: 'token', Code: 'ERR_IDP_UNAVAILABLE', Error: 'temporarily_unavailable' },
      ],
    ],
  )

  // A malformed event never reaches the proxy: the handler counts it.
  assert.is((await h.token({})).statusCode, 400)
  assert.equal(h.take(), [failure('unknown', 'ERR_INVALID_REQUEST', 'invalid_request')])
})

test('DynamoDB down: /authorize answers 503, counted on its route', async () => {
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const { port } = closed.address() as AddressInfo
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const unreachable = new DynamoDBClient({
    ...AWS_TEST_CONFIG,
    endpoint: `http://127.0.0.1:${port}`,
  })
  try {
    const h = await handlers({}, unreachable)
    const result = await h.authorize(authorizeEvent())
    assert.is(result.statusCode, 503)
    assert.equal(h.errors(), [['request_failed', 'ERR_STORE_UNAVAILABLE']])
    assert.equal(
      h.take().filter((m) => m.name === 'Failures'),
      [failure('authorize', 'ERR_STORE_UNAVAILABLE', 'temporarily_unavailable')],
    )
  } finally {
    unreachable.destroy()
  }
})

test('a proxy that cannot start: each request is a Failures line of route unknown', async () => {
  const lines: string[] = []
  const metrics = emfMetrics({ write: (line) => lines.push(line) })
  const handler: LambdaHandler = createHandler(
    () => tokenProxyFromEnv({ PROXY_BASE_URL: BASE, LOG_LEVEL: 'error' }, {}, { metrics }),
    { metrics, logger: { log() {} } },
  )
  assert.is((await handler(tokenEvent('code-handle-0123456789'))).statusCode, 500)
  assert.equal(extract(lines), [failure('unknown', 'ERR_INVALID_OPTION', 'server_error')])
})

test('by default each line goes to process.stdout as it is (no console prefix)', async () => {
  const written: string[] = []
  const original = process.stdout.write
  process.stdout.write = ((chunk: string) => {
    written.push(String(chunk))
    return true
  }) as typeof process.stdout.write
  try {
    const metrics = emfMetrics({
      namespace: 'IdpProxy',
      dimensions: { Stage: 'test' },
      now: () => 42,
    })
    metrics.count('failures', { route: 'token', code: 'ERR_CLIENT_AUTH', error: 'invalid_client' })
  } finally {
    process.stdout.write = original
  }
  assert.is(written.length, 1)
  assert.ok(written[0]?.endsWith('}\n'))
  assert.equal(JSON.parse(written[0] ?? ''), {
    _aws: {
      Timestamp: 42,
      CloudWatchMetrics: [
        {
          Namespace: 'IdpProxy',
          Dimensions: [['Stage', 'Route', 'Code', 'Error']],
          Metrics: [{ Name: 'Failures', Unit: 'Count' }],
        },
      ],
    },
    Stage: 'test',
    Route: 'token',
    Code: 'ERR_CLIENT_AUTH',
    Error: 'invalid_client',
    Failures: 1,
  })
})

test('bad EMF options are refused, naming the option', () => {
  for (const [options, option] of [
    [{ namespace: '' }, 'metrics.namespace'],
    [{ namespace: 'AWS/Lambda' }, 'metrics.namespace'],
    [{ dimensions: { Route: 'x' } }, 'metrics.dimensions.Route'],
    [{ dimensions: { Stage: '' } }, 'metrics.dimensions.Stage'],
  ] as const) {
    try {
      emfMetrics(options)
      assert.unreachable(`accepted ${JSON.stringify(options)}`)
    } catch (error) {
      assert.is((error as { option?: string }).option, option)
    }
  }
})

test.run()
