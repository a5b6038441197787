// The environment each function gets from IdpProxy, handed to the Lambda adapter's own builders
// (what the deployed bundles run at init): they accept it, and the proxies answer their routes
// without any AWS or IdP call (msw fails the test on any request that leaves the machine).
import { browserProxyFromEnv, tokenProxyFromEnv } from '@idp-proxy/lambda-adapter'
import { setupServer } from 'msw/node'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { drain, FIXTURE_BUNDLES, one, reveal, settle, useMocks } from './helpers/mocks.js'

const outbound: string[] = []
const server = setupServer()
server.listen({
  onUnhandledRequest(request, print) {
    const { hostname } = new URL(request.url)
    if (hostname === '127.0.0.1' || hostname === 'localhost') return
    outbound.push(request.url)
    print.error()
  },
})

const session = await useMocks({})
const { IdpProxy } = await import('../src/idp-proxy.js')
const IDP = {
  issuer: 'https://idp.example.gov/',
  clientId: 'urn:example:client',
  endpoints: {
    authorizationEndpoint: 'https://idp.example.gov/authorize',
    tokenEndpoint: 'https://idp.example.gov/token',
    userinfoEndpoint: 'https://idp.example.gov/userinfo',
    jwksUri: 'https://idp.example.gov/jwks',
  },
}
const cognito = { callbackUrls: ['https://app.example.com/cb'] }
const on = new IdpProxy('on', {
  idp: IDP,
  authorizationParams: { acr_values: 'urn:acr:1' },
  cognito: { ...cognito, domainPrefix: 'proxy-on' },
  logLevel: 'error',
  functions: 'per-route',
  bundleDir: FIXTURE_BUNDLES,
})
// The default layout: one function for every route, run by the adapter's `all` entry, which
// builds the token proxy.
const single = new IdpProxy('single', {
  idp: IDP,
  cognito: { ...cognito, domainPrefix: 'proxy-single' },
  logLevel: 'error',
  bundleDir: FIXTURE_BUNDLES,
})
const kms = new IdpProxy('kms', {
  idp: IDP,
  pkce: false,
  keyMode: 'kms',
  functions: 'per-route',
  cognito: { ...cognito, domainPrefix: 'proxy-kms' },
  logLevel: 'error',
  bundleDir: FIXTURE_BUNDLES,
})
const base = (await settle(on.proxyBaseUrl)).value
const kmsBase = (await settle(kms.proxyBaseUrl)).value
const singleBase = (await settle(single.proxyBaseUrl)).value
await drain()

const env = (name: string) =>
  (
    reveal(one(session, 'aws:lambda/function:Function', name).inputs.environment) as {
      variables: Record<string, string>
    }
  ).variables

test.after(() => server.close())

test('the browser functions build from their environment and refuse a stranger at /authorize', async () => {
  for (const name of ['on-authorize', 'on-callback']) {
    const proxy = browserProxyFromEnv(env(name))
    const response = await proxy.handle(
      new Request(`${base}/authorize?client_id=someone-else&redirect_uri=https://evil.example/`),
    )
    assert.equal(response.status, 400, name)
  }
})

test('the token function builds with the secret ARN key source and answers /health', async () => {
  const proxy = tokenProxyFromEnv(env('on-token'))
  const response = await proxy.handle(new Request(`${base}/health`))
  assert.equal(response.status, 200)
})

test('the token function builds in KMS mode without PKCE and answers /health', async () => {
  const proxy = tokenProxyFromEnv(env('kms-token'))
  const response = await proxy.handle(new Request(`${kmsBase}/health`))
  assert.equal(response.status, 200)
})

test('the single function builds from its environment and serves the browser routes too', async () => {
  const proxy = tokenProxyFromEnv(env('single-proxy'))
  assert.equal((await proxy.handle(new Request(`${singleBase}/health`))).status, 200)
  const stranger = await proxy.handle(
    new Request(
      `${singleBase}/authorize?client_id=someone-else&redirect_uri=https://evil.example/`,
    ),
  )
  assert.equal(stranger.status, 400)
})

test('an unauthenticated /token call is refused before any secret is read', async () => {
  const proxy = tokenProxyFromEnv(env('on-token'))
  const response = await proxy.handle(
    new Request(`${base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=authorization_code&code=x&client_id=someone-else',
    }),
  )
  assert.equal(response.status, 401)
  assert.equal(((await response.json()) as { error: string }).error, 'invalid_client')
})

test('nothing left the machine', () => {
  assert.equal(outbound, [])
})

test.run()
