/**
 * METRICS=emf on Lambda: the settings reach the EMF sink of the entry points (proxy and handler),
 * what cannot apply is refused under its variable, and `@idp-proxy/lambda-adapter/iam` gives a
 * deployment the functions' IAM and table facts without loading the AWS SDK.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { browserProxyFromEnv } from '../src/browser-proxy.js'
import { emfMetricsFromEnv } from '../src/lambda-env.js'
import { tokenProxyFromEnv } from '../src/token-proxy.js'
import { httpEvent } from './helpers/events.js'

const test = suite('Lambda metrics settings')

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

function refusedVariables(build: () => unknown): string[] {
  try {
    build()
  } catch (error) {
    return ((error as { problems?: { name: string }[] }).problems ?? []).map((p) => p.name)
  }
  return []
}

test('emfMetricsFromEnv: a sink with METRICS=emf only, none when a setting is wrong', () => {
  assert.is(emfMetricsFromEnv(BASE_ENV, 'token'), undefined)
  assert.is(emfMetricsFromEnv({ ...BASE_ENV, METRICS: 'off' }, 'token'), undefined)
  assert.ok(emfMetricsFromEnv({ ...BASE_ENV, METRICS: 'emf' }, 'authorize'))
  assert.is(
    emfMetricsFromEnv({ ...BASE_ENV, METRICS: 'emf', METRICS_NAMESPACE: 'AWS/Lambda' }, 'token'),
    undefined,
  )
})

test('what cannot apply on Lambda is refused under its variable', () => {
  const cases: [Record<string, string>, string][] = [
    [{ METRICS: 'prometheus' }, 'METRICS'],
    [{ METRICS: 'statsd' }, 'METRICS'],
    [{ METRICS: 'emf', METRICS_NAMESPACE: 'AWS/Lambda' }, 'METRICS_NAMESPACE'],
    [{ METRICS: 'emf', METRICS_DIMENSIONS: 'Route=x' }, 'METRICS_DIMENSIONS'],
    [{ METRICS_NAMESPACE: 'Mine' }, 'METRICS_NAMESPACE'],
  ]
  for (const [change, variable] of cases) {
    const env = { ...BASE_ENV, ...change }
    assert.equal(
      refusedVariables(() => tokenProxyFromEnv(env)),
      [variable],
      JSON.stringify(change),
    )
    assert.equal(
      refusedVariables(() => browserProxyFromEnv(env)),
      [variable],
      JSON.stringify(change),
    )
  }
})

test('the entry points write EMF lines in METRICS_NAMESPACE with METRICS_DIMENSIONS, from proxy and handler', async () => {
  const saved = { ...process.env }
  Object.assign(process.env, BASE_ENV, {
    METRICS: 'emf',
    METRICS_NAMESPACE: 'LoginProxy',
    METRICS_DIMENSIONS: '{"Stage":"test"}',
  })
  const lines: string[] = []
  const write = process.stdout.write
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk)
    if (text.startsWith('{"_aws"')) {
      lines.push(text)
      return true
    }
    return (write as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest)
  }) as typeof process.stdout.write
  try {
    const { handler } = await import('../src/entries/authorize.js')
    // The proxy counts a refused /authorize; the handler counts a malformed event itself.
    const refused = await handler(httpEvent('GET', '/v1/authorize?client_id=someone-else&state=s'))
    assert.is(refused.statusCode, 400)
    assert.is((await handler({ not: 'an event' })).statusCode, 400)
  } finally {
    process.stdout.write = write
    process.env = saved
  }
  const documents = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
  const failures = documents.filter((document) => 'Failures' in document)
  assert.is(failures.length, 2, lines.join(''))
  for (const document of failures) {
    const aws = document._aws as { CloudWatchMetrics: { Namespace: string }[] }
    assert.is(aws.CloudWatchMetrics[0]?.Namespace, 'LoginProxy')
    assert.is(document.Stage, 'test')
  }
  assert.equal(failures.map((document) => document.Route).sort(), ['authorize', 'unknown'])
})

test('neither @idp-proxy/lambda-adapter/iam nor the package root loads an AWS SDK module', async () => {
  // The root imports the SDK on first use only (lean path on Lambda; KMS only with a KMS key).
  const script = `
import { registerHooks } from 'node:module'
const seen = []
registerHooks({ resolve(specifier, context, next) { seen.push(specifier); return next(specifier, context) } })
const iam = await import('@idp-proxy/lambda-adapter/iam')
const light = seen.filter((s) => s.startsWith('@aws-sdk/'))
await import('@idp-proxy/lambda-adapter')
const root = seen.filter((s) => s.startsWith('@aws-sdk/'))
await import('@aws-sdk/client-kms')
console.log(JSON.stringify({ exports: Object.keys(iam), light, root, hooked: seen.includes('@aws-sdk/client-kms') }))
`
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script],
    { cwd: new URL('..', import.meta.url).pathname },
  )
  const result = JSON.parse(stdout.trim()) as {
    exports: string[]
    light: string[]
    root: string[]
    hooked: boolean
  }
  assert.equal(result.light, [])
  assert.equal(result.root, [])
  assert.ok(result.hooked, 'the hook sees the SDK when it is loaded')
  for (const name of [
    'FUNCTION_ACTIONS',
    'LOG_ACTIONS',
    'DYNAMODB_ATTRIBUTES',
    'KMS_KEY_SPECS',
    'LAMBDA_FUNCTIONS',
  ]) {
    assert.ok(result.exports.includes(name), name)
  }
})

test('the token function loads the KMS SDK only for a KMS key, and no SDK on the lean path', async () => {
  // Built and warmed against unreachable endpoints: what matters is which modules load.
  const script = `
import { registerHooks } from 'node:module'
const seen = new Set()
registerHooks({ resolve(specifier, context, next) { if (specifier.startsWith('@aws-sdk/')) seen.add(specifier); return next(specifier, context) } })
const { createHandler, tokenProxyFromEnv, warmUp } = await import('@idp-proxy/lambda-adapter')
const base = JSON.parse(process.argv[1])
const silent = { log() {} }
const run = async (env) => {
  seen.clear()
  const handler = createHandler(() => tokenProxyFromEnv(env, {}, { logger: silent }), { logger: silent })
  await warmUp(handler, 2000)
  return [...seen].sort()
}
const secret = await run(base)
const { PRIVATE_KEY_SECRET_ARN, ...kmsEnv } = base
const kms = await run({ ...kmsEnv, KMS_KEY_ID: 'alias/idp-proxy' })
// Where the lean client does not apply (here: a FIPS endpoint asked for), the SDK does the calls.
const sdk = await run({ ...base, AWS_USE_FIPS_ENDPOINT: 'true' })
console.log(JSON.stringify({ secret, kms, sdk }))
`
  const env = {
    ...BASE_ENV,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret-access-key',
    // Nothing listens there: every call fails at once (and is retried), without the network.
    AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    IDP_ISSUER: 'http://127.0.0.1:9',
    ALLOW_INSECURE_HTTP: 'true',
  }
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
      JSON.stringify(env),
    ],
    { cwd: new URL('..', import.meta.url).pathname, env: { PATH: process.env.PATH } },
  )
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, string[]>
  assert.equal(result.secret, [])
  assert.ok(result.kms?.includes('@aws-sdk/client-kms'), String(result.kms))
  assert.not.ok(result.kms?.includes('@aws-sdk/client-secrets-manager'))
  assert.ok(result.sdk?.includes('@aws-sdk/client-secrets-manager'), String(result.sdk))
  assert.not.ok(result.sdk?.includes('@aws-sdk/client-kms'))
})

test.run()
