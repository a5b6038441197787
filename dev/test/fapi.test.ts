/**
 * FAPI 2.0 sign-ins performed by core's FAPI building blocks against the real oidc-provider in
 * its FAPI 2.0 profile (dev/src/fapi-idp.ts) on loopback, no browser: PAR with DPoP, the login
 * form driven by fetch and cookies, the token request with DPoP and the nonce retry, the ID token
 * decrypted and verified, userinfo with DPoP. Then what the IdP refuses.
 */
import {
  createDpopHandle,
  createDpopNonceCache,
  fetchUserinfo,
  generateDpopKey,
  importDpopKey,
  isProxyError,
} from '@idp-proxy/core'
import { decodeProtectedHeader } from 'jose'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEMO_USERS } from '../src/demo-users.js'
import { createFapiIdp, type FapiIdpOptions } from '../src/fapi-idp.js'
import { type BoundServer, bind } from '../src/listen.js'
import {
  authorize,
  CLIENT_ID,
  type ClientKeys,
  type ClientSetup,
  clientKeys,
  discover,
  dpopHandleFor,
  proofClaims,
  recordingFetch,
  requestToken,
  signIn,
} from './support/fapi-client.js'

const USER = DEMO_USERS[0]!
const REDIRECT_URI = 'https://proxy.example.com/callback'

interface Run {
  setup: ClientSetup
  /** The reason behind each `invalid_grant` (oidc-provider masks it in the answer). */
  grantErrors: string[]
  exchanges: ReturnType<typeof recordingFetch>['exchanges']
  close(): Promise<void>
}

/** A FAPI IdP on a free loopback port for one client, and that client's setup. */
async function startRun(
  keys: ClientKeys,
  idp: Partial<FapiIdpOptions> = {},
  rewrite?: Parameters<typeof recordingFetch>[0],
): Promise<Run> {
  const server: BoundServer = await bind('fapi-idp', '127.0.0.1', 0)
  const fapi = await createFapiIdp({
    issuer: server.origin,
    clientId: CLIENT_ID,
    clientJwks: keys.publicJwks,
    redirectUris: [REDIRECT_URI],
    ...idp,
  })
  server.serve(fapi.app)
  const grantErrors: string[] = []
  fapi.provider.on('grant.error', (_ctx, error: { error_detail?: string }) => {
    grantErrors.push(error.error_detail ?? '')
  })
  const recording = recordingFetch(rewrite)
  const http = { fetch: recording.fetch, timeoutMs: 5000, allowInsecureHttp: true }
  const metadata = await discover(server.origin, http)
  recording.exchanges.length = 0
  return {
    setup: { server: metadata, keys, redirectUri: REDIRECT_URI, user: USER, http },
    grantErrors,
    exchanges: recording.exchanges,
    close: () => server.close(),
  }
}

async function withRun(
  keys: ClientKeys,
  idp: Partial<FapiIdpOptions>,
  body: (run: Run) => Promise<void>,
  rewrite?: Parameters<typeof recordingFetch>[0],
) {
  const run = await startRun(keys, idp, rewrite)
  try {
    await body(run)
  } finally {
    await run.close()
  }
}

let es256: ClientKeys
let ps256: ClientKeys

test.before(async () => {
  ;[es256, ps256] = await Promise.all([
    clientKeys('ES256', 'ECDH-ES+A256KW'),
    clientKeys('PS256', 'RSA-OAEP-256'),
  ])
})

test('ES256: PAR + DPoP + ID token ECDH-ES+A256KW/A256CBC-HS512 + JWE userinfo (A256GCM), as Singpass', async () => {
  await withRun(
    es256,
    {
      assertionAlg: 'ES256',
      idTokenEncryption: { alg: 'ECDH-ES+A256KW', enc: 'A256CBC-HS512' },
      userinfo: { encrypted: { alg: 'ECDH-ES+A256KW', enc: 'A256GCM' } },
    },
    async ({ setup, exchanges }) => {
      const result = await signIn(setup)
      assert.is(result.token.body.token_type, 'DPoP')
      assert.equal(
        { alg: result.jweHeader.alg, enc: result.jweHeader.enc, kid: result.jweHeader.kid },
        { alg: 'ECDH-ES+A256KW', enc: 'A256CBC-HS512', kid: 'enc-ECDH-ES+A256KW' },
      )
      assert.is(decodeProtectedHeader(result.idToken).alg, 'ES256')
      assert.is(result.idTokenClaims.sub, USER.sub)
      assert.is(result.userinfo.sub, USER.sub)
      assert.is(result.userinfo.email, USER.email)

      // The IdP asked for a nonce at PAR; the retry carried a new proof and a new assertion.
      const par = exchanges.filter((e) => e.url.endsWith('/request'))
      assert.equal(
        par.map((e) => [e.status, e.error]),
        [
          [400, 'use_dpop_nonce'],
          [201, undefined],
        ],
      )
      const [first, retry] = par.map((e) => ({
        proof: proofClaims(e.dpop),
        assertion: e.assertion,
      }))
      assert.is.not(first?.proof.jti, retry?.proof.jti)
      assert.is(first?.proof.nonce, undefined)
      assert.type(retry?.proof.nonce, 'string')
      assert.ok(first?.assertion && retry?.assertion && first.assertion !== retry.assertion)

      // The nonce learnt at PAR serves the token and userinfo requests: no more retries.
      const rest = exchanges.filter((e) => !e.url.endsWith('/request') && e.dpop)
      assert.equal(
        rest.map((e) => [new URL(e.url).pathname, e.status]),
        [
          ['/token', 200],
          ['/me', 200],
        ],
      )
      const token = proofClaims(rest[0]?.dpop)
      const userinfo = proofClaims(rest[1]?.dpop)
      assert.equal(
        [token.htm, token.htu, token.ath],
        ['POST', `${setup.server.issuer}/token`, undefined],
      )
      assert.equal([userinfo.htm, userinfo.htu], ['GET', `${setup.server.issuer}/me`])
      assert.type(userinfo.ath, 'string')
      assert.ok(rest[1]?.authorization?.startsWith('DPoP '))
    },
  )
})

test('PS256: PAR + DPoP + ID token RSA-OAEP-256/A256GCM + signed JWT userinfo', async () => {
  await withRun(
    ps256,
    {
      assertionAlg: 'PS256',
      idTokenEncryption: { alg: 'RSA-OAEP-256', enc: 'A256GCM' },
      userinfo: 'jwt',
    },
    async ({ setup, exchanges }) => {
      const result = await signIn(setup)
      assert.equal([result.jweHeader.alg, result.jweHeader.enc], ['RSA-OAEP-256', 'A256GCM'])
      assert.is(result.userinfo.email, USER.email)
      assert.is(result.userinfo.iss, setup.server.issuer)
      const assertion = exchanges.find((e) => e.assertion)?.assertion as string
      assert.is(decodeProtectedHeader(assertion).alg, 'PS256')
    },
  )
})

test('a nonce-less token request gets use_dpop_nonce, and the one retry succeeds', async () => {
  await withRun(es256, {}, async ({ setup, exchanges }) => {
    const authorized = await authorize(setup)
    // A cold instance: its nonce cache is empty.
    const cold = createDpopNonceCache()
    const token = await requestToken(setup, authorized, await dpopHandleFor(authorized, cold), cold)
    assert.is(token.status, 200)
    const calls = exchanges.filter((e) => e.url.endsWith('/token'))
    assert.equal(
      calls.map((e) => [e.status, e.error]),
      [
        [400, 'use_dpop_nonce'],
        [200, undefined],
      ],
    )
    assert.is.not(calls[0]?.assertion, calls[1]?.assertion)
    assert.is.not(proofClaims(calls[0]?.dpop).jti, proofClaims(calls[1]?.dpop).jti)
  })
})

test('the IdP refuses a token request without a DPoP proof', async () => {
  await withRun(es256, {}, async ({ setup, grantErrors }) => {
    const authorized = await authorize(setup)
    const token = await requestToken(setup, authorized, undefined)
    assert.is(token.status, 400)
    assert.is(token.body.error, 'invalid_grant')
    assert.equal(grantErrors, ['DPoP proof JWT not provided'])
  })
})

test('the IdP refuses a token request whose proof uses another key than PAR', async () => {
  await withRun(es256, {}, async ({ setup, grantErrors }) => {
    const authorized = await authorize(setup)
    const other = createDpopHandle(await importDpopKey(await generateDpopKey()), {
      now: Date.now,
      nonces: authorized.nonces,
    })
    const token = await requestToken(setup, authorized, other)
    assert.is(token.status, 400)
    assert.is(token.body.error, 'invalid_grant')
    assert.equal(grantErrors, ['DPoP proof key thumbprint does not match dpop_jkt'])
  })
})

test('the IdP refuses a replayed DPoP proof', async () => {
  let captured: string | undefined
  let replay = false
  await withRun(
    es256,
    {},
    async ({ setup, grantErrors }) => {
      const authorized = await authorize(setup)
      const handle = await dpopHandleFor(authorized)
      // One more sign-in with the same key, so that only the proof's jti can be the objection.
      const again = await authorize({ ...setup, nonces: authorized.nonces }, authorized.dpopKey)
      const first = await requestToken(setup, authorized, handle)
      assert.is(first.status, 200)
      assert.type(captured, 'string')
      replay = true
      const second = await requestToken(setup, again, handle)
      assert.is(second.status, 400)
      assert.is(second.body.error, 'invalid_grant')
      assert.equal(grantErrors, ['DPoP proof JWT Replay detected'])
    },
    (url, init) => {
      if (!url.endsWith('/token')) return init
      const headers = new Headers(init.headers)
      if (replay && captured) headers.set('dpop', captured)
      else captured = headers.get('dpop') ?? undefined
      return { ...init, headers }
    },
  )
})

test('the DPoP-bound access token is refused as a Bearer token', async () => {
  await withRun(es256, {}, async ({ setup, exchanges }) => {
    const result = await signIn(setup)
    exchanges.length = 0
    const refused = await fetchUserinfo({
      server: setup.server,
      clientId: CLIENT_ID,
      accessToken: String(result.token.body.access_token),
      expectedSubject: USER.sub,
      http: setup.http,
      now: Date.now,
    }).then(
      () => undefined,
      (error: unknown) => error,
    )
    assert.ok(isProxyError(refused))
    assert.is(refused.code, 'ERR_IDP_REJECTED')
    assert.equal(
      exchanges.map((e) => [e.status, e.authorization?.split(' ')[0], e.dpop]),
      [[401, 'Bearer', undefined]],
    )
  })
})

test("the IdP fetches the client's keys (signing and enc) from a loopback jwks_uri", async () => {
  const jwks: BoundServer = await bind('client-jwks', '127.0.0.1', 0)
  let fetched = 0
  jwks.serve((_req, res) => {
    fetched++
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(es256.publicJwks))
  })
  try {
    await withRun(
      es256,
      { clientJwks: undefined, jwksUri: `${jwks.origin}/jwks` },
      async ({ setup }) => {
        const result = await signIn(setup)
        assert.is(result.jweHeader.kid, 'enc-ECDH-ES+A256KW')
        assert.is(result.userinfo.sub, USER.sub)
      },
    )
    assert.ok(fetched >= 1)
  } finally {
    await jwks.close()
  }
})

test.run()
