// The program under mocks with the keys that are proxy settings set: each reaches the Lambda
// environment of the functions whose runtime reads it (core's settings table), and no function
// carries a variable its runtime does not read.
import { settingsOf } from '@idp-proxy/core'
import { LAMBDA_FUNCTIONS } from '@idp-proxy/lambda-adapter/iam'
import type * as pulumi from '@pulumi/pulumi'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  drain,
  FIXTURE_BUNDLES,
  one,
  reveal,
  runProgram,
  settle,
  useMocks,
} from './helpers/mocks.js'

const session = await useMocks({
  issuer: 'https://idp.example.gov/',
  clientId: 'urn:example:client',
  idpAuthorizationEndpoint: 'https://idp.example.gov/authorize',
  idpTokenEndpoint: 'https://idp.example.gov/token',
  idpUserinfoEndpoint: 'https://idp.example.gov/userinfo',
  idpJwksUri: 'https://idp.example.gov/jwks',
  domainPrefix: 'idp-proxy-test',
  callbackUrls: JSON.stringify(['https://app.example.com/auth/callback']),
  lambdaFunctions: 'per-route',
  lambdaBundleDir: FIXTURE_BUNDLES,
  verifyIdToken: 'false',
  idpMaxTokenBytes: '100000',
  idpMaxMetadataBytes: '500000',
  metrics: 'emf',
  metricsNamespace: 'LoginProxy',
  logLevel: 'warn',
})
const program = await runProgram(session, () => import('../program.js'))
for (const output of Object.values(program)) await settle(output as pulumi.Output<unknown>)
await drain()

const env = (fn: 'authorize' | 'callback' | 'token') =>
  (
    reveal(one(session, 'aws:lambda/function:Function', `idp-proxy-${fn}`).inputs.environment) as {
      variables: Record<string, string>
    }
  ).variables

test('the new keys reach the token function as the variables the table names', () => {
  const token = env('token')
  assert.is(token.VERIFY_ID_TOKEN, 'false')
  assert.is(token.IDP_MAX_TOKEN_BYTES, '100000')
  assert.is(token.IDP_MAX_METADATA_BYTES, '500000')
  assert.is(token.IDP_JWKS_URI, 'https://idp.example.gov/jwks')
  assert.is(token.METRICS, 'emf')
  assert.is(token.METRICS_NAMESPACE, 'LoginProxy')
  assert.is(token.LOG_LEVEL, 'warn')
})

test('the browser functions get the metrics and read bounds they use, not the token settings', () => {
  for (const fn of ['authorize', 'callback'] as const) {
    const variables = env(fn)
    assert.is(variables.METRICS, 'emf', fn)
    assert.is(variables.METRICS_NAMESPACE, 'LoginProxy', fn)
    assert.is(variables.IDP_MAX_METADATA_BYTES, '500000', fn)
    for (const name of [
      'VERIFY_ID_TOKEN',
      'IDP_MAX_TOKEN_BYTES',
      'IDP_JWKS_URI',
      'CLIENT_SECRET_ARN',
    ]) {
      assert.not.ok(name in variables, `${fn}: ${name}`)
    }
  }
})

test("every function's environment is within what its runtime reads", () => {
  for (const fn of ['authorize', 'callback', 'token'] as const) {
    const reads = new Set<string>(settingsOf(LAMBDA_FUNCTIONS[fn].runtime))
    const extra = Object.keys(env(fn)).filter((name) => !reads.has(name))
    assert.equal(extra, [], fn)
  }
})

test('the component: further settings by variable reach the functions that read them; secrets are refused', async () => {
  const { IdpProxy } = await import('../src/idp-proxy.js')
  const args = {
    idp: {
      issuer: 'https://idp.example.gov/',
      clientId: 'c',
      endpoints: {
        authorizationEndpoint: 'https://idp.example.gov/authorize',
        tokenEndpoint: 'https://idp.example.gov/token',
        userinfoEndpoint: 'https://idp.example.gov/userinfo',
        jwksUri: 'https://idp.example.gov/jwks',
      },
    },
    cognito: { domainPrefix: 'extra', callbackUrls: ['https://app.example.com/cb'] },
    functions: 'per-route' as const,
    bundleDir: FIXTURE_BUNDLES,
  }
  for (const variable of ['COGNITO_CLIENT_SECRET', 'PRIVATE_KEY', 'METRICS_BEARER_TOKEN']) {
    assert.throws(
      () =>
        new IdpProxy(`secret-${variable}`, { ...args, settings: { [variable]: 'x'.repeat(40) } }),
      /is a secret/,
      variable,
    )
  }
  assert.throws(
    () => new IdpProxy('typo', { ...args, settings: { MAX_STAT_BYTES: '1' } as never }),
    /not a proxy setting/,
  )
  new IdpProxy('extra', {
    ...args,
    settings: { MAX_STATE_BYTES: '4096', ASSERTION_LIFETIME_SECONDS: '30' },
  })
  await drain()
  const variables = (name: string) =>
    (
      reveal(one(session, 'aws:lambda/function:Function', name).inputs.environment) as {
        variables: Record<string, string>
      }
    ).variables
  assert.is(variables('extra-authorize').MAX_STATE_BYTES, '4096')
  assert.not.ok('MAX_STATE_BYTES' in variables('extra-callback'), 'callback reads no state bound')
  assert.is(variables('extra-token').ASSERTION_LIFETIME_SECONDS, '30')
  assert.not.ok('ASSERTION_LIFETIME_SECONDS' in variables('extra-authorize'))
})

test('each API route goes to a function whose lambda-adapter entry serves that route', async () => {
  const { DEFAULT_PATHS } = await import('@idp-proxy/core')
  const { FUNCTION_ROUTES } = await import('../src/proxy-function.js')
  const { LAMBDA_FUNCTION_OF } = await import('../src/policies.js')
  const routeOf = (key: string) =>
    Object.entries(DEFAULT_PATHS).find(([, path]) => key.endsWith(` ${path}`))?.[0]
  for (const [fn, keys] of Object.entries(FUNCTION_ROUTES) as [
    keyof typeof FUNCTION_ROUTES,
    string[],
  ][]) {
    const serves = LAMBDA_FUNCTIONS[LAMBDA_FUNCTION_OF[fn]].routes
    for (const key of keys) {
      const route = routeOf(key)
      assert.ok(route, key)
      assert.ok(!serves || (serves as readonly string[]).includes(route!), `${fn}: ${key}`)
    }
  }
})

test.run()
