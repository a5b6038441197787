// resolveEndpoints: explicit endpoints win, the rest come from the discovery document (msw).
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { discoveryUrl, missingEndpoints, resolveEndpoints } from '../src/discovery.js'

const ISSUER = 'https://idp.example.gov/tenant'
const DOCUMENT = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  userinfo_endpoint: `${ISSUER}/userinfo`,
  jwks_uri: `${ISSUER}/jwks`,
}
let document: Record<string, unknown> | number = DOCUMENT
let requests = 0
const server = setupServer(
  http.get(`${ISSUER}/.well-known/openid-configuration`, () => {
    requests++
    return typeof document === 'number'
      ? new HttpResponse('nope', { status: document })
      : HttpResponse.json(document)
  }),
)

test.before(() =>
  server.listen({
    onUnhandledRequest(request, print) {
      const { hostname } = new URL(request.url)
      if (hostname !== '127.0.0.1' && hostname !== 'localhost') print.error()
    },
  }),
)
test.before.each(() => {
  document = DOCUMENT
  requests = 0
})
test.after(() => server.close())

test('the discovery URL keeps the issuer path and drops a trailing slash', () => {
  assert.equal(
    discoveryUrl('https://a.example/x/'),
    'https://a.example/x/.well-known/openid-configuration',
  )
  assert.equal(
    discoveryUrl('https://a.example'),
    'https://a.example/.well-known/openid-configuration',
  )
})

test('all four endpoints given: no request', async () => {
  const explicit = {
    authorizationEndpoint: 'https://a/1',
    tokenEndpoint: 'https://a/2',
    userinfoEndpoint: 'https://a/3',
    jwksUri: 'https://a/4',
  }
  assert.equal(missingEndpoints(explicit), [])
  assert.equal(await resolveEndpoints(ISSUER, explicit), explicit)
  assert.equal(requests, 0)
})

test('missing endpoints come from discovery; explicit ones win', async () => {
  const endpoints = await resolveEndpoints(ISSUER, {
    tokenEndpoint: 'https://pinned.example/token',
  })
  assert.equal(endpoints, {
    tokenEndpoint: 'https://pinned.example/token',
    authorizationEndpoint: `${ISSUER}/authorize`,
    userinfoEndpoint: `${ISSUER}/userinfo`,
    jwksUri: `${ISSUER}/jwks`,
  })
  assert.equal(requests, 1)
})

test('a document for another issuer is refused', async () => {
  document = { ...DOCUMENT, issuer: 'https://evil.example/' }
  try {
    await resolveEndpoints(ISSUER, {})
    assert.unreachable()
  } catch (error) {
    assert.match((error as Error).message, /names issuer "https:\/\/evil.example\/"/)
  }
})

test('an HTTP error or a missing endpoint is reported with the URL', async () => {
  document = 503
  try {
    await resolveEndpoints(ISSUER, {})
    assert.unreachable()
  } catch (error) {
    assert.match((error as Error).message, /openid-configuration answered 503/)
  }
  document = { ...DOCUMENT, userinfo_endpoint: undefined }
  try {
    await resolveEndpoints(ISSUER, {})
    assert.unreachable()
  } catch (error) {
    assert.match((error as Error).message, /no https userinfo_endpoint/)
  }
})

test.run()
