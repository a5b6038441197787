import { createHash, generateKeyPairSync } from 'node:crypto'
import { compactVerify, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  importSigner,
  isProxyError,
  keySourceFromSet,
  type PublicJwk,
  parsePrivateKeySet,
  signClientAssertion,
  staticKeySource,
} from '../src/index.js'

function refusal(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    assert.ok(isProxyError(error))
    assert.is((error as { code: string }).code, 'ERR_INVALID_KEY')
    return (error as Error).message
  }
  throw new Error('expected a refusal')
}

async function rsaJwk(kid?: string) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  return { ...(await exportJWK(privateKey)), ...(kid ? { kid } : {}) }
}

test("the seed's secret format works unchanged (one private RSA JWK with kid, no alg)", async () => {
  // What the seed's generate-keys.py writes: an RSA-4096 JWK with kid and no alg.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 })
  const seed = {
    ...(privateKey.export({ format: 'jwk' }) as Record<string, string>),
    kid: '5e5354ac-0d7c-4f4c-9c9b-1d9e9f2f8b11',
  }
  const source = staticKeySource(JSON.stringify(seed))
  const signer = await source.signer()
  assert.is(signer.alg, 'RS256')
  assert.is(signer.kid, seed.kid)
  const jws = await signClientAssertion(signer, {
    clientId: 'c',
    audience: 'https://idp/token',
    lifetimeSeconds: 60,
    now: Date.now(),
  })
  const { payload, protectedHeader } = await jwtVerify(
    jws,
    createLocalJWKSet((await source.publicJwks()) as never),
    {
      issuer: 'c',
      subject: 'c',
      audience: 'https://idp/token',
    },
  )
  assert.is(protectedHeader.kid, seed.kid)
  assert.is((payload.exp as number) - (payload.iat as number), 60)
  assert.type(payload.jti, 'string')
})

test('RS256, PS256 and ES256 assertions verify with jose; every jti is fresh', async () => {
  for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'PS384', 'RS512'] as const) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
    const signer = await importSigner({ ...(await exportJWK(privateKey)), kid: 'k', alg } as never)
    const claims = {
      clientId: 'client',
      audience: 'https://idp.example.com',
      lifetimeSeconds: 60,
      now: Date.now(),
    }
    const a = await signClientAssertion(signer, claims)
    const b = await signClientAssertion(signer, claims)
    const verified = await compactVerify(a, publicKey)
    assert.is(verified.protectedHeader.alg, alg)
    const jtiA = JSON.parse(new TextDecoder().decode(verified.payload)).jti
    const jtiB = JSON.parse(
      new TextDecoder().decode((await compactVerify(b, publicKey)).payload),
    ).jti
    assert.is.not(jtiA, jtiB)
  }
})

test('a JWKS with active_kid signs with that key and publishes all', async () => {
  const set = parsePrivateKeySet({
    keys: [await rsaJwk('old'), await rsaJwk('new')],
    active_kid: 'new',
  })
  const source = keySourceFromSet(set)
  assert.is((await source.signer()).kid, 'new')
  assert.equal(
    (await source.publicJwks()).keys.map((k) => k.kid),
    ['old', 'new'],
  )
  assert.is(parsePrivateKeySet({ keys: set.keys }).activeKid, 'old', 'default: the first key')
})

test('x5t#S256 on the JWK goes into the assertion header (Microsoft Entra ID)', async () => {
  const thumb = createHash('sha256').update('certificate').digest('base64url')
  const source = staticKeySource({ ...(await rsaJwk('k')), alg: 'PS256', 'x5t#S256': thumb })
  const jws = await signClientAssertion(await source.signer(), {
    clientId: 'c',
    audience: 'a',
    lifetimeSeconds: 60,
    now: Date.now(),
  })
  const header = JSON.parse(Buffer.from(jws.split('.')[0] as string, 'base64url').toString())
  assert.is(header['x5t#S256'], thumb)
  assert.is(header.alg, 'PS256')
  assert.is(((await source.publicJwks()).keys[0] as PublicJwk | undefined)?.['x5t#S256'], thumb)
})

test('refusals say which problem: public-only, missing kid, unknown algorithm, and more', async () => {
  const jwk = await rsaJwk('k1')
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicOnly } = jwk
  assert.match(
    refusal(() => parsePrivateKeySet(publicOnly)),
    /public key/,
  )
  const { kid: _kid, ...noKid } = jwk
  assert.match(
    refusal(() => parsePrivateKeySet(noKid)),
    /no "kid"/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ ...jwk, alg: 'HS256' })),
    /unsupported algorithm "HS256"/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ ...jwk, alg: 'ES256' })),
    /RSA key but its algorithm is ES256/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ kty: 'oct', k: 'abc', kid: 'x' })),
    /kty "oct"/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet('{not json')),
    /not valid JSON/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [] })),
    /no keys/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [jwk, jwk] })),
    /share the kid/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [jwk], active_kid: 'nope' })),
    /active kid "nope"/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ ...jwk, use: 'enc' })),
    /only encryption keys/,
  )
  // Messages never carry key material.
  for (const message of [
    refusal(() => parsePrivateKeySet(publicOnly)),
    refusal(() => parsePrivateKeySet(noKid)),
  ]) {
    assert.not.ok(message.includes(jwk.n as string))
  }
})

test('EC keys: the curve settles the algorithm', async () => {
  const { privateKey } = await generateKeyPair('ES384', { extractable: true })
  const set = parsePrivateKeySet({ ...(await exportJWK(privateKey)), kid: 'ec' })
  assert.is(set.keys[0]?.alg, 'ES384')
  assert.is(
    parsePrivateKeySet({ ...(await exportJWK(privateKey)), kid: 'ec' }, { defaultAlg: 'PS256' })
      .keys[0]?.alg,
    'ES384',
  )
})

test.run()
