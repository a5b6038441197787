/**
 * Builds the Lambda bundles and loads each one in a fresh Node process, as the Lambda runtime
 * would: it must load, export `handler` and answer. The authorize bundle also writes a flow to
 * DynamoDB (dynalite), which proves the bundled SDK's `require` shim works. The callback bundle
 * must carry no Secrets Manager or KMS code (the authorize one signs PAR requests).
 */
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { ScanCommand } from '@aws-sdk/client-dynamodb'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { buildBundles } from '../scripts/build.mjs'
import { type Dynalite, startDynalite } from './helpers/dynalite.js'
import { httpEvent } from './helpers/events.js'

const run = promisify(execFile)
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const bundle = (route: string) => `${packageDir}dist/${route}/index.mjs`
// Every file of a bundle's folder (index.mjs and its chunks): what the function ships.
const bundleText = (route: string) =>
  readdirSync(`${packageDir}dist/${route}`, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
    .join('\n')
const test = suite('Lambda bundles')
let db: Dynalite
let table: string

let inputs: string[]

test.before(async () => {
  ;({ inputs } = await buildBundles({ quiet: true }))
  db = await startDynalite()
  table = await db.createTable()
})
test.after(async () => {
  await db.stop()
})

// Runs in the child: import the bundle, check the export, invoke it with one event.
const CHILD = `
const mod = await import(process.argv[1])
if (typeof mod.handler !== 'function') throw new Error('no handler export')
const result = await mod.handler(JSON.parse(process.argv[2]), {})
process.stdout.write('RESULT ' + JSON.stringify(result) + '\\n')
`

async function invokeBundle(route: string, event: unknown, extraEnv: Record<string, string> = {}) {
  const env = {
    PATH: process.env.PATH,
    PROXY_BASE_URL: 'https://abc123defg.execute-api.us-east-1.amazonaws.com/v1',
    IDP_ISSUER: 'https://idp.example.com',
    IDP_AUTHORIZATION_ENDPOINT: 'https://idp.example.com/authorize',
    IDP_TOKEN_ENDPOINT: 'https://idp.example.com/token',
    IDP_CLIENT_ID: 'client-1',
    COGNITO_REDIRECT_URIS: 'https://auth.example.com/oauth2/idpresponse',
    STORE: 'dynamodb',
    FLOW_TABLE_NAME: table,
    PRIVATE_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:key',
    CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cognito',
    LOG_LEVEL: 'error',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret-access-key',
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extraEnv,
  }
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', CHILD, bundle(route), JSON.stringify(event)],
    { env, cwd: '/' },
  )
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  assert.ok(line, stdout)
  return JSON.parse(line.slice('RESULT '.length)) as {
    statusCode: number
    headers: Record<string, string>
    body: string
  }
}

test('every bundle loads in a fresh process, exports handler and answers /health', async () => {
  for (const route of ['authorize', 'callback', 'token']) {
    const result = await invokeBundle(route, httpEvent('GET', '/v1/health'))
    assert.is(result.statusCode, 200, `${route}: ${result.body}`)
    assert.equal(JSON.parse(result.body), { status: 'ok' })
  }
})

for (const [path, extraEnv] of [
  ['the lean client', {}],
  // No lean client outside the aws partition: the SDK's DynamoDB client, from the chunks.
  ['its bundled SDK (a chunk loaded on use)', { AWS_REGION: 'cn-north-1' }],
] as const) {
  test(`the authorize bundle saves a flow in DynamoDB with ${path}`, async () => {
    const query = new URLSearchParams({
      client_id: 'client-1',
      redirect_uri: 'https://auth.example.com/oauth2/idpresponse',
      response_type: 'code',
      scope: 'openid',
      state: 'cognito-state-1',
    })
    const before = await db.client.send(new ScanCommand({ TableName: table }))
    const result = await invokeBundle(
      'authorize',
      httpEvent('GET', `/v1/authorize?${query}`),
      extraEnv,
    )
    assert.is(result.statusCode, 302, result.body)
    assert.ok(result.headers.location?.startsWith('https://idp.example.com/authorize?'))
    const after = await db.client.send(new ScanCommand({ TableName: table }))
    assert.is(after.Count, (before.Count ?? 0) + 1)
  })
}

test('the AWS SDK is bundled from its ES modules (tree-shaken), none of its CommonJS copies', () => {
  const sdk = inputs.filter((file) => /node_modules\/(@aws-sdk|@smithy)\//.test(file))
  assert.ok(sdk.length > 0)
  assert.equal(
    sdk.filter((file) => file.includes('/dist-cjs/')),
    [],
  )
})

test('the callback bundle contains no Secrets Manager or KMS client code; the signing ones do', () => {
  // The SDK clients' service names and operations, and the secret readers' own code.
  const markers = [/SecretsManagerClient/, /TrentService/, /GetSecretValue/, /GetPublicKey/]
  const callback = bundleText('callback')
  for (const marker of markers) assert.not.match(callback, marker, `callback contains ${marker}`)
  assert.match(callback, /DynamoDB/)
  // The authorize function signs PAR's client assertion, so it carries the key sources.
  for (const route of ['authorize', 'token']) {
    const text = bundleText(route)
    for (const marker of markers) assert.match(text, marker, `${route} lacks ${marker}`)
  }
})

test.run()
