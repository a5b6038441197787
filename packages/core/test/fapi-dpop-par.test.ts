import { mswServer } from '@idp-proxy/testing'
import { base64url, decodeJwt, EmbeddedJWK, jwtVerify } from 'jose'
import { delay, HttpResponse, http } from 'msw'
import type * as oauth from 'oauth4webapi'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  assertionClientAuth,
  createDpopHandle,
  createDpopNonceCache,
  dpopJkt,
  generateDpopKey,
  importDpopKey,
  importSigner,
  isDpopPrivateJwk,
  isProxyError,
  type PrivateJwk,
  pushAuthorizationRequest,
  pushedAuthorizationRedirect,
} from '../src/index.js'
import { privateJwk } from './support/fixtures.js'

const ISSUER = 'https://fapi.example.com'
const PAR = `${ISSUER}/par`
const SERVER: oauth.AuthorizationServer = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize?tenant=a`,
  token_endpoint: `${ISSUER}/token`,
  pushed_authorization_request_endpoint: PAR,
}
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0)
const HTTP = {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
  timeoutMs: 2000,
}

async function clientAuth() {
  const signer = await importSigner((await privateJwk('ES256')) as PrivateJwk)
  return assertionClientAuth(signer, { audience: ISSUER, lifetimeSeconds: 60, now: () => NOW })
}

async function dpop(nonces = createDpopNonceCache(), proofLifetimeSeconds?: number) {
  const key = await generateDpopKey()
  const handle = createDpopHandle(await importDpopKey(key), {
    now: () => NOW,
    nonces,
    ...(proofLifetimeSeconds === undefined ? {} : { proofLifetimeSeconds }),
  })
  return { key, handle, nonces }
}

interface Seen {
  body: URLSearchParams
  proof: string | null
}

/** A PAR endpoint that answers each call with the next of `answers` and records what it got. */
function parEndpoint(...answers: (() => Response | Promise<Response>)[]) {
  const seen: Seen[] = []
  mswServer(
    http.post(PAR, async ({ request }) => {
      seen.push({
        body: new URLSearchParams(await request.text()),
        proof: request.headers.get('dpop'),
      })
      const answer = answers[seen.length - 1]
      return answer ? answer() : HttpResponse.json({ error: 'unexpected_call' }, { status: 500 })
    }),
  )
  return seen
}

const created = () =>
  HttpResponse.json(
    { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 },
    { status: 201 },
  )
const nonceNeeded = (nonce = 'n-1') =>
  HttpResponse.json(
    { error: 'use_dpop_nonce', error_description: 'nonce required' },
    { status: 400, headers: { 'dpop-nonce': nonce } },
  )

const PARAMS = {
  response_type: 'code',
  scope: 'openid',
  redirect_uri: 'https://proxy.example.com/callback',
  state: 'handle-H-0123456789',
  nonce: 'nonce-N-0123456789',
  code_challenge: 'x'.repeat(43),
  code_challenge_method: 'S256',
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isProxyError(error)) throw new Error(`expected a ProxyError, got ${String(error)}`)
  return error
}

test('a DPoP key is a P-256 private JWK with d, x and y only', async () => {
  const key = await generateDpopKey()
  assert.equal(Object.keys(key).sort(), ['crv', 'd', 'kty', 'x', 'y'])
  assert.ok(isDpopPrivateJwk(key))
  assert.not.ok(isDpopPrivateJwk({ ...key, crv: 'P-384' }))
  assert.not.ok(isDpopPrivateJwk({ ...key, d: `${key.d}A` }))
  assert.not.ok(isDpopPrivateJwk({ kty: 'EC', crv: 'P-256', x: key.x, y: key.y }))
  const other = await generateDpopKey()
  assert.is.not(other.d, key.d)
})

test('PAR sends every parameter, a fresh assertion (aud = issuer) and a proof; redirect carries client_id and request_uri only', async () => {
  const seen = parEndpoint(created)
  const { handle, key } = await dpop(createDpopNonceCache(), 120)
  const result = await pushAuthorizationRequest({
    server: SERVER,
    clientId: 'client-1',
    clientAuth: await clientAuth(),
    parameters: PARAMS,
    dpop: { handle, nonces: createDpopNonceCache() },
    http: HTTP,
  })
  assert.equal(result, { requestUri: 'urn:ietf:params:oauth:request_uri:abc', expiresIn: 60 })
  const [call] = seen
  for (const [name, value] of Object.entries(PARAMS)) assert.is(call?.body.get(name), value, name)
  assert.is(call?.body.get('client_id'), 'client-1')
  const assertion = decodeJwt(call?.body.get('client_assertion') as string)
  assert.equal([assertion.iss, assertion.sub, assertion.aud], ['client-1', 'client-1', ISSUER])

  const { payload, protectedHeader } = await jwtVerify(call?.proof as string, EmbeddedJWK, {
    typ: 'dpop+jwt',
    currentDate: new Date(NOW),
  })
  assert.is(protectedHeader.alg, 'ES256')
  assert.equal(Object.keys(protectedHeader.jwk ?? {}).sort(), ['crv', 'kty', 'x', 'y'])
  assert.is(protectedHeader.jwk?.x, key.x)
  assert.equal([payload.htm, payload.htu, payload.iat], ['POST', PAR, NOW / 1000])
  assert.is(payload.exp, NOW / 1000 + 120)
  assert.is(payload.nonce, undefined)
  assert.is(payload.ath, undefined)
  assert.match(String(payload.jti), /^[A-Za-z0-9_-]{43}$/)

  const redirect = pushedAuthorizationRedirect(SERVER, 'client-1', result.requestUri)
  assert.equal(
    [...redirect.searchParams.keys()].sort(),
    ['client_id', 'request_uri', 'tenant'],
    'the endpoint keeps its own query; nothing of the request leaks into the URL',
  )
  assert.is(redirect.searchParams.get('request_uri'), result.requestUri)
})

test('dpop_jkt is the RFC 7638 thumbprint of the proof key', async () => {
  const seen = parEndpoint(created)
  const { handle, nonces } = await dpop()
  await pushAuthorizationRequest({
    server: SERVER,
    clientId: 'c',
    clientAuth: await clientAuth(),
    parameters: PARAMS,
    dpop: { handle, nonces },
    http: HTTP,
  })
  const header = JSON.parse(
    new TextDecoder().decode(base64url.decode(String(seen[0]?.proof).split('.')[0] as string)),
  )
  const { calculateJwkThumbprint } = await import('jose')
  assert.is(await dpopJkt(handle), await calculateJwkThumbprint(header.jwk))
})

test('use_dpop_nonce at PAR: one retry with the nonce, a new proof and a new assertion', async () => {
  const seen = parEndpoint(() => nonceNeeded('server-nonce-1'), created)
  const nonces = createDpopNonceCache()
  const { handle } = await dpop(nonces)
  const result = await pushAuthorizationRequest({
    server: SERVER,
    clientId: 'c',
    clientAuth: await clientAuth(),
    parameters: PARAMS,
    dpop: { handle, nonces },
    http: HTTP,
  })
  assert.is(result.expiresIn, 60)
  assert.is(seen.length, 2)
  const [first, second] = seen.map((s) => decodeJwt(s.proof as string))
  assert.is(first?.nonce, undefined)
  assert.is(second?.nonce, 'server-nonce-1')
  assert.is.not(first?.jti, second?.jti)
  const [a, b] = seen.map((s) => decodeJwt(s.body.get('client_assertion') as string))
  assert.is.not(a?.jti, b?.jti)
  // The nonce is kept for the origin: the next sign-in's first proof carries it.
  assert.is(nonces.get(new URL(PAR).origin), 'server-nonce-1')
})

test('a second use_dpop_nonce is not retried again and is an IdP rejection', async () => {
  const seen = parEndpoint(
    () => nonceNeeded('a'),
    () => nonceNeeded('b'),
    created,
  )
  const { handle, nonces } = await dpop()
  const error = await refusal(
    pushAuthorizationRequest({
      server: SERVER,
      clientId: 'c',
      clientAuth: await clientAuth(),
      parameters: PARAMS,
      dpop: { handle, nonces },
      http: HTTP,
    }),
  )
  assert.is(seen.length, 2)
  assert.equal([error.code, error.status], ['ERR_IDP_REJECTED', 502])
  assert.match(error.message, '(use_dpop_nonce)')
  // Nothing the proxy sent (assertion, proof, state, nonce) is in the message.
  for (const sent of [
    seen[1]?.body.get('client_assertion'),
    seen[1]?.proof,
    PARAMS.state,
    PARAMS.nonce,
  ]) {
    assert.not.ok(error.message.includes(String(sent)))
  }
})

test('no retry without a DPoP-Nonce header, nor for other errors', async () => {
  for (const answer of [
    () => HttpResponse.json({ error: 'use_dpop_nonce' }, { status: 400 }),
    () =>
      HttpResponse.json(
        { error: 'invalid_request' },
        { status: 400, headers: { 'dpop-nonce': 'n' } },
      ),
  ]) {
    const seen = parEndpoint(answer, created)
    const { handle, nonces } = await dpop()
    const error = await refusal(
      pushAuthorizationRequest({
        server: SERVER,
        clientId: 'c',
        clientAuth: await clientAuth(),
        parameters: PARAMS,
        dpop: { handle, nonces },
        http: HTTP,
      }),
    )
    assert.is(seen.length, 1)
    assert.is(error.code, 'ERR_IDP_REJECTED')
  }
})

test('PAR failures are typed: OAuth error, unreachable, timeout, oversized, not a PAR answer, no endpoint', async () => {
  const auth = await clientAuth()
  const push = (server = SERVER, timeoutMs = 2000) =>
    refusal(
      pushAuthorizationRequest({
        server,
        clientId: 'c',
        clientAuth: auth,
        parameters: PARAMS,
        http: { ...HTTP, timeoutMs, maxResponseBytes: 1024 },
      }),
    )
  parEndpoint(() => HttpResponse.json({ error: 'invalid_client' }, { status: 401 }))
  const rejected = await push()
  assert.equal([rejected.code, rejected.error], ['ERR_IDP_REJECTED', 'server_error'])
  assert.match(rejected.message, '(invalid_client)')

  parEndpoint(() => HttpResponse.error())
  assert.is((await push()).code, 'ERR_IDP_UNAVAILABLE')

  parEndpoint(async () => {
    await delay('infinite')
    return created()
  })
  // AbortSignal.timeout's timer does not hold the process open; this one does, meanwhile.
  const alive = setInterval(() => undefined, 1000)
  try {
    assert.is((await push(SERVER, 100)).code, 'ERR_IDP_TIMEOUT')
  } finally {
    clearInterval(alive)
  }

  parEndpoint(() =>
    HttpResponse.json({ request_uri: 'u', expires_in: 60, pad: 'x'.repeat(2000) }, { status: 201 }),
  )
  assert.is((await push()).code, 'ERR_IDP_RESPONSE_TOO_LARGE')

  parEndpoint(() => new HttpResponse('<html>maintenance</html>', { status: 503 }))
  assert.is((await push()).code, 'ERR_IDP_UNAVAILABLE')

  parEndpoint(() => HttpResponse.json({ expires_in: 60 }, { status: 201 }))
  assert.is((await push()).code, 'ERR_IDP_UNAVAILABLE')

  const { pushed_authorization_request_endpoint: _none, ...withoutPar } = SERVER
  assert.is((await push(withoutPar)).code, 'ERR_IDP_UNAVAILABLE')
})

test('the nonce cache is per origin, bounded, and ignores malformed nonces', () => {
  const cache = createDpopNonceCache({ maxOrigins: 2 })
  cache.set('https://a', 'na')
  cache.set('https://b', 'nb')
  assert.is(cache.get('https://a'), 'na') // a is now the most recently used
  cache.set('https://c', 'nc')
  assert.equal(
    [cache.get('https://a'), cache.get('https://b'), cache.get('https://c')],
    ['na', undefined, 'nc'],
  )
  cache.set('https://a', 'has space')
  cache.set('https://a', 'x'.repeat(1025))
  cache.set('https://a', 'with"quote')
  assert.is(cache.get('https://a'), 'na')
})

test('each assertion from the ClientAuth has a fresh jti', async () => {
  const auth = await clientAuth()
  const jtis = new Set<unknown>()
  for (let i = 0; i < 3; i++) {
    const body = new URLSearchParams()
    await auth(SERVER, { client_id: 'c' }, body, new Headers())
    jtis.add(decodeJwt(body.get('client_assertion') as string).jti)
    assert.is(
      body.get('client_assertion_type'),
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    )
  }
  assert.is(jtis.size, 3)
})

test.run()
