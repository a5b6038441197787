/**
 * Whole sign-ins through the Lambda handlers, as API Gateway (stage /v1) and Function URLs
 * deliver them: DynamoDB (dynalite) holds the flows, Secrets Manager (msw) holds the key and
 * Cognito's secret, and an msw IdP checks the client assertion and the PKCE verifier.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { createStrictIdp, type StrictIdp, useMsw } from '@idp-proxy/testing'
import type { JWK } from 'jose'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { browserProxyFromEnv } from '../src/browser-proxy.js'
import type { HttpResultV2 } from '../src/convert.js'
import { createHandler, type LambdaHandler, warmUp } from '../src/handler.js'
import { tokenProxyFromEnv } from '../src/token-proxy.js'
import { AWS_TEST_CONFIG, SECRETS_URL } from './helpers/aws.js'
import { type SecretsMock, secretsManagerMock } from './helpers/aws-mocks.js'
import { type Dynalite, startDynalite } from './helpers/dynalite.js'
import { httpEvent } from './helpers/events.js'
import { memoryLogger, seedJwk } from './helpers/keys.js'

const test = suite('full flows through the Lambda handlers')
const server = useMsw(test)

const ISSUER = 'https://idp.example.com'
const BASE = 'https://abc123defg.execute-api.us-east-1.amazonaws.com/v1'
const COGNITO = 'https://auth.example.com/oauth2/idpresponse'
const KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:idp-proxy/key-AbCdEf'
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:idp-proxy/cognito-GhIjKl'
const CLIENT_SECRET = 'cognito-shared-secret-0123456789'
const COGNITO_STATE = `H4sIAAAAAAAAAE2QXW${'x'.repeat(400)}`

let db: Dynalite
let secretsClient: SecretsManagerClient
let jwk: JWK
let idp: StrictIdp
let secrets: SecretsMock

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
  secrets = {
    calls: new Map(),
    secrets: new Map([
      [KEY_ARN, { value: JSON.stringify(jwk), versionId: 'v1' }],
      [SECRET_ARN, { value: CLIENT_SECRET, versionId: 'v1' }],
    ]),
  }
  server.use(...idp.handlers, secretsManagerMock(secrets))
})

async function handlers(extra: Record<string, string> = {}) {
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
  const clients = { dynamoDb: db.client, secretsManager: secretsClient }
  // The browser functions' init failures (PKCE off) and the proxies' own lines are captured, and
  // asserted where they matter.
  const init = memoryLogger()
  const logged = memoryLogger()
  const logTo = { logger: logged.logger }
  return {
    env,
    clients,
    table: env.FLOW_TABLE_NAME,
    initLines: init.lines,
    lines: logged.lines,
    authorize: createHandler(() => browserProxyFromEnv(env, clients, logTo), {
      logger: init.logger,
    }),
    callback: createHandler(() => browserProxyFromEnv(env, { ...clients, fn: 'callback' }, logTo), {
      logger: init.logger,
    }),
    token: createHandler(() => tokenProxyFromEnv(env, clients, logTo)),
  }
}

function tokenRequest(code: string, secret = CLIENT_SECRET) {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: COGNITO,
    client_id: 'client-1',
    client_secret: secret,
  }).toString()
  return httpEvent('POST', '/v1/token', {
    body,
    base64: true,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Amazon/Cognito',
    },
  })
}

function location(result: HttpResultV2): URL {
  assert.is(result.statusCode, 302)
  return new URL(String(result.headers.location))
}

async function invoke(handler: LambdaHandler, event: unknown) {
  const result = await handler(event, {})
  return { result, json: () => JSON.parse(result.body) as Record<string, unknown> }
}

test('PKCE on: /authorize -> IdP -> /callback -> Cognito -> /token, via API Gateway stage /v1', async () => {
  const h = await handlers()
  const authorizeQuery = new URLSearchParams({
    client_id: 'client-1',
    redirect_uri: COGNITO,
    scope: 'openid email',
    response_type: 'code',
    state: COGNITO_STATE,
  })
  const { result: toIdp } = await invoke(
    h.authorize,
    httpEvent('GET', `/v1/authorize?${authorizeQuery}`),
  )
  const atIdp = location(toIdp)
  assert.is(`${atIdp.origin}${atIdp.pathname}`, idp.authorizationEndpoint)
  assert.is(atIdp.searchParams.get('redirect_uri'), `${BASE}/callback`)
  assert.is(atIdp.searchParams.get('code_challenge_method'), 'S256')
  const handle = atIdp.searchParams.get('state') ?? ''
  assert.ok(handle.length >= 22 && handle.length < 100)
  assert.not.ok(atIdp.href.includes(COGNITO_STATE))

  // The IdP signs the user in and issues its code for the proxy's callback.
  const signedIn = idp.signIn(atIdp.href)
  assert.is(signedIn.redirectUri, `${BASE}/callback`)
  const callbackQuery = new URLSearchParams({ code: signedIn.code, state: handle, iss: ISSUER })
  const { result: toCognito } = await invoke(
    h.callback,
    httpEvent('GET', `/v1/callback?${callbackQuery}`),
  )
  const atCognito = location(toCognito)
  assert.is(`${atCognito.origin}${atCognito.pathname}`, COGNITO)
  assert.is(atCognito.searchParams.get('state'), COGNITO_STATE)
  const proxyCode = atCognito.searchParams.get('code') ?? ''
  assert.is.not(proxyCode, signedIn.code)

  // The callback handle is one-time.
  const { result: replayed } = await invoke(
    h.callback,
    httpEvent('GET', `/v1/callback?${callbackQuery}`),
  )
  assert.is(replayed.statusCode, 400)

  // The code handle presented as state at /callback (no authentication needed there) is refused
  // by DynamoDB's condition on the item's kind, and stays redeemable.
  const { result: misused } = await invoke(
    h.callback,
    httpEvent('GET', `/v1/callback?${new URLSearchParams({ code: 'x', state: proxyCode })}`),
  )
  assert.is(misused.statusCode, 400)
  assert.is(misused.headers?.location, undefined)
  assert.ok(String(misused.body).includes('ERR_FLOW_NOT_FOUND'))

  const tokens = await invoke(h.token, tokenRequest(proxyCode))
  assert.is(tokens.result.statusCode, 200)
  assert.is(tokens.result.headers['cache-control'], 'no-store')
  assert.is(idp.exchanges.length, 1)
  assert.is(tokens.json().access_token, idp.exchanges.at(-1)?.tokens.access_token)
  assert.is(idp.tokenRequests.length, 1)

  const again = await invoke(h.token, tokenRequest(proxyCode))
  assert.is(again.result.statusCode, 400)
  assert.is(again.json().error, 'invalid_grant')
  assert.is(idp.tokenRequests.length, 1)

  // Every flow item was deleted when used; the key and the secret were each read once.
  assert.is((await db.client.send(new ScanCommand({ TableName: h.table }))).Count, 0)
  assert.is(secrets.calls.get(KEY_ARN), 1)
  assert.is(secrets.calls.get(SECRET_ARN), 1)
})

test('one token function behind a Function URL serves every route (PKCE on)', async () => {
  const urlBase = 'https://a1b2c3d4e5f6g7h8i9j0kl.lambda-url.us-east-1.on.aws'
  const h = await handlers({ PROXY_BASE_URL: urlBase })
  const query = new URLSearchParams({
    client_id: 'client-1',
    redirect_uri: COGNITO,
    response_type: 'code',
    scope: 'openid',
    state: 'cognito-state-2',
  })
  const atIdp = location(
    (await invoke(h.token, httpEvent('GET', `/authorize?${query}`, { via: 'url' }))).result,
  )
  assert.is(atIdp.searchParams.get('redirect_uri'), `${urlBase}/callback`)
  const back = new URLSearchParams({
    code: idp.signIn(atIdp.href).code,
    state: atIdp.searchParams.get('state') ?? '',
  })
  const atCognito = location(
    (await invoke(h.token, httpEvent('GET', `/callback?${back}`, { via: 'url' }))).result,
  )
  assert.is(atCognito.searchParams.get('state'), 'cognito-state-2')
  const event = tokenRequest(atCognito.searchParams.get('code') ?? '')
  const tokens = await invoke(h.token, { ...event, rawPath: '/token' })
  assert.is(tokens.result.statusCode, 200, tokens.result.body)
})

test('PKCE off: only /token goes through the proxy; the IdP code and redirect_uri pass through', async () => {
  const h = await handlers({ PKCE: 'false' })
  const { result } = await invoke(h.token, httpEvent('GET', '/v1/authorize?client_id=client-1'))
  assert.is(result.statusCode, 404)
  // An authorize function deployed with PKCE off would serve nothing: it refuses to start.
  const idle = await invoke(h.authorize, httpEvent('GET', '/v1/authorize?client_id=client-1'))
  assert.is(idle.result.statusCode, 500)
  assert.equal(
    h.initLines.map((line) => line.fields.variable),
    ['PKCE', 'PKCE'],
  )

  const { code } = idp.signIn(idp.authorizationUrl({ redirect_uri: COGNITO, state: 'cognito-2' }))
  const tokens = await invoke(h.token, tokenRequest(code))
  assert.is(tokens.result.statusCode, 200, tokens.result.body)
  assert.is(idp.exchanges.length, 1)
  assert.is(tokens.json().id_token, idp.exchanges.at(-1)?.tokens.id_token)

  // The IdP's own refusal and status reach Cognito unchanged.
  const reused = await invoke(h.token, tokenRequest(code))
  assert.is(reused.result.statusCode, 400)
  assert.is(reused.json().error, 'invalid_grant')
})

test('Function URL shape: /health, the JWKS, and a wrong client secret', async () => {
  const h = await handlers()
  const health = await invoke(h.token, httpEvent('GET', '/health', { via: 'url' }))
  assert.is(health.result.statusCode, 200)
  assert.equal(health.json(), { status: 'ok' })
  assert.match(String(health.result.headers['x-request-id']), /^req-/)

  const jwks = await invoke(h.token, httpEvent('GET', '/.well-known/jwks.json', { via: 'url' }))
  assert.is(jwks.result.statusCode, 200)
  const keys = jwks.json().keys as Record<string, unknown>[]
  assert.equal(
    keys.map((k) => k.kid),
    ['seed-key-1'],
  )
  assert.is(keys[0]?.d, undefined)

  const refused = await invoke(
    h.token,
    tokenRequest('whatever-code-value-1234', 'wrong-secret-0123456789'),
  )
  assert.is(refused.result.statusCode, 401)
  assert.is(refused.json().error, 'invalid_client')
})

test('Secrets Manager down at a cold start: /token answers 503 JSON, then recovers', async () => {
  secrets.secrets.set(SECRET_ARN, { error: 'InternalServiceError' })
  const h = await handlers({ PKCE: 'false' })
  const { code } = idp.signIn(idp.authorizationUrl({ redirect_uri: COGNITO, state: 'cognito-3' }))
  const down = await invoke(h.token, tokenRequest(code))
  assert.is(down.result.statusCode, 503)
  assert.is(down.json().error, 'temporarily_unavailable')
  assert.not.ok(down.result.body.includes('at '))
  const failed = h.lines.filter((line) => line.level === 'error')
  assert.equal(
    failed.map((line) => [line.event, line.fields.code, line.fields.message]),
    [['request_failed', 'ERR_KEYS_UNAVAILABLE', 'the client secret is unavailable']],
  )
  assert.match(String(failed[0]?.fields.cause), /InternalServiceError/)

  secrets.secrets.set(SECRET_ARN, { value: CLIENT_SECRET, versionId: 'v2' })
  const up = await invoke(h.token, tokenRequest(code))
  assert.is(up.result.statusCode, 200)
})

test('warmUp reads the token function’s key and client secret at init, once each', async () => {
  const h = await handlers({ PKCE: 'false' })
  const init = memoryLogger()
  const token = createHandler(() => tokenProxyFromEnv(h.env, h.clients), { logger: init.logger })
  await warmUp(token)
  assert.equal(init.lines, [])
  assert.is(secrets.calls.get(KEY_ARN), 1)
  assert.is(secrets.calls.get(SECRET_ARN), 1)
  // The first /token uses what init read: neither secret is read again.
  const { code } = idp.signIn(idp.authorizationUrl({ redirect_uri: COGNITO, state: 'cognito-5' }))
  const tokens = await invoke(token, tokenRequest(code))
  assert.is(tokens.result.statusCode, 200, tokens.result.body)
  assert.is(secrets.calls.get(KEY_ARN), 1)
  assert.is(secrets.calls.get(SECRET_ARN), 1)
})

test('a client secret that fails at warmUp is one warning; the first /token reads it again', async () => {
  secrets.secrets.set(SECRET_ARN, { error: 'InternalServiceError' })
  const h = await handlers({ PKCE: 'false' })
  const init = memoryLogger()
  const token = createHandler(() => tokenProxyFromEnv(h.env, h.clients), { logger: init.logger })
  await warmUp(token)
  assert.equal(
    init.lines.map((line) => [line.level, line.event, line.fields.code]),
    [['warn', 'warm_up_failed', 'ERR_KEYS_UNAVAILABLE']],
  )
  // The key was read beside it; the failed secret was not cached.
  assert.is(secrets.calls.get(KEY_ARN), 1)
  secrets.secrets.set(SECRET_ARN, { value: CLIENT_SECRET, versionId: 'v2' })
  const { code } = idp.signIn(idp.authorizationUrl({ redirect_uri: COGNITO, state: 'cognito-6' }))
  const tokens = await invoke(token, tokenRequest(code))
  assert.is(tokens.result.statusCode, 200, tokens.result.body)
  assert.is(secrets.calls.get(SECRET_ARN), 2)
  assert.is(secrets.calls.get(KEY_ARN), 1)
})

test('with Lambda’s credentials in the environment and no clients, the lean client does every AWS call', async () => {
  const h = await handlers()
  const env = {
    ...h.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'ASIATEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret-access-key',
    AWS_SESSION_TOKEN: 'lambda-session-token',
    // dynalite for DynamoDB; Secrets Manager at its real endpoint, answered by msw.
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
  }
  const agents: string[] = []
  server.events.on('request:start', ({ request }) => {
    if (request.url.startsWith(SECRETS_URL)) agents.push(String(request.headers.get('user-agent')))
  })
  const init = memoryLogger()
  const token = createHandler(() => tokenProxyFromEnv(env, {}), { logger: init.logger })
  try {
    await signInThrough(token, init.lines)
  } finally {
    server.events.removeAllListeners('request:start')
  }
  // Both secrets were read once, by the lean client (not the SDK's user agent); the flow items
  // went through DynamoDB and are gone.
  assert.is(secrets.calls.get(KEY_ARN), 1)
  assert.is(secrets.calls.get(SECRET_ARN), 1)
  assert.equal(agents, ['idp-proxy-lambda', 'idp-proxy-lambda'])
  assert.is((await db.client.send(new ScanCommand({ TableName: h.table }))).Count, 0)
})

/** warmUp, then /authorize, /callback and /token through one handler serving every route. */
async function signInThrough(token: LambdaHandler, initLines: unknown[]) {
  await warmUp(token)
  assert.equal(initLines, [])
  const query = new URLSearchParams({
    client_id: 'client-1',
    redirect_uri: COGNITO,
    response_type: 'code',
    scope: 'openid',
    state: 'cognito-state-7',
  })
  const atIdp = location((await invoke(token, httpEvent('GET', `/v1/authorize?${query}`))).result)
  const back = new URLSearchParams({
    code: idp.signIn(atIdp.href).code,
    state: atIdp.searchParams.get('state') ?? '',
  })
  const atCognito = location((await invoke(token, httpEvent('GET', `/v1/callback?${back}`))).result)
  const tokens = await invoke(token, tokenRequest(atCognito.searchParams.get('code') ?? ''))
  assert.is(tokens.result.statusCode, 200, tokens.result.body)
}

test('the browser functions serve no /token: a misrouted token request is 404, no secret read', async () => {
  const h = await handlers()
  for (const fn of [h.authorize, h.callback]) {
    const misrouted = await invoke(fn, tokenRequest('idp-code-4'))
    assert.is(misrouted.result.statusCode, 404)
  }
  assert.is(secrets.calls.size, 0)
})

test('a malformed event is a 400 JSON answer, not an exception', async () => {
  const h = await handlers()
  for (const event of [undefined, {}, { Records: [{ eventSource: 'aws:sqs' }] }]) {
    const { result, json } = await invoke(h.token, event)
    assert.is(result.statusCode, 400)
    assert.is(json().error, 'invalid_request')
  }
})

test.run()
