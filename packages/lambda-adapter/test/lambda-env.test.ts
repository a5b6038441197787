/**
 * Configuration from the environment: every mistake names its variable in one log line and the
 * function answers a JSON error without detail or stack.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { browserProxyFromEnv } from '../src/browser-proxy.js'
import { createHandler } from '../src/handler.js'
import { FUNCTION_ACTIONS } from '../src/iam.js'
import { KMS_KEY_SPECS, kmsKeySpecsFor } from '../src/kms-specs.js'
import { tokenProxyFromEnv } from '../src/token-proxy.js'
import { httpEvent } from './helpers/events.js'
import { memoryLogger } from './helpers/keys.js'

const test = suite('Lambda environment and init failures')

const BASE_ENV = {
  PROXY_BASE_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/v1',
  IDP_ISSUER: 'https://idp.example.com',
  IDP_CLIENT_ID: 'client-1',
  COGNITO_REDIRECT_URIS: 'https://auth.example.com/oauth2/idpresponse',
  STORE: 'dynamodb',
  FLOW_TABLE_NAME: 'flows',
  PRIVATE_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:key',
  CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cognito',
  LOG_LEVEL: 'error',
}

function refusal(build: () => unknown): { option?: string; code?: string } {
  try {
    build()
  } catch (error) {
    return error as { option?: string; code?: string }
  }
  return {}
}

test('each misconfiguration names its variable', () => {
  const cases: [Record<string, string | undefined>, 'browser' | 'token', string][] = [
    [{ FLOW_TABLE_NAME: undefined }, 'browser', 'FLOW_TABLE_NAME'],
    [{ STORE: undefined }, 'browser', 'STORE'],
    [{ STORE: 'memory' }, 'token', 'STORE'],
    [{ STORE: 'redis://localhost:6379' }, 'browser', 'STORE'],
    [{ PRIVATE_KEY_SECRET_ARN: undefined }, 'token', 'PRIVATE_KEY_SECRET_ARN'],
    [{ KMS_KEY_ID: 'alias/idp-proxy' }, 'token', 'KMS_KEY_ID'],
    [{ CLIENT_SECRET_ARN: undefined }, 'token', 'CLIENT_SECRET_ARN'],
    [
      { COGNITO_CLIENT_SECRET: 'another-secret-0123456789-abcdefgh' },
      'token',
      'COGNITO_CLIENT_SECRET',
    ],
    [
      { COGNITO_CLIENT_SECRET: 'sixteen-chars-ok', CLIENT_SECRET_ARN: undefined },
      'token',
      'COGNITO_CLIENT_SECRET',
    ],
    [{ PKCE: 'false', STORE: undefined }, 'browser', 'PKCE'],
    [{ KEY_CACHE_TTL_SECONDS: 'soon' }, 'token', 'KEY_CACHE_TTL_SECONDS'],
    [{ KEY_ALG: 'HS256' }, 'token', 'KEY_ALG'],
    [{ IDP_ISSUER: 'http://idp.example.com' }, 'browser', 'IDP_ISSUER'],
  ]
  for (const [change, kind, variable] of cases) {
    const env = { ...BASE_ENV, ...change }
    const build = kind === 'browser' ? () => browserProxyFromEnv(env) : () => tokenProxyFromEnv(env)
    const error = refusal(build)
    assert.is(error.code, 'ERR_INVALID_OPTION', JSON.stringify(change))
    assert.is(error.option, variable, JSON.stringify(change))
  }
})

test('valid setups build without touching AWS: Secrets Manager, KMS, PKCE off with no store', () => {
  assert.ok(browserProxyFromEnv(BASE_ENV).urls.authorize.endsWith('/v1/authorize'))
  assert.ok(tokenProxyFromEnv(BASE_ENV))
  const kms = {
    ...BASE_ENV,
    PRIVATE_KEY_SECRET_ARN: undefined,
    KMS_KEY_ID: 'alias/idp-proxy',
    KMS_KEY_KID: 'k1',
  }
  assert.ok(tokenProxyFromEnv(kms))
  const noPkce = { ...BASE_ENV, PKCE: 'false', STORE: undefined, FLOW_TABLE_NAME: undefined }
  assert.ok(tokenProxyFromEnv(noPkce))
  assert.ok(tokenProxyFromEnv({ ...BASE_ENV, KEY_CACHE_TTL_SECONDS: '60' }))
})

test('the browser functions need no key and no client secret, and serve only their route', async () => {
  const browser = {
    ...BASE_ENV,
    PRIVATE_KEY_SECRET_ARN: undefined,
    CLIENT_SECRET_ARN: undefined,
    // Explicit endpoints: ready() needs no discovery.
    IDP_AUTHORIZATION_ENDPOINT: 'https://idp.example.com/authorize',
    IDP_TOKEN_ENDPOINT: 'https://idp.example.com/token',
  }
  const authorize = browserProxyFromEnv(browser)
  await authorize.ready()
  const callback = browserProxyFromEnv(browser, { fn: 'callback' })
  const { logger } = memoryLogger()
  const handler = createHandler(() => callback, { logger })
  assert.is((await handler(httpEvent('GET', '/v1/.well-known/jwks.json'))).statusCode, 404)
  assert.is((await handler(httpEvent('GET', '/v1/authorize'))).statusCode, 404)
  assert.is((await handler(httpEvent('GET', '/v1/callback'))).statusCode, 400)
})

test('one refusal lists every problem of a function, each naming its variable', () => {
  const error = refusal(() =>
    tokenProxyFromEnv({
      IDP_ISSUER: 'https://idp.example.com',
      STORE: 'dynamodb',
      KMS_KEY_ID: 'alias/k',
      PRIVATE_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:k',
      KEY_CACHE_TTL_SECONDS: 'soon',
    }),
  ) as { problems?: { name: string }[] }
  assert.equal((error.problems ?? []).map((problem) => problem.name).sort(), [
    'CLIENT_SECRET_ARN',
    'COGNITO_REDIRECT_URIS',
    'FLOW_TABLE_NAME',
    'IDP_CLIENT_ID',
    'KEY_CACHE_TTL_SECONDS',
    'KMS_KEY_ID',
    'PROXY_BASE_URL',
  ])
})

test("each function's IAM actions follow what its store and key sources call", () => {
  assert.equal(FUNCTION_ACTIONS.authorize.flowTable, ['dynamodb:PutItem'])
  assert.equal(FUNCTION_ACTIONS.callback.flowTable, ['dynamodb:DeleteItem', 'dynamodb:PutItem'])
  assert.equal(FUNCTION_ACTIONS.token.flowTable, ['dynamodb:DeleteItem'])
  for (const fn of ['authorize', 'callback'] as const) {
    assert.equal([...FUNCTION_ACTIONS[fn].secrets, ...FUNCTION_ACTIONS[fn].kmsKey], [])
  }
  assert.equal(kmsKeySpecsFor('ES256'), ['ECC_NIST_P256'])
  assert.equal(kmsKeySpecsFor('ES384'), ['ECC_NIST_P384'])
  assert.equal(
    kmsKeySpecsFor('PS256'),
    Object.keys(KMS_KEY_SPECS).filter((spec) => spec.startsWith('RSA_')),
  )
})

test('an init failure is logged once, naming the variable, and answered 500 JSON without stack', async () => {
  const { logger, lines } = memoryLogger()
  const env = { ...BASE_ENV, FLOW_TABLE_NAME: '' }
  const handler = createHandler(() => browserProxyFromEnv(env), { logger })
  assert.is(lines.length, 1)
  assert.is(lines[0]?.event, 'proxy_init_failed')
  assert.is(lines[0]?.fields.variable, 'FLOW_TABLE_NAME')
  assert.match(String(lines[0]?.fields.message), 'FLOW_TABLE_NAME')
  assert.not.ok(JSON.stringify(lines).includes('    at '))

  for (let i = 0; i < 2; i++) {
    const result = await handler(httpEvent('GET', '/v1/health'))
    assert.is(result.statusCode, 500)
    assert.is(result.headers['content-type'], 'application/json;charset=UTF-8')
    assert.equal(JSON.parse(result.body), {
      error: 'server_error',
      error_description: 'the proxy is misconfigured; see its log',
    })
  }
  assert.is(lines.length, 1)
})

test('an unexpected init failure (async factory) is a 503 without detail', async () => {
  const { logger, lines } = memoryLogger()
  const handler = createHandler(
    async () => {
      throw new TypeError('boom')
    },
    { logger },
  )
  const result = await handler(httpEvent('GET', '/v1/health'))
  assert.is(result.statusCode, 503)
  assert.not.ok(result.body.includes('boom'))
  assert.is(lines[0]?.fields.message, 'TypeError: boom')
})

test.run()
