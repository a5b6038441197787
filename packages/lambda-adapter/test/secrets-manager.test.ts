import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { decryptJwe } from '@idp-proxy/core'
import { useMsw } from '@idp-proxy/testing'
import { CompactEncrypt, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { SecretsManagerKeySource, secretStringSource } from '../src/secrets-manager.js'
import { AWS_TEST_CONFIG } from './helpers/aws.js'
import { type SecretsMock, secretsManagerMock } from './helpers/aws-mocks.js'
import { memoryLogger, seedJwk, signAndVerify } from './helpers/keys.js'

const test = suite('Secrets Manager key source and client secret (msw at the HTTPS boundary)')
const server = useMsw(test)

const KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:idp-proxy/private-key-AbCdEf'
const SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:idp-proxy/client-secret-GhIjKl'
let client: SecretsManagerClient
let seed: JWK
let mock: SecretsMock

test.before(async () => {
  client = new SecretsManagerClient(AWS_TEST_CONFIG)
  seed = await seedJwk('seed-key-1')
})
test.after(() => client.destroy())
test.before.each(() => {
  mock = {
    calls: new Map(),
    secrets: new Map([[KEY_ARN, { value: JSON.stringify(seed), versionId: 'v1' }]]),
  }
  server.use(secretsManagerMock(mock))
})

function clock(start = 1_800_000_000_000) {
  const c = { t: start, now: () => c.t }
  return c
}

test('the seed key format signs; one fetch serves many signatures', async () => {
  const source = new SecretsManagerKeySource({ secretId: KEY_ARN, client, ttlSeconds: 300 })
  const signers = await Promise.all(Array.from({ length: 20 }, () => source.signer()))
  const jwks = await source.publicJwks()
  for (const signer of signers.slice(0, 5)) {
    const { protectedHeader } = await signAndVerify(signer, jwks)
    assert.is(protectedHeader.kid, 'seed-key-1')
    assert.is(protectedHeader.alg, 'RS256')
  }
  assert.is(mock.calls.get(KEY_ARN), 1)
  assert.not.ok(JSON.stringify(jwks).includes('"d"'))
})

test('after the TTL the secret is read again; the same version keeps the imported key', async () => {
  const c = clock()
  const source = new SecretsManagerKeySource({
    secretId: KEY_ARN,
    client,
    ttlSeconds: 60,
    now: c.now,
  })
  const first = await source.signer()
  c.t += 59_000
  assert.is(await source.signer(), first)
  assert.is(mock.calls.get(KEY_ARN), 1)
  c.t += 2_000
  assert.is(await source.signer(), first)
  assert.is(mock.calls.get(KEY_ARN), 2)
})

test('rotation: a new secret version (a JWKS with active_kid) is picked up at refresh', async () => {
  const c = clock()
  const source = new SecretsManagerKeySource({
    secretId: KEY_ARN,
    client,
    ttlSeconds: 60,
    now: c.now,
  })
  assert.is((await source.signer()).kid, 'seed-key-1')
  const next = await seedJwk('key-2')
  mock.secrets.set(KEY_ARN, {
    value: JSON.stringify({ keys: [seed, next], active_kid: 'key-2' }),
    versionId: 'v2',
  })
  c.t += 61_000
  const signer = await source.signer()
  const jwks = await source.publicJwks()
  assert.is(signer.kid, 'key-2')
  assert.equal(
    jwks.keys.map((k) => k.kid),
    ['seed-key-1', 'key-2'],
  )
  await signAndVerify(signer, jwks)
})

test('stale-if-error: a failed refresh keeps the cached key and logs a warning without secrets', async () => {
  const c = clock()
  const { logger, lines } = memoryLogger()
  const source = new SecretsManagerKeySource({
    secretId: KEY_ARN,
    client,
    ttlSeconds: 60,
    now: c.now,
    logger,
  })
  const first = await source.signer()
  mock.secrets.set(KEY_ARN, { error: 'InternalServiceError', status: 500 })
  c.t += 61_000
  assert.is(await source.signer(), first)
  assert.is(mock.calls.get(KEY_ARN), 2)
  assert.is(lines.length, 1)
  assert.is(lines[0]?.level, 'warn')
  assert.is(lines[0]?.event, 'cached_value_refresh_failed')
  assert.is(lines[0]?.fields.name, KEY_ARN)
  assert.match(String(lines[0]?.fields.cause), 'InternalServiceError')
  assert.not.ok(JSON.stringify(lines).includes(String(seed.d)))
  // Within the back-off the failing service is not asked again.
  c.t += 10_000
  await source.signer()
  assert.is(mock.calls.get(KEY_ARN), 2)
  // A malformed new version is a failed refresh too: the good key stays.
  mock.secrets.set(KEY_ARN, { value: '{"kty":"RSA"', versionId: 'v3' })
  c.t += 60_000
  assert.is(await source.signer(), first)
  assert.is(lines.length, 2)
})

test('cold failure throws (the proxy answers 503) and the next call tries again', async () => {
  mock.secrets.set(KEY_ARN, { error: 'ThrottlingException', status: 400 })
  const source = new SecretsManagerKeySource({ secretId: KEY_ARN, client })
  try {
    await source.signer()
    assert.unreachable()
  } catch (error) {
    assert.is((error as Error).name, 'ThrottlingException')
  }
  mock.secrets.set(KEY_ARN, { value: JSON.stringify(seed), versionId: 'v1' })
  assert.is((await source.signer()).kid, 'seed-key-1')
  assert.is(mock.calls.get(KEY_ARN), 2)
})

test('malformed secrets are clear ERR_INVALID_KEY errors that name the problem', async () => {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicOnly } = seed
  const cases: [string, RegExp][] = [
    ['not json', /not valid JSON/],
    [JSON.stringify(publicOnly), /public key/],
    [JSON.stringify({ ...seed, kid: undefined }), /no "kid"/],
    [JSON.stringify({ ...seed, alg: 'HS256' }), /unsupported algorithm/],
  ]
  for (const [value, message] of cases) {
    mock.secrets.set(KEY_ARN, { value, versionId: 'bad' })
    const source = new SecretsManagerKeySource({ secretId: KEY_ARN, client })
    try {
      await source.signer()
      assert.unreachable()
    } catch (error) {
      const e = error as { code?: string; message: string }
      assert.is(e.code, 'ERR_INVALID_KEY')
      assert.match(e.message, message)
      assert.match(e.message, KEY_ARN)
      assert.not.ok(e.message.includes(String(seed.d)))
    }
  }
})

test('a missing secret is ResourceNotFoundException', async () => {
  const source = new SecretsManagerKeySource({ secretId: 'no-such-secret', client })
  try {
    await source.publicJwks()
    assert.unreachable()
  } catch (error) {
    assert.is((error as Error).name, 'ResourceNotFoundException')
  }
})

async function encryptionJwk(alg: string, kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'enc' }
}

test('encryption keys in the same secret: published with use "enc", decrypting, cached, kept on a failed refresh', async () => {
  const c = clock()
  const { logger, lines } = memoryLogger()
  const ec = await encryptionJwk('ECDH-ES+A256KW', 'enc-ec')
  const rsa = await encryptionJwk('RSA-OAEP-256', 'enc-rsa')
  mock.secrets.set(KEY_ARN, {
    value: JSON.stringify({
      keys: [seed, rsa, ec],
      active_kid: 'seed-key-1',
      active_enc_kid: 'enc-ec',
    }),
    versionId: 'v1',
  })
  const source = new SecretsManagerKeySource({
    secretId: KEY_ARN,
    client,
    ttlSeconds: 60,
    now: c.now,
    logger,
  })
  const jwks = await source.publicJwks()
  assert.equal(
    jwks.keys.map((key) => [key.kid, key.use]),
    [
      ['seed-key-1', 'sig'],
      ['enc-ec', 'enc'],
      ['enc-rsa', 'enc'],
    ],
  )
  for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
    assert.not.ok(JSON.stringify(jwks).includes(`"${member}"`), member)
  }
  const decrypters = await source.decrypters()
  async function roundTrip(kid: string) {
    const published = jwks.keys.find((key) => key.kid === kid) as JWK
    const jwe = await new CompactEncrypt(new TextEncoder().encode('a.b.c'))
      .setProtectedHeader({ alg: published.alg as string, enc: 'A256GCM', kid })
      .encrypt(await importJWK(published, published.alg))
    return decryptJwe(jwe, await source.decrypters())
  }
  assert.is(await roundTrip('enc-ec'), 'a.b.c')
  assert.is(await roundTrip('enc-rsa'), 'a.b.c')
  assert.is(await source.decrypters(), decrypters, 'imported once per version')
  assert.is(mock.calls.get(KEY_ARN), 1, 'one read serves signer, JWKS and decrypters')
  // A failed refresh keeps the decrypters it had.
  mock.secrets.set(KEY_ARN, { error: 'InternalServiceError', status: 500 })
  c.t += 61_000
  assert.is(await source.decrypters(), decrypters)
  assert.is(await roundTrip('enc-rsa'), 'a.b.c')
  assert.is(lines.length, 1)
  for (const key of [ec, rsa]) assert.not.ok(JSON.stringify(lines).includes(String(key.d)))
  // The seed's single JWK has no encryption keys.
  mock.secrets.set(KEY_ARN, { value: JSON.stringify(seed), versionId: 'v9' })
  const plain = new SecretsManagerKeySource({ secretId: KEY_ARN, client })
  assert.equal(await plain.decrypters(), [])
})

test('client secret: read once, cached, stale-if-error; too short is refused', async () => {
  const c = clock()
  const { logger, lines } = memoryLogger()
  mock.secrets.set(SECRET_ARN, { value: 'a-shared-secret-of-32-characters', versionId: 'v1' })
  const secret = secretStringSource({
    secretId: SECRET_ARN,
    client,
    ttlSeconds: 60,
    now: c.now,
    logger,
  })
  assert.is(await secret(), 'a-shared-secret-of-32-characters')
  assert.is(await secret(), 'a-shared-secret-of-32-characters')
  assert.is(mock.calls.get(SECRET_ARN), 1)
  mock.secrets.set(SECRET_ARN, { error: 'InternalServiceError' })
  c.t += 61_000
  assert.is(await secret(), 'a-shared-secret-of-32-characters')
  assert.is(lines[0]?.event, 'cached_value_refresh_failed')
  assert.not.ok(JSON.stringify(lines).includes('a-shared-secret'))

  mock.secrets.set(SECRET_ARN, { value: 'short', versionId: 'v2' })
  const fresh = secretStringSource({ secretId: SECRET_ARN, client })
  try {
    await fresh()
    assert.unreachable()
  } catch (error) {
    assert.is((error as { code?: string }).code, 'ERR_INVALID_OPTION')
    assert.is((error as { option?: string }).option, 'secretId')
  }
})

test.run()
