/**
 * FAPI 2.0 through createProxy's routes, against a small msw FAPI IdP (support/fapi-idp.ts):
 * PAR + DPoP + encrypted ID token + /userinfo, each piece's rules, PAR failures back to Cognito,
 * RFC 6750 errors, the JWKS route's `enc` key, IdP profiles, and what never reaches a log.
 */
import { readFileSync } from 'node:fs'
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createMemoryStore,
  type Decrypter,
  IDP_PROFILE_NAMES,
  importDecrypter,
  type KeySource,
  optionsFromEnv,
  type ProxyOptions,
  staticKeySource,
} from '../src/index.js'
import {
  FAPI_AUTHORIZE,
  FAPI_ISSUER,
  FAPI_TOKEN,
  FAPI_USER,
  type FapiIdpSetup,
  startFapiIdp,
} from './support/fapi-idp.js'
import {
  authorizeUrl,
  BASE_URL,
  CLIENT_ID,
  CLIENT_SECRET,
  COGNITO_REDIRECT,
  COGNITO_STATE,
  captureLogger,
  cognitoTokenFields,
  createProxy,
  privateJwk,
  tokenRequest,
} from './support/fixtures.js'

interface Keys {
  source: KeySource
  signing: JWK
  decrypter: Decrypter
  decryptionJwk: JWK
}

async function keys(alg: 'ES256' | 'PS256' = 'ES256'): Promise<Keys> {
  const signing = await privateJwk(alg)
  const { privateKey } = await generateKeyPair('ECDH-ES+A256KW', {
    crv: 'P-256',
    extractable: true,
  })
  const decryptionJwk = {
    ...(await exportJWK(privateKey)),
    kid: 'enc-1',
    alg: 'ECDH-ES+A256KW',
    use: 'enc',
  }
  const decrypter = await importDecrypter(decryptionJwk)
  const signer = staticKeySource(signing)
  const source: KeySource = {
    signer: () => signer.signer(),
    publicJwks: () => signer.publicJwks(),
    decrypters: async () => [decrypter],
  }
  return { source, signing, decrypter, decryptionJwk }
}

function fapiOptions(k: Keys, overrides: Partial<ProxyOptions> = {}) {
  const logger = captureLogger()
  const options: ProxyOptions = {
    baseUrl: BASE_URL,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [COGNITO_REDIRECT],
    idp: { issuer: FAPI_ISSUER },
    keys: k.source,
    store: createMemoryStore(),
    logger,
    assertion: { audience: 'issuer' },
    dpop: true,
    requireEncryptedIdToken: true,
    ...overrides,
  }
  return { options, logger }
}

async function setup(
  idp: Partial<FapiIdpSetup> = {},
  overrides: Partial<ProxyOptions> = {},
  alg: 'ES256' | 'PS256' = 'ES256',
) {
  const k = await keys(alg)
  const fapi = await startFapiIdp({
    clientJwks: () => k.source.publicJwks() as Promise<{ keys: JWK[] }>,
    encryptTo: k.decrypter.publicJwk(),
    dpop: true,
    ...idp,
  })
  const { options, logger } = fapiOptions(k, overrides)
  const proxy = createProxy(options)
  return { k, fapi, proxy, logger }
}

type Ctx = Awaited<ReturnType<typeof setup>>

/** Browser -> /authorize -> IdP -> /callback -> Cognito: the code handle Cognito redeems. */
async function signIn(ctx: Ctx) {
  const authorize = await ctx.proxy.handle(new Request(authorizeUrl()))
  assert.is(authorize.status, 302)
  const location = authorize.headers.get('location') as string
  const atIdp = ctx.fapi.signIn(location)
  const callback = await ctx.proxy.handle(
    new Request(
      `${BASE_URL}/callback?code=${atIdp.code}&state=${encodeURIComponent(atIdp.state)}&iss=${encodeURIComponent(FAPI_ISSUER)}`,
    ),
  )
  const back = new URL(callback.headers.get('location') as string)
  return { location: new URL(location), atIdp, code: back.searchParams.get('code') as string }
}

async function redeem(ctx: Ctx, code: string) {
  const response = await ctx.proxy.handle(tokenRequest(cognitoTokenFields(code)))
  return { response, body: (await response.json()) as Record<string, unknown> }
}

function userinfoRequest(token: string | undefined, method = 'GET') {
  return new Request(`${BASE_URL}/userinfo`, {
    method,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  })
}

for (const alg of ['ES256', 'PS256'] as const) {
  test(`PAR + DPoP + encrypted ID token + /userinfo, ${alg} assertions`, async () => {
    const ctx = await setup({}, {}, alg)
    const { location, code } = await signIn(ctx)
    // The browser carries client_id and request_uri only.
    assert.equal([...location.searchParams.keys()].sort(), ['client_id', 'request_uri'])
    assert.is(location.origin + location.pathname, FAPI_AUTHORIZE)
    const [par] = ctx.fapi.seen.par
    assert.is(par?.assertion.aud, FAPI_ISSUER)
    assert.ok(par?.dpop, 'PAR carries a DPoP proof')
    assert.is(par?.form.get('code_challenge_method'), 'S256')
    assert.is(par?.form.get('redirect_uri'), `${BASE_URL}/callback`)
    assert.ok(par?.form.get('nonce'))

    const { response, body } = await redeem(ctx, code)
    assert.is(response.status, 200)
    // One use_dpop_nonce, one retry, each attempt with its own assertion.
    assert.equal(
      ctx.fapi.seen.token.map((t) => t.status),
      [400, 200],
    )
    const [first, second] = ctx.fapi.seen.token
    assert.is.not(first?.assertion.jti, second?.assertion.jti)
    assert.is.not(decodeJwt(first?.dpop as string).jti, decodeJwt(second?.dpop as string).jti)
    // Cognito gets the signed inner ID token and a Bearer handle, never the IdP's tokens.
    const idToken = body.id_token as string
    assert.is(idToken.split('.').length, 3)
    assert.is(decodeProtectedHeader(idToken).alg, 'ES256')
    assert.is(decodeJwt(idToken).nonce, par?.form.get('nonce'))
    assert.is(body.token_type, 'Bearer')
    assert.is.not(body.access_token, ctx.fapi.seen.accessTokens[0])
    assert.is(body.refresh_token, undefined)
    assert.ok((body.expires_in as number) <= 300)

    const userinfo = await ctx.proxy.handle(userinfoRequest(body.access_token as string))
    assert.is(userinfo.status, 200)
    assert.equal(await userinfo.json(), FAPI_USER)
    const [call] = ctx.fapi.seen.userinfo
    assert.is(call?.authorization, `DPoP ${ctx.fapi.seen.accessTokens[0]}`)
    assert.ok(decodeJwt(call?.dpop as string).ath, 'the userinfo proof carries ath')
  })
}

test('the nonce learned once is reused: the next sign-in needs no retry', async () => {
  const ctx = await setup()
  await redeem(ctx, (await signIn(ctx)).code)
  await redeem(ctx, (await signIn(ctx)).code)
  assert.equal(
    ctx.fapi.seen.token.map((t) => t.status),
    [400, 200, 200],
  )
})

test("the handle Cognito holds is refused by the IdP; the IdP's token without the DPoP key too", async () => {
  const ctx = await setup()
  const { body } = await redeem(ctx, (await signIn(ctx)).code)
  const asBearer = await fetch(`${FAPI_ISSUER}/me`, {
    headers: { authorization: `Bearer ${body.access_token}` },
  })
  assert.is(asBearer.status, 401)
  const idpToken = ctx.fapi.seen.accessTokens[0] as string
  const withoutProof = await fetch(`${FAPI_ISSUER}/me`, {
    headers: { authorization: `DPoP ${idpToken}` },
  })
  assert.is(withoutProof.status, 401)
})

test('/userinfo: RFC 6750 errors for a missing, unknown or used handle; GET and POST', async () => {
  const ctx = await setup()
  for (const token of [undefined, 'not-a-handle-at-all-xxxxxxxx']) {
    const response = await ctx.proxy.handle(userinfoRequest(token))
    assert.is(response.status, 401)
    assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer .*error="invalid_token"/)
    assert.is(((await response.json()) as { error: string }).error, 'invalid_token')
  }
  const { body } = await redeem(ctx, (await signIn(ctx)).code)
  const post = await ctx.proxy.handle(userinfoRequest(body.access_token as string, 'POST'))
  assert.is(post.status, 200)
  const again = await ctx.proxy.handle(userinfoRequest(body.access_token as string))
  assert.is(again.status, 401)
  const put = await ctx.proxy.handle(userinfoRequest(body.access_token as string, 'PUT'))
  assert.is(put.status, 405)
})

test('/userinfo without an IdP userinfo endpoint: the verified ID token claims', async () => {
  const ctx = await setup({ userinfo: false })
  const { body } = await redeem(ctx, (await signIn(ctx)).code)
  const response = await ctx.proxy.handle(userinfoRequest(body.access_token as string))
  assert.is(response.status, 200)
  // User claims only: nonce, aud, exp and the other token-only claims are left out.
  assert.equal(await response.json(), FAPI_USER)
  assert.is(ctx.fapi.seen.userinfo.length, 0)
})

test('/userinfo: an IdP refusal is a 502, never the IdP token in the answer', async () => {
  const ctx = await setup()
  const { body } = await redeem(ctx, (await signIn(ctx)).code)
  ctx.fapi.revokeAll()
  const response = await ctx.proxy.handle(userinfoRequest(body.access_token as string))
  assert.is(response.status, 502)
  const text = await response.text()
  assert.not.ok(text.includes(ctx.fapi.seen.accessTokens[0] as string))
})

test('PAR errors and PAR outages go back to Cognito with its state; the flow is consumed', async () => {
  for (const [failure, error] of [
    [{ error: 'invalid_request' }, 'invalid_request'],
    [{ error: 'invalid_dpop_proof' }, 'server_error'],
    ['network', 'temporarily_unavailable'],
  ] as const) {
    const ctx = await setup({ parFailure: failure })
    const authorize = await ctx.proxy.handle(new Request(authorizeUrl()))
    assert.is(authorize.status, 302)
    const back = new URL(authorize.headers.get('location') as string)
    assert.is(back.origin + back.pathname, COGNITO_REDIRECT)
    assert.is(back.searchParams.get('error'), error)
    assert.is(back.searchParams.get('state'), COGNITO_STATE)
    const pushed = ctx.fapi.seen.par[0]
    if (pushed) {
      const handle = pushed.form.get('state') as string
      const callback = await ctx.proxy.handle(
        new Request(`${BASE_URL}/callback?code=x&state=${encodeURIComponent(handle)}`),
      )
      assert.is(callback.status, 400, 'the refused sign-in cannot be resumed')
    }
  }
})

test('each piece alone: PAR only, DPoP only (dpop_jkt), encryption only', async () => {
  // PAR only: no DPoP proof anywhere, a Bearer token behind the handle.
  const parOnly = await setup(
    { dpop: false, encryptTo: undefined },
    { dpop: false, requireEncryptedIdToken: false, par: 'always' },
  )
  const a = await redeem(parOnly, (await signIn(parOnly)).code)
  assert.is(a.response.status, 200)
  assert.is(parOnly.fapi.seen.par[0]?.dpop, null)
  assert.is(parOnly.fapi.seen.token[0]?.dpop, null)
  const ui = await parOnly.proxy.handle(userinfoRequest(a.body.access_token as string))
  assert.is(ui.status, 200)
  assert.is(parOnly.fapi.seen.userinfo[0]?.authorization?.split(' ')[0], 'Bearer')

  // Encryption only, PAR never: the authorization request goes in the browser's URL.
  const k = await keys()
  const { options } = fapiOptions(k, { dpop: false, par: 'never', requireEncryptedIdToken: true })
  const proxy = createProxy(options)
  const authorize = await proxy.handle(new Request(authorizeUrl()))
  const target = new URL(authorize.headers.get('location') as string)
  assert.is(target.origin + target.pathname, FAPI_AUTHORIZE)
  assert.ok(target.searchParams.get('code_challenge'))
  assert.not.ok(target.searchParams.has('dpop_jkt'))

  // DPoP without PAR: the code is bound with dpop_jkt.
  const dpopOnly = createProxy(
    fapiOptions(k, { par: 'never', requireEncryptedIdToken: false }).options,
  )
  const withJkt = await dpopOnly.handle(new Request(authorizeUrl()))
  const jktTarget = new URL(withJkt.headers.get('location') as string)
  assert.match(jktTarget.searchParams.get('dpop_jkt') ?? '', /^[A-Za-z0-9_-]{43}$/)
})

test('requireEncryptedIdToken refuses a signed-only ID token (502, never passed to Cognito)', async () => {
  const ctx = await setup({ encryptTo: undefined })
  const { response, body } = await redeem(ctx, (await signIn(ctx)).code)
  assert.is(response.status, 502)
  assert.is(body.id_token, undefined)
  assert.is(body.access_token, undefined)
})

test('the JWKS route publishes the signing keys and the enc keys, public halves only', async () => {
  const ctx = await setup()
  const response = await ctx.proxy.handle(new Request(`${BASE_URL}/.well-known/jwks.json`))
  const { keys: published } = (await response.json()) as { keys: Record<string, unknown>[] }
  assert.equal(
    published.map((key) => [key.kid, key.use]),
    [
      ['key-ES256', 'sig'],
      ['enc-1', 'enc'],
    ],
  )
  for (const key of published) assert.is(key.d, undefined)
})

test('/userinfo is off for a plain IdP unless turned on', async () => {
  const k = await keys()
  const plain = createProxy(fapiOptions(k, { dpop: false, requireEncryptedIdToken: false }).options)
  assert.is((await plain.handle(userinfoRequest('x'.repeat(20)))).status, 404)
  const on = createProxy(
    fapiOptions(k, { dpop: false, requireEncryptedIdToken: false, userinfo: true }).options,
  )
  assert.is((await on.handle(userinfoRequest('x'.repeat(20)))).status, 401)
  assert.throws(
    () => createProxy(fapiOptions(k, { userinfo: false }).options),
    (error: { problems: { name: string }[] }) =>
      error.problems.some((problem) => problem.name === 'userinfo'),
  )
})

test('profiles: singpass defaults, its limits refuse a conflicting setting, overrides are logged', async () => {
  const k = await keys()
  const base = fapiOptions(k, {}).options
  const { dpop: _d, requireEncryptedIdToken: _r, assertion: _a, ...plain } = base
  const logger = captureLogger()
  const singpass = createProxy({
    ...plain,
    profile: 'singpass',
    dpopProofLifetimeSeconds: 60,
    logger,
  })
  const line = logger.events.find((event) => event.event === 'idp_profile')
  assert.equal([line?.profile, line?.overrides], ['singpass', 'dpopProofLifetimeSeconds'])
  assert.ok(singpass)

  const refused = (options: Partial<ProxyOptions>) => {
    try {
      createProxy({ ...plain, profile: 'singpass', ...options })
    } catch (error) {
      return (error as { problems: { name: string; message: string }[] }).problems
    }
    return []
  }
  const lifetime = refused({ assertion: { lifetimeSeconds: 300 } })
  assert.is(lifetime[0]?.name, 'assertion.lifetimeSeconds')
  assert.match(lifetime[0]?.message ?? '', /Singpass .*120/)
  assert.is(refused({ dpop: false })[0]?.name, 'dpop')
  assert.is(refused({ par: 'never' })[0]?.name, 'par')
  assert.is(refused({ assertion: { algorithms: ['RS256'] } })[0]?.name, 'assertion.algorithms')

  // An RSA key under the EC-only profile: refused at start-up.
  const rsa = staticKeySource(await privateJwk('RS256'))
  await startFapiIdp({ clientJwks: () => rsa.publicJwks() as Promise<{ keys: JWK[] }> })
  const rsaProxy = createProxy({
    ...plain,
    keys: { ...rsa, decrypters: k.source.decrypters },
    profile: 'singpass',
  })
  const error = (await rsaProxy.ready().catch((e: unknown) => e)) as {
    code: string
    message: string
  }
  assert.is(error.code, 'ERR_INVALID_KEY')
  assert.match(error.message, /ES256/)
})

test('entra-id: a signing key without a certificate (no x5t#S256) fails at start-up', async () => {
  const k = await keys('PS256')
  const { options } = fapiOptions(k, { dpop: false, requireEncryptedIdToken: false })
  await startFapiIdp({ clientJwks: () => k.source.publicJwks() as Promise<{ keys: JWK[] }> })
  const proxy = createProxy({ ...options, profile: 'entra-id', routes: ['token', 'jwks'] })
  const error = (await proxy.ready().catch((e: unknown) => e)) as { code: string; message: string }
  assert.is(error.code, 'ERR_INVALID_KEY')
  assert.match(error.message, /x5t#S256/)
})

test('every profile in code has its page in docs/idps, which names the setting', () => {
  for (const name of IDP_PROFILE_NAMES) {
    const page = readFileSync(new URL(`../../../docs/idps/${name}.md`, import.meta.url), 'utf8')
    assert.ok(
      page.includes(`IDP_PROFILE=${name}`),
      `docs/idps/${name}.md names IDP_PROFILE=${name}`,
    )
  }
})

test('profiles from the environment: IDP_PROFILE=login-gov adds its acr_values; an explicit one wins', async () => {
  const env = {
    PROXY_BASE_URL: BASE_URL,
    IDP_ISSUER: FAPI_ISSUER,
    IDP_CLIENT_ID: CLIENT_ID,
    COGNITO_REDIRECT_URIS: COGNITO_REDIRECT,
    IDP_PROFILE: 'login-gov',
    IDP_AUTHORIZATION_ENDPOINT: FAPI_AUTHORIZE,
    IDP_TOKEN_ENDPOINT: FAPI_TOKEN,
  }
  const quiet = { logger: captureLogger(), routes: ['authorize', 'callback'] as const }
  const proxy = createProxy({ ...optionsFromEnv(env), ...quiet })
  const target = new URL(
    (await proxy.handle(new Request(authorizeUrl()))).headers.get('location') as string,
  )
  assert.is(target.searchParams.get('acr_values'), 'urn:acr.login.gov:auth-only')
  assert.is(target.searchParams.get('prompt'), 'select_account')
  const explicit = createProxy({
    ...optionsFromEnv({
      ...env,
      AUTHORIZATION_PARAMS: '{"acr_values":"urn:acr.login.gov:verified"}',
    }),
    ...quiet,
  })
  const verified = new URL(
    (await explicit.handle(new Request(authorizeUrl()))).headers.get('location') as string,
  )
  assert.is(verified.searchParams.get('acr_values'), 'urn:acr.login.gov:verified')
  assert.throws(
    () => optionsFromEnv({ ...env, IDP_PROFILE: 'nope' }),
    (error: { problems: { name: string }[] }) => error.problems[0]?.name === 'IDP_PROFILE',
  )
})

test('FAPI options are validated together, each problem named', async () => {
  const k = await keys()
  const { options } = fapiOptions(k)
  const problems = (overrides: Partial<ProxyOptions>) => {
    try {
      createProxy({ ...options, ...overrides } as ProxyOptions)
    } catch (error) {
      return (error as { problems: { name: string }[] }).problems.map((p) => p.name).sort()
    }
    return []
  }
  assert.equal(problems({ par: 'sometimes' as 'auto' }), ['par'])
  assert.equal(problems({ dpopProofLifetimeSeconds: 301 }), ['dpopProofLifetimeSeconds'])
  assert.equal(problems({ contentEncryptionAlgorithms: ['A192GCM' as 'A256GCM'] }), [
    'contentEncryptionAlgorithms',
  ])
  assert.equal(problems({ profile: 'okta-ish' as 'okta' }), ['profile'])
  assert.equal(problems({ accessTokenTtlSeconds: 5 }), ['accessTokenTtlSeconds'])
  // DPoP and PAR need the proxy on the authorization path.
  assert.equal(problems({ pkce: false, par: 'always' }), ['dpop', 'par'])
})

test('no DPoP key, decryption key, handle, IdP token or decrypted claim reaches the log', async () => {
  const ctx = await setup({ atHash: true })
  const secrets: string[] = [
    ctx.k.decryptionJwk.d as string,
    ctx.k.signing.d as string,
    FAPI_USER.email,
    FAPI_USER.name,
  ]
  for (let i = 0; i < 2; i++) {
    const { code } = await signIn(ctx)
    const { body } = await redeem(ctx, code)
    secrets.push(code, body.access_token as string, body.id_token as string)
    await ctx.proxy.handle(userinfoRequest(body.access_token as string))
    await ctx.proxy.handle(userinfoRequest(body.access_token as string)) // used: 401
  }
  for (const par of ctx.fapi.seen.par) {
    secrets.push(par.form.get('state') as string, par.form.get('nonce') as string)
  }
  secrets.push(...ctx.fapi.seen.accessTokens, 'idp-refresh-token')
  for (const call of [...ctx.fapi.seen.par, ...ctx.fapi.seen.token]) {
    secrets.push(call.form.get('client_assertion') as string)
    if (call.dpop) secrets.push(call.dpop)
  }
  const text = ctx.logger.lines.join('\n')
  assert.ok(ctx.logger.lines.length > 5)
  for (const secret of secrets) {
    assert.ok(secret && secret.length > 5, 'a secret to look for')
    assert.not.ok(text.includes(secret), `a secret reached the log: ${secret.slice(0, 8)}…`)
  }
  // The DPoP private keys live in the store only: no `"d":` member anywhere in the log.
  assert.not.match(text, /"d"\s*:/)
  // The at_hash note is there once, naming no token.
  assert.is(ctx.logger.events.filter((event) => event.event === 'id_token_at_hash').length, 1)
})

test.run()
