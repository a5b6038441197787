/**
 * FAPI 2.0 sign-ins through the proxy itself (createProxy), against the real oidc-provider in
 * its FAPI 2.0 profile (dev/src/fapi-idp.ts) on loopback, with no browser: Cognito's
 * /authorize, the IdP's login form driven by fetch and cookies, /callback, Cognito's /token and
 * /userinfo. What Cognito gets is checked as Cognito would: a signed ID token that verifies
 * against the IdP's JWKS, and a Bearer access token that the IdP itself refuses.
 */
import {
  createMemoryStore,
  createProxy,
  type Proxy as IdpProxy,
  type KeySource,
  type ProxyOptions,
  staticKeySource,
} from '@idp-proxy/core'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEMO_USERS } from '../src/demo-users.js'
import { createFapiIdp, type FapiIdpOptions } from '../src/fapi-idp.js'
import { type BoundServer, bind } from '../src/listen.js'
import {
  CLIENT_ID,
  type ClientKeys,
  clientKeys,
  signInWithBrowserless,
} from './support/fapi-client.js'

const USER = DEMO_USERS[0]!
const PROXY = 'https://proxy.example.com'
const COGNITO = 'https://cognito.example.com/oauth2/idpresponse'
const SECRET = 'a-shared-secret-between-cognito-and-the-proxy'
const COGNITO_STATE = 'cognito-state-'.padEnd(120, 'x')

interface Calls {
  /** Every request the proxy made to the IdP: method, path, status. */
  list: { method: string; path: string; status: number }[]
}

interface Run {
  proxy: IdpProxy
  issuer: string
  calls: Calls
  close(): Promise<void>
}

async function startRun(
  keys: ClientKeys,
  idp: Partial<FapiIdpOptions>,
  proxy: Partial<ProxyOptions>,
  /** The IdP fetches the client's keys from the proxy's own JWKS route (served on loopback). */
  jwksFromProxy = false,
): Promise<Run> {
  const server: BoundServer = await bind('fapi-idp', '127.0.0.1', 0)
  const jwksServer = jwksFromProxy ? await bind('proxy-jwks', '127.0.0.1', 0) : undefined
  const fapi = await createFapiIdp({
    issuer: server.origin,
    clientId: CLIENT_ID,
    redirectUris: [`${PROXY}/callback`],
    ...(jwksServer
      ? { jwksUri: `${jwksServer.origin}/.well-known/jwks.json` }
      : { clientJwks: keys.publicJwks }),
    ...idp,
  })
  server.serve(fapi.app)
  const calls: Calls = { list: [] }
  const recording: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    const response = await fetch(request)
    calls.list.push({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
    })
    return response
  }
  const signing = staticKeySource(keys.signing)
  const source: KeySource = {
    signer: () => signing.signer(),
    publicJwks: () => signing.publicJwks(),
    decrypters: async () => [keys.decrypter],
  }
  const created = createProxy({
    baseUrl: PROXY,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    redirectUris: [COGNITO],
    idp: { issuer: server.origin },
    keys: source,
    store: createMemoryStore(),
    allowInsecureHttp: true,
    fetch: recording,
    logger: { log() {} },
    ...proxy,
  })
  jwksServer?.serve(async (_req, res) => {
    const answer = await created.handle(new Request(`${PROXY}/.well-known/jwks.json`))
    res.setHeader('content-type', answer.headers.get('content-type') ?? '')
    res.end(await answer.text())
  })
  await created.ready()
  calls.list.length = 0
  return {
    proxy: created,
    issuer: server.origin,
    calls,
    close: async () => {
      await server.close()
      await jwksServer?.close()
    },
  }
}

async function withRun(
  keys: ClientKeys,
  idp: Partial<FapiIdpOptions>,
  proxy: Partial<ProxyOptions>,
  body: (run: Run) => Promise<void>,
  jwksFromProxy = false,
) {
  const run = await startRun(keys, idp, proxy, jwksFromProxy)
  try {
    await body(run)
  } finally {
    await run.close()
  }
}

/** One whole sign-in as Cognito and a browser make it; what Cognito ends up with. */
async function cognitoSignIn(run: Run) {
  const start = new URL(`${PROXY}/authorize`)
  for (const [name, value] of Object.entries({
    client_id: CLIENT_ID,
    redirect_uri: COGNITO,
    response_type: 'code',
    scope: 'openid email profile',
    state: COGNITO_STATE,
  }))
    start.searchParams.set(name, value)
  const authorize = await run.proxy.handle(new Request(start))
  assert.is(authorize.status, 302)
  const toIdp = new URL(authorize.headers.get('location') as string)
  const callbackUrl = await signInWithBrowserless(toIdp, USER)
  assert.is(callbackUrl.origin + callbackUrl.pathname, `${PROXY}/callback`)
  const callback = await run.proxy.handle(new Request(callbackUrl))
  assert.is(callback.status, 302)
  const back = new URL(callback.headers.get('location') as string)
  assert.is(back.searchParams.get('state'), COGNITO_STATE)
  const code = back.searchParams.get('code') as string
  assert.ok(code, `Cognito got no code: ${back.searchParams.get('error_description')}`)
  const token = await run.proxy.handle(
    new Request(`${PROXY}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: COGNITO,
        client_id: CLIENT_ID,
        client_secret: SECRET,
      }),
    }),
  )
  const body = (await token.json()) as Record<string, unknown>
  assert.is(token.status, 200, JSON.stringify(body))
  // As Cognito: the ID token verifies against the IdP's own jwks_uri.
  const idToken = body.id_token as string
  const { payload } = await jwtVerify(idToken, createRemoteJWKSet(new URL(`${run.issuer}/jwks`)), {
    issuer: run.issuer,
    audience: CLIENT_ID,
  })
  return { toIdp, body, idToken, claims: payload }
}

async function userinfo(run: Run, accessToken: string) {
  const response = await run.proxy.handle(
    new Request(`${PROXY}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } }),
  )
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

let es256: ClientKeys
let ps256: ClientKeys

test.before(async () => {
  ;[es256, ps256] = await Promise.all([
    clientKeys('ES256', 'ECDH-ES+A256KW'),
    clientKeys('PS256', 'RSA-OAEP-256'),
  ])
})

const FAPI: Partial<ProxyOptions> = {
  assertion: { audience: 'issuer' },
  dpop: true,
  requireEncryptedIdToken: true,
}

test('ES256 through the proxy: PAR + DPoP + encrypted ID token + JWE userinfo (as Singpass)', async () => {
  await withRun(
    es256,
    { userinfo: { encrypted: { alg: 'ECDH-ES+A256KW', enc: 'A256GCM' } } },
    { ...FAPI, assertion: { audience: 'issuer', algorithms: ['ES256'] } },
    async (run) => {
      const { toIdp, body, idToken, claims } = await cognitoSignIn(run)
      assert.equal([...toIdp.searchParams.keys()].sort(), ['client_id', 'request_uri'])
      assert.is(decodeProtectedHeader(idToken).alg, 'ES256')
      assert.is(claims.sub, USER.sub)
      assert.is(body.token_type, 'Bearer')
      const answer = await userinfo(run, body.access_token as string)
      assert.is(answer.status, 200)
      assert.is(answer.body.sub, USER.sub)
      assert.is(answer.body.email, USER.email)
      // The first PAR learns the IdP's DPoP nonce (one retry); the token and userinfo calls
      // reuse it (one nonce cache per origin); the IdP's JWKS was fetched by ready(), once.
      const calls = () => run.calls.list.map((call) => `${call.method} ${call.path} ${call.status}`)
      assert.equal(calls(), [
        'POST /request 400',
        'POST /request 201',
        'POST /token 200',
        'GET /me 200',
      ])
      // The next sign-in: no retry, no JWKS fetch.
      run.calls.list.length = 0
      const next = await cognitoSignIn(run)
      await userinfo(run, next.body.access_token as string)
      assert.equal(calls(), ['POST /request 201', 'POST /token 200', 'GET /me 200'])
    },
  )
})

test('PS256 through the proxy: RSA-OAEP-256 ID token, signed JWT userinfo', async () => {
  await withRun(
    ps256,
    {
      assertionAlg: 'PS256',
      idTokenEncryption: { alg: 'RSA-OAEP-256', enc: 'A256GCM' },
      userinfo: 'jwt',
    },
    FAPI,
    async (run) => {
      const { body, claims } = await cognitoSignIn(run)
      assert.is(claims.sub, USER.sub)
      const answer = await userinfo(run, body.access_token as string)
      assert.equal([answer.status, answer.body.sub, answer.body.email], [200, USER.sub, USER.email])
    },
  )
})

test("the IdP takes the client's signing and enc keys from the proxy's JWKS route", async () => {
  await withRun(
    es256,
    {},
    FAPI,
    async (run) => {
      const { claims, body } = await cognitoSignIn(run)
      assert.is(claims.sub, USER.sub)
      assert.is((await userinfo(run, body.access_token as string)).status, 200)
    },
    true,
  )
})

test('the access token Cognito holds is refused by the IdP when used directly', async () => {
  await withRun(es256, {}, FAPI, async (run) => {
    const { body } = await cognitoSignIn(run)
    const direct = await fetch(`${run.issuer}/me`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    })
    assert.is(direct.status, 401)
    await direct.arrayBuffer()
  })
})

test('each piece alone: PAR only', async () => {
  await withRun(
    es256,
    { dpop: false, idTokenEncryption: false },
    { assertion: { audience: 'issuer' }, par: 'always', userinfo: true },
    async (run) => {
      const { toIdp, body } = await cognitoSignIn(run)
      assert.ok(toIdp.searchParams.has('request_uri'))
      const answer = await userinfo(run, body.access_token as string)
      assert.is(answer.body.sub, USER.sub)
    },
  )
})

test('each piece alone: DPoP only (dpop_jkt in the authorization request)', async () => {
  await withRun(
    es256,
    { par: false, idTokenEncryption: false },
    { assertion: { audience: 'issuer' }, dpop: true, par: 'never' },
    async (run) => {
      const { toIdp, body } = await cognitoSignIn(run)
      assert.ok(toIdp.searchParams.has('dpop_jkt'))
      assert.not.ok(toIdp.searchParams.has('request_uri'))
      const answer = await userinfo(run, body.access_token as string)
      assert.is(answer.body.sub, USER.sub)
    },
  )
})

test('each piece alone: encrypted ID token only', async () => {
  await withRun(
    es256,
    { par: false, dpop: false },
    { assertion: { audience: 'issuer' }, requireEncryptedIdToken: true, par: 'never' },
    async (run) => {
      const { body, claims } = await cognitoSignIn(run)
      assert.is(claims.sub, USER.sub)
      const answer = await userinfo(run, body.access_token as string)
      assert.is(answer.body.email, USER.email)
    },
  )
})

test.run()
