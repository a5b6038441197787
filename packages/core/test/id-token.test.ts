/**
 * The IdP's id_token is verified at /token before Cognito sees it: signature against the IdP's
 * JWKS (cached, fetched again on an unknown kid after a cool-down), iss, aud, exp and the nonce
 * the proxy kept in the flow record. A failure is invalid_grant and a log line naming the check.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ProxyOptions, staticKeySource, webCryptoSignatureCheck } from '../src/index.js'
import { nodeSignatureCheck } from '../src/node/index.js'
import {
  captureLogger,
  cognitoTokenFields,
  createProxy,
  ISSUER,
  mockIdp,
  privateJwk,
  proxyOptions,
  signInAt,
  tokenRequest,
} from './support/fixtures.js'

const jwk = await privateJwk('ES256')
const keys = staticKeySource(jwk)

// The proxy's clock can only move back from the IdP's (a proxy ahead of it would sign assertions
// the IdP finds not yet valid): a test that needs time to pass starts behind and catches up.
function baseSetup(overrides: Partial<ProxyOptions> = {}, startOffsetMs = 0) {
  let offset = startOffsetMs
  const logger = captureLogger()
  const proxy = createProxy(
    proxyOptions(jwk, { keys, logger, now: () => Date.now() + offset, ...overrides }),
  )
  const idp = mockIdp(keys, { requirePkce: overrides.pkce !== false })
  return {
    proxy,
    idp,
    logger,
    advance(ms: number) {
      offset += ms
    },
  }
}

async function redeem(ctx: ReturnType<typeof baseSetup>, params: Record<string, string> = {}) {
  const { code, toIdp } = await signInAt(ctx.proxy, ctx.idp, params)
  const response = await ctx.proxy.handle(tokenRequest(cognitoTokenFields(code)))
  const text = await response.text()
  return { response, body: JSON.parse(text) as Record<string, unknown>, text, toIdp }
}

async function expectRejected(ctx: ReturnType<typeof baseSetup>, check: RegExp) {
  const { response, body, text } = await redeem(ctx)
  assert.is(response.status, 400, text)
  assert.is(body.error, 'invalid_grant')
  assert.not.ok('id_token' in body, 'Cognito never sees the token')
  assert.is(response.headers.get('location'), null)
  assert.match(String(body.error_description), check)
  const line = ctx.logger.events.find((e) => e.event === 'idp_refused')
  assert.is(line?.code, 'ERR_ID_TOKEN_INVALID')
  assert.match(String(line?.message), check)
}

// Every test under both signature checks: core's default (Web Crypto) and the Node adapters'.
for (const [label, signatureCheck] of [
  ['Web Crypto', webCryptoSignatureCheck],
  ['node:crypto', nodeSignatureCheck],
] as const) {
  const setup = (overrides: Partial<ProxyOptions> = {}, startOffsetMs = 0) =>
    baseSetup({ signatureCheck, ...overrides }, startOffsetMs)

  test(`${label}: a good id_token reaches Cognito; the JWKS is fetched once and cached`, async () => {
    const ctx = setup()
    for (let i = 0; i < 3; i++) {
      const { response, body, toIdp } = await redeem(ctx)
      assert.is(response.status, 200)
      assert.type(body.id_token, 'string')
      const nonce = toIdp.searchParams.get('nonce') as string
      assert.ok(nonce.length >= 22, 'the proxy added a nonce')
      const claims = JSON.parse(
        Buffer.from(String(body.id_token).split('.')[1] as string, 'base64url').toString(),
      )
      assert.is(claims.nonce, nonce, 'the IdP echoed it')
    }
    assert.is(ctx.idp.jwksCount, 1)
  })

  test(`${label}: Cognito’s own nonce is forwarded, kept and checked`, async () => {
    const ctx = setup()
    const { response, toIdp } = await redeem(ctx, { nonce: 'cognito-nonce-0123456789abcdef' })
    assert.is(toIdp.searchParams.get('nonce'), 'cognito-nonce-0123456789abcdef')
    assert.is(response.status, 200)
  })

  test(`${label}: wrong signature: invalid_grant naming the signature check`, async () => {
    const ctx = setup()
    ctx.idp.tamperNextIdToken({ wrongSignature: true })
    await expectRejected(ctx, /failed verification: signature/)
  })

  test(`${label}: wrong iss, wrong aud, expired: each named`, async () => {
    for (const [claims, check] of [
      [{ iss: 'https://evil.example.com' }, /: iss$/],
      [{ aud: 'another-client' }, /: aud$/],
      [{ aud: ['another-client', 'cognito-federation-client'] }, /: azp$/],
      [
        { exp: Math.floor(Date.now() / 1000) - 120, iat: Math.floor(Date.now() / 1000) - 600 },
        /: exp$/,
      ],
    ] as const) {
      const ctx = setup()
      ctx.idp.tamperNextIdToken({ claims })
      await expectRejected(ctx, check)
    }
  })

  test(`${label}: wrong or missing nonce: invalid_grant`, async () => {
    let ctx = setup()
    ctx.idp.tamperNextIdToken({ claims: { nonce: 'a-nonce-from-another-sign-in' } })
    await expectRejected(ctx, /: nonce$/)
    ctx = setup()
    ctx.idp.tamperNextIdToken({ claims: { nonce: undefined } })
    await expectRejected(ctx, /: nonce \(missing\)$/)
  })

  test(`${label}: a 200 without an id_token: invalid_grant`, async () => {
    const ctx = setup()
    ctx.idp.tamperNextIdToken({ omit: true })
    await expectRejected(ctx, /: id_token missing$/)
  })

  test(`${label}: unknown kid: refused within the cool-down, accepted after it once the JWKS is fetched again`, async () => {
    const ctx = setup({}, -31_000)
    assert.is((await redeem(ctx)).response.status, 200)
    assert.is(ctx.idp.jwksCount, 1)
    ctx.idp.rotateSigningKey()
    await expectRejected(ctx, /: kid \(no such key in the IdP JWKS\)$/)
    assert.is(ctx.idp.jwksCount, 1, 'no refetch inside the cool-down')
    ctx.advance(31_000)
    const after = await redeem(ctx)
    assert.is(after.response.status, 200, after.text)
    assert.is(ctx.idp.jwksCount, 2)
  })

  test(`${label}: PKCE off: signature, iss, aud and exp are still checked (no nonce to check)`, async () => {
    const ctx = setup({ pkce: false, store: undefined })
    const direct = ctx.idp.signIn(
      ctx.idp.authorizationUrl({
        redirect_uri: 'https://example.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse',
        state: 's'.repeat(30),
      }),
    )
    let response = await ctx.proxy.handle(tokenRequest(cognitoTokenFields(direct.code)))
    assert.is(response.status, 200, await response.clone().text())
    const again = ctx.idp.signIn(
      ctx.idp.authorizationUrl({
        redirect_uri: 'https://example.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse',
        state: 's'.repeat(30),
      }),
    )
    ctx.idp.tamperNextIdToken({ claims: { iss: `${ISSUER}/other` } })
    response = await ctx.proxy.handle(tokenRequest(cognitoTokenFields(again.code)))
    assert.is(response.status, 400)
    assert.is((await response.json()).error, 'invalid_grant')
  })

  test(`${label}: verifyIdToken: false relays the IdP answer unverified`, async () => {
    const ctx = setup({ verifyIdToken: false })
    ctx.idp.tamperNextIdToken({ claims: { aud: 'someone-else' } })
    const { response } = await redeem(ctx)
    assert.is(response.status, 200)
    assert.is(ctx.idp.jwksCount, 0)
  })
}

test('ready() fetches the JWKS, so the first /token verifies without a fetch; a JWKS down then is fetched at /token', async () => {
  const warm = baseSetup({})
  await warm.proxy.ready()
  assert.is(warm.idp.jwksCount, 1, 'fetched at ready()')
  assert.is((await redeem(warm)).response.status, 200)
  assert.is(warm.idp.jwksCount, 1, 'not again at the first /token')

  let refused = 0
  const down = baseSetup({
    fetch: (input, init) => {
      if (String(input).endsWith('/jwks') && refused++ === 0) {
        return Promise.reject(new TypeError('fetch failed'))
      }
      return fetch(input, init)
    },
  })
  const idp = await down.proxy.ready()
  assert.ok(idp.jwksUri, 'ready() succeeds without the JWKS')
  assert.is(refused, 1)
  const { response, text } = await redeem(down)
  assert.is(response.status, 200, text)
  assert.is(down.idp.jwksCount, 1, 'the first /token fetched it')
})

test.run()
