// Building is part of deploying: the program bundles the lambda-adapter's entries with the
// adapter's esbuild options into a directory named by the content's hash.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { buildBundles } from '../build-bundles.js'
import { BUNDLES } from '../src/bundles.js'

const root = mkdtempSync(join(tmpdir(), 'idp-proxy-bundles-'))
test.after(() => rmSync(root, { recursive: true, force: true }))

test('every bundle is built into <root>/<hash>/<bundle>/index.mjs; older builds are removed', async () => {
  mkdirSync(join(root, '0123456789abcdef', 'all'), { recursive: true })
  const built = await buildBundles(root)
  assert.match(built.hash, /^[0-9a-f]{16}$/)
  assert.equal(built.dir, join(root, built.hash))
  assert.ok(built.written)
  for (const bundle of BUNDLES) assert.ok(existsSync(join(built.dir, bundle, 'index.mjs')), bundle)
  assert.equal(readdirSync(root), [built.hash], 'the stale build is gone')
})

test('the same sources give the same directory, untouched', async () => {
  const first = readdirSync(root)[0]
  const again = await buildBundles(root)
  assert.equal(again.hash, first)
  assert.not.ok(again.written)
})

test('a built bundle loads in a fresh Node process and exports the Lambda handler', async () => {
  const { dir } = await buildBundles(root)
  const url = pathToFileURL(join(dir, 'all', 'index.mjs')).href
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(url)}); console.log(typeof m.handler)`,
    ],
    {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        PROXY_BASE_URL: 'https://abc.execute-api.us-east-1.amazonaws.com/v1',
        IDP_ISSUER: 'https://idp.example.com',
        IDP_CLIENT_ID: 'client-1',
        IDP_AUTHORIZATION_ENDPOINT: 'https://idp.example.com/authorize',
        IDP_TOKEN_ENDPOINT: 'https://idp.example.com/token',
        COGNITO_REDIRECT_URIS: 'https://x.auth.us-east-1.amazoncognito.com/oauth2/idpresponse',
        STORE: 'dynamodb',
        FLOW_TABLE_NAME: 'flows',
        PRIVATE_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:key',
        CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cognito',
      },
    },
  )
  // The init's warm-up may log one warning before (the IdP and AWS are unreachable here); the
  // import must still succeed and export the handler.
  const lines = out.trim().split('\n')
  assert.equal(lines.at(-1), 'function')
  for (const line of lines.slice(0, -1)) assert.match(line, /"event":"warm_up_(failed|timeout)"/)
})

test.run()
