import { KMSClient } from '@aws-sdk/client-kms'
import { createProxy, SIGNING_ALGORITHMS, type SigningAlgorithm } from '@idp-proxy/core'
import { createStrictIdp, useMsw } from '@idp-proxy/testing'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { derToJose } from '../src/ecdsa-der.js'
import { KmsKeySource } from '../src/kms-key-source.js'
import {
  KMS_KEY_SPECS,
  KMS_SIGNING_ALGORITHMS,
  type KmsKeySpec,
  kmsKeySpecsFor,
} from '../src/kms-specs.js'
import { AWS_TEST_CONFIG } from './helpers/aws.js'
import { type KmsKey, type KmsMock, kmsKey, kmsMock } from './helpers/aws-mocks.js'
import { signAndVerify } from './helpers/keys.js'

const test = suite('KMS key source (msw plays KMS with real local keys)')
const server = useMsw(test)

let client: KMSClient
let rsa: KmsKey
let ec: KmsKey
let encrypt: KmsKey
let mock: KmsMock

test.before(() => {
  client = new KMSClient(AWS_TEST_CONFIG)
  rsa = kmsKey('RSA_2048', 'rsa-key')
  ec = kmsKey('ECC_NIST_P256', 'ec-key')
  encrypt = { ...kmsKey('RSA_2048', 'encrypt-key'), usage: 'ENCRYPT_DECRYPT' }
})
test.after(() => client.destroy())
test.before.each(() => {
  mock = { keys: [rsa, ec, encrypt], calls: { GetPublicKey: 0, Sign: 0 } }
  server.use(kmsMock(mock))
})

for (const [alg, key] of [
  ['RS256', () => rsa],
  ['PS256', () => rsa],
  ['ES256', () => ec],
] as const) {
  test(`${alg}: KMS signatures verify with jose against the GetPublicKey JWK`, async () => {
    const source = new KmsKeySource({
      keyId: key().arn,
      client,
      ...(alg === 'PS256' ? { alg } : {}),
    })
    const signer = await source.signer()
    const jwks = await source.publicJwks()
    assert.is(signer.alg, alg)
    assert.is(jwks.keys[0]?.alg, alg)
    assert.is(jwks.keys[0]?.use, 'sig')
    // Several signatures, so a DER r or s that needs padding or stripping is exercised (ES256).
    for (let i = 0; i < 8; i++) {
      const { protectedHeader } = await signAndVerify(signer, jwks)
      assert.is(protectedHeader.alg, alg)
    }
    assert.is(mock.calls.GetPublicKey, 1)
    assert.is(mock.calls.Sign, 8)
  })
}

test('every algorithm of the table signs with every KMS key spec that can sign it', async () => {
  const keys = (Object.keys(KMS_KEY_SPECS) as KmsKeySpec[]).map((spec) =>
    kmsKey(spec, `all-${spec.toLowerCase()}`),
  )
  mock.keys.push(...keys)
  const seen = new Set<string>()
  for (const alg of SIGNING_ALGORITHMS) {
    const specs = kmsKeySpecsFor(alg)
    assert.ok(specs.length > 0, `${alg} has a KMS key spec`)
    for (const spec of specs) {
      const source = new KmsKeySource({
        keyId: `all-${spec.toLowerCase()}`,
        client,
        ...(spec.startsWith('RSA_') ? { alg } : {}),
      })
      const signer = await source.signer()
      assert.is(signer.alg, alg, spec)
      const jwks = await source.publicJwks()
      for (let i = 0; i < (alg.startsWith('ES') ? 4 : 1); i++) {
        const { protectedHeader } = await signAndVerify(signer, jwks)
        assert.is(protectedHeader.alg, alg, spec)
      }
      seen.add(`${alg}/${spec}`)
    }
  }
  // 6 RSA algorithms x 3 RSA specs, and one curve each for ES256/384/512 and EdDSA.
  assert.is(seen.size, 6 * 3 + 4)
  assert.ok(seen.has('EdDSA/ECC_NIST_EDWARDS25519'))
  assert.ok(seen.has('ES512/ECC_NIST_P521'))
  assert.is(KMS_SIGNING_ALGORITHMS.EdDSA, 'ED25519_SHA_512')
})

test('createProxy signs with KMS (ES512, EdDSA, PS512) and the strict IdP accepts each assertion', async () => {
  const cases: [SigningAlgorithm, KmsKeySpec][] = [
    ['ES512', 'ECC_NIST_P521'],
    ['EdDSA', 'ECC_NIST_EDWARDS25519'],
    ['PS512', 'RSA_3072'],
  ]
  const cognito = 'https://example.auth.us-east-1.amazoncognito.com/oauth2/idpresponse'
  const secret = 'a-shared-secret-of-32-characters-at-least'
  for (const [alg, spec] of cases) {
    mock.keys.push(kmsKey(spec, `proxy-${spec.toLowerCase()}`))
    const keys = new KmsKeySource({
      keyId: `proxy-${spec.toLowerCase()}`,
      client,
      ...(spec.startsWith('RSA_') ? { alg } : {}),
    })
    const idp = createStrictIdp({
      issuer: 'https://idp.example.com',
      clientId: 'client-1',
      jwks: async () => (await keys.publicJwks()) as never,
      algorithms: [alg],
    })
    server.use(...idp.handlers)
    const proxy = createProxy({
      baseUrl: 'https://proxy.example.com',
      clientId: 'client-1',
      clientSecret: secret,
      redirectUris: [cognito],
      idp: { issuer: 'https://idp.example.com' },
      pkce: false,
      keys,
    })
    const { code } = idp.signIn(idp.authorizationUrl({ redirect_uri: cognito, state: 's' }))
    const response = await proxy.handle(
      new Request('https://proxy.example.com/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: cognito,
          client_id: 'client-1',
          client_secret: secret,
        }),
      }),
    )
    assert.is(response.status, 200, `${alg}: ${idp.refusals.join('; ')}`)
    assert.is(idp.assertionHeaders.at(-1)?.alg, alg)
  }
})

test('kid: the RFC 7638 thumbprint by default, KMS_KEY_KID when given', async () => {
  const source = new KmsKeySource({ keyId: 'ec-key', client })
  const [jwk] = (await source.publicJwks()).keys
  const { kid: _kid, alg: _alg, use: _use, ...bare } = jwk as unknown as JWK
  assert.is(jwk?.kid, await calculateJwkThumbprint(bare, 'sha256'))
  assert.equal(Object.keys(jwk ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'])
  const named = new KmsKeySource({ keyId: 'ec-key', client, kid: 'kms-2026' })
  assert.is((await named.signer()).kid, 'kms-2026')
})

test('a key that cannot sign, or an algorithm that does not fit the key, is ERR_INVALID_KEY', async () => {
  const cases = [
    new KmsKeySource({ keyId: encrypt.arn, client }),
    new KmsKeySource({ keyId: ec.arn, client, alg: 'RS256' }),
    new KmsKeySource({ keyId: rsa.arn, client, alg: 'ES256' }),
  ]
  const agreement = kmsKey('ECC_NIST_P256', 'agreement-key', 'KEY_AGREEMENT')
  mock.keys.push(agreement)
  cases.push(
    new KmsKeySource({ keyId: agreement.arn, client }),
    new KmsKeySource({ keyId: ec.arn, client, alg: 'EdDSA' }),
  )
  for (const source of cases) {
    try {
      await source.signer()
      assert.unreachable()
    } catch (error) {
      assert.is((error as { code?: string }).code, 'ERR_INVALID_KEY')
    }
  }
})

test('GetPublicKey failures are retried on the next call; Sign failures are ERR_KEYS_UNAVAILABLE', async () => {
  const source = new KmsKeySource({ keyId: 'later-key', client })
  try {
    await source.signer()
    assert.unreachable()
  } catch (error) {
    assert.is((error as Error).name, 'NotFoundException')
  }
  mock.keys.push({ ...rsa, arn: 'arn:aws:kms:us-east-1:123456789012:key/later-key' })
  const signer = await source.signer()
  mock.failSign = 'KMSInternalException'
  try {
    await signer.sign(new Uint8Array([1, 2, 3]))
    assert.unreachable()
  } catch (error) {
    assert.is((error as { code?: string }).code, 'ERR_KEYS_UNAVAILABLE')
  }
})

test('derToJose: padding, stripped sign bytes, malformed input', () => {
  // r has its high bit set (DER prefixes 0x00); s is short (DER drops leading zeros).
  const r = new Uint8Array(32).fill(0xff)
  const s = new Uint8Array(32)
  s[31] = 0x05
  const der = new Uint8Array([0x30, 0x26, 0x02, 0x21, 0x00, ...r, 0x02, 0x01, 0x05])
  const jose = derToJose(der, 32)
  assert.equal(jose.slice(0, 32), r)
  assert.equal(jose.slice(32), s)
  for (const bad of [
    new Uint8Array([]),
    new Uint8Array([0x31, 0x00]),
    new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01]),
    new Uint8Array([0x30, 0x26, 0x02, 0x22, 0x01, 0x00, ...r, 0x02, 0x01, 0x05]),
  ]) {
    assert.throws(
      () => derToJose(bad, 32),
      (e: { code?: string }) => e.code === 'ERR_KEYS_UNAVAILABLE',
    )
  }
})

test.run()
