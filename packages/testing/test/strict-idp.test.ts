/**
 * The strict IdP refuses what a strict IdP refuses: a client built here with jose signs the
 * assertions, so each refusal is reached on purpose (the packages' flow tests cover the happy paths
 * through the real proxy).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  jwtVerify,
  SignJWT,
} from 'jose'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createStrictIdp, mswServer, type StrictIdp } from '../src/index.js'

const ISSUER = 'https://idp.example.test'
const CLIENT_ID = 'client-1'
const REDIRECT = 'https://proxy.example.test/callback'

const { privateKey, publicKey } = await generateKeyPair('ES256')
const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] }

interface AssertionOverrides {
  aud?: string
  jti?: string
  lifetime?: number
  kid?: string | null
}

function assertion(idp: StrictIdp, overrides: AssertionOverrides = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const header =
    overrides.kid === null ? { alg: 'ES256' } : { alg: 'ES256', kid: overrides.kid ?? 'k1' }
  return new SignJWT({})
    .setProtectedHeader(header)
    .setIssuer(CLIENT_ID)
    .setSubject(CLIENT_ID)
    .setAudience(overrides.aud ?? idp.tokenEndpoint)
    .setJti(overrides.jti ?? randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + (overrides.lifetime ?? 60))
    .sign(privateKey)
}

async function exchange(
  idp: StrictIdp,
  fields: Record<string, string>,
  overrides: AssertionOverrides = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(idp.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(idp, overrides),
      ...fields,
    }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

function setup(options: { requirePkce?: boolean } = {}) {
  const idp = createStrictIdp({
    issuer: ISSUER,
    clientId: CLIENT_ID,
    jwks: async () => jwks,
    ...options,
  })
  mswServer(...idp.handlers)
  return idp
}

function pkcePair() {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

test('a good exchange: one-time code, recorded request, header and tokens', async () => {
  const idp = setup()
  const { code, callbackUrl } = idp.signIn(
    idp.authorizationUrl({ redirect_uri: REDIRECT, state: 's' }),
  )
  assert.is(callbackUrl, `${REDIRECT}?code=${code}&state=s`)
  const ok = await exchange(idp, { code })
  assert.is(ok.status, 200, JSON.stringify(ok.body))
  assert.equal(ok.body, idp.exchanges[0]?.tokens)
  assert.is(idp.exchanges[0]?.pkce, false)
  assert.is(idp.assertionHeaders[0]?.kid, 'k1')
  assert.is(idp.tokenRequests[0]?.get('code'), code)
  assert.equal(idp.refusals, [])

  const again = await exchange(idp, { code })
  assert.equal([again.status, again.body.error], [400, 'invalid_grant'])
  assert.equal(idp.refusals, ['invalid_grant: unknown or used code'])
})

test('id_tokens are signed with the published key and carry the request nonce', async () => {
  const idp = setup()
  const { code } = idp.signIn(
    idp.authorizationUrl({ redirect_uri: REDIRECT, state: 's', nonce: 'n-0123456789abcdefghij' }),
  )
  const ok = await exchange(idp, { code })
  const published = (await (await fetch(`${ISSUER}/jwks`)).json()) as JSONWebKeySet
  const { payload, protectedHeader } = await jwtVerify(
    String(ok.body.id_token),
    createLocalJWKSet(published),
    { issuer: ISSUER, audience: CLIENT_ID },
  )
  assert.is(payload.nonce, 'n-0123456789abcdefghij')
  assert.is(protectedHeader.kid, idp.jwks.keys[0]?.kid)
  assert.is(idp.jwksCount, 1)

  // Spoilt on request: a wrong signature under the published kid, then a rotated key.
  idp.tamperNextIdToken({ wrongSignature: true })
  const spoilt = await exchange(idp, {
    code: idp.signIn(idp.authorizationUrl({ redirect_uri: REDIRECT, state: 's' })).code,
  })
  try {
    await jwtVerify(String(spoilt.body.id_token), createLocalJWKSet(published))
    assert.unreachable('the signature must not verify')
  } catch (error) {
    assert.is((error as Error).name, 'JWSSignatureVerificationFailed')
  }
  const before = idp.jwks.keys[0]?.kid
  idp.rotateSigningKey()
  assert.is.not(idp.jwks.keys[0]?.kid, before)
})

test('client assertion refusals: audience, replayed jti, lifetime, kid, client_secret', async () => {
  const idp = setup()
  const signIn = () => idp.signIn(idp.authorizationUrl({ redirect_uri: REDIRECT, state: 's' })).code
  const cases: [Record<string, string>, AssertionOverrides, number, string][] = [
    [{}, { aud: ISSUER }, 401, 'invalid_client'],
    [{}, { lifetime: 300 }, 401, 'invalid_client'],
    [{}, { kid: null }, 401, 'invalid_client'],
    [{ client_secret: 'secret' }, {}, 400, 'invalid_request'],
    [{ client_assertion_type: 'other' }, {}, 401, 'invalid_client'],
  ]
  for (const [fields, overrides, status, error] of cases) {
    const result = await exchange(idp, { code: signIn(), ...fields }, overrides)
    assert.equal([result.status, result.body.error], [status, error], JSON.stringify(overrides))
  }
  const jti = randomUUID()
  assert.is((await exchange(idp, { code: signIn() }, { jti })).status, 200)
  const replay = await exchange(idp, { code: signIn() }, { jti })
  assert.equal(replay.body, { error: 'invalid_client', error_description: 'jti reused' })
  assert.is(idp.exchanges.length, 1)
})

test('PKCE and redirect_uri: the verifier must match, and be absent without a challenge', async () => {
  const idp = setup()
  const { verifier, challenge } = pkcePair()
  const withChallenge = () =>
    idp.signIn(
      idp.authorizationUrl({
        redirect_uri: REDIRECT,
        state: 's',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    ).code
  assert.is((await exchange(idp, { code: withChallenge() })).body.error, 'invalid_grant')
  const wrong = await exchange(idp, { code: withChallenge(), code_verifier: pkcePair().verifier })
  assert.is(wrong.body.error_description, 'PKCE verification failed')
  const moved = await exchange(idp, {
    code: withChallenge(),
    code_verifier: verifier,
    redirect_uri: 'https://elsewhere.example.test/cb',
  })
  assert.is(moved.body.error_description, 'redirect_uri mismatch')
  assert.is((await exchange(idp, { code: withChallenge(), code_verifier: verifier })).status, 200)
  assert.is(idp.exchanges[0]?.pkce, true)

  const plain = idp.signIn(idp.authorizationUrl({ redirect_uri: REDIRECT, state: 's' })).code
  const unexpected = await exchange(idp, { code: plain, code_verifier: verifier })
  assert.is(unexpected.body.error, 'invalid_request')
})

test('requirePkce refuses a sign-in without an S256 challenge', () => {
  const idp = setup({ requirePkce: true })
  assert.throws(
    () => idp.signIn(idp.authorizationUrl({ redirect_uri: REDIRECT, state: 's' })),
    /PKCE S256 required/,
  )
  assert.throws(() => idp.signIn(`${ISSUER}/elsewhere?client_id=${CLIENT_ID}`), /not the IdP/)
})

test('listen(): an IdP without an issuer serves discovery and tokens on loopback', async () => {
  const idp = createStrictIdp({ clientId: CLIENT_ID, jwks: async () => jwks, issParameter: true })
  assert.throws(() => idp.issuer, /listen\(\)/)
  const server = await idp.listen()
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.is(idp.issuer, server.url)
    const discovery = await fetch(`${server.url}/.well-known/openid-configuration`)
    const metadata = (await discovery.json()) as Record<string, unknown>
    assert.is(metadata.token_endpoint, `${server.url}/oauth2/token`)
    assert.is(metadata.authorization_response_iss_parameter_supported, true)
    assert.is(idp.discoveryCount, 1)
    const { code, callbackUrl } = idp.signIn(
      idp.authorizationUrl({ redirect_uri: REDIRECT, state: 's' }),
    )
    assert.is(new URL(callbackUrl).searchParams.get('iss'), server.url)
    assert.is((await exchange(idp, { code })).status, 200)
    assert.is((await fetch(`${server.url}/nowhere`)).status, 404)
  } finally {
    await server.close()
  }
})

test('holdNextToken() holds one token request until released', async () => {
  const idp = setup()
  const { code } = idp.signIn(idp.authorizationUrl({ redirect_uri: REDIRECT, state: 's' }))
  const hold = idp.holdNextToken()
  const pending = exchange(idp, { code })
  await hold.reached
  assert.is(idp.tokenRequests.length, 0)
  hold.release()
  assert.is((await pending).status, 200)
})

test.run()
