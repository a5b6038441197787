/**
 * KMS decryption keys through the KMS stand-in (msw at KMS's HTTPS endpoint, real RSA-OAEP and
 * ECDH with local keys): every JWE jose encrypts to the published `use: "enc"` key decrypts,
 * with exactly one kms:Decrypt or kms:DeriveSharedSecret per JWE, and the private half never
 * leaves the stand-in.
 */
import { KMSClient } from '@aws-sdk/client-kms'
import {
  CONTENT_ENCRYPTION_ALGORITHMS,
  decryptIdToken,
  decryptJwe,
  type EncryptionPublicJwk,
  staticKeySource,
  withDecrypters,
} from '@idp-proxy/core'
import { useMsw } from '@idp-proxy/testing'
import { CompactEncrypt, importJWK, type JWK } from 'jose'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FUNCTION_ACTIONS } from '../src/iam.js'
import {
  KMS_DECRYPTER_ACTIONS,
  KMS_DECRYPTION_KEY_SPECS,
  type KmsDecryptionKeySpec,
  kmsDecrypter,
  kmsDecrypterActionsFor,
  kmsDecryptionKeySpecsFor,
} from '../src/kms-decrypter.js'
import { KmsKeySource } from '../src/kms-key-source.js'
import { AWS_TEST_CONFIG } from './helpers/aws.js'
import { type KmsMock, kmsKey, kmsMock } from './helpers/aws-mocks.js'
import { seedJwk } from './helpers/keys.js'

const test = suite(
  'KMS decrypter (kms:Decrypt, kms:DeriveSharedSecret against a real-crypto stand-in)',
)
const server = useMsw(test)

let client: KMSClient
let mock: KmsMock

test.before(() => {
  client = new KMSClient(AWS_TEST_CONFIG)
})
test.after(() => client.destroy())
test.before.each(() => {
  const keys = (Object.keys(KMS_DECRYPTION_KEY_SPECS) as KmsDecryptionKeySpec[]).map((spec) =>
    kmsKey(spec, `dec-${spec.toLowerCase()}`, KMS_DECRYPTION_KEY_SPECS[spec].keyUsage),
  )
  mock = { keys, calls: { GetPublicKey: 0, Sign: 0, Decrypt: 0, DeriveSharedSecret: 0 } }
  server.use(kmsMock(mock))
})

async function encryptTo(publicJwk: EncryptionPublicJwk, plaintext: string, enc: string) {
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: publicJwk.alg, enc, kid: publicJwk.kid })
    .encrypt(await importJWK(publicJwk as JWK, publicJwk.alg))
}

const INNER = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJl'

test('every KMS spec x its algorithms x every content encryption round-trips', async () => {
  let jwes = 0
  for (const spec of Object.keys(KMS_DECRYPTION_KEY_SPECS) as KmsDecryptionKeySpec[]) {
    const rsa = KMS_DECRYPTION_KEY_SPECS[spec].kty === 'RSA'
    const algs = rsa
      ? (['RSA-OAEP-256'] as const)
      : (['ECDH-ES+A256KW', 'ECDH-ES', 'ECDH-ES+A128KW'] as const)
    for (const alg of algs) {
      assert.ok(kmsDecryptionKeySpecsFor(alg).includes(spec))
      const decrypter = await kmsDecrypter({ keyId: `dec-${spec.toLowerCase()}`, client, alg })
      const publicJwk = decrypter.publicJwk()
      assert.is(publicJwk.use, 'enc')
      assert.is(publicJwk.alg, alg)
      assert.not.ok('d' in publicJwk)
      for (const enc of CONTENT_ENCRYPTION_ALGORITHMS) {
        const jwe = await encryptTo(publicJwk, INNER, enc)
        assert.is(
          await decryptIdToken(jwe, [decrypter], { required: true }),
          INNER,
          `${spec} ${alg} ${enc}`,
        )
        jwes++
      }
    }
  }
  // One KMS operation per JWE: Decrypt for RSA, DeriveSharedSecret for EC.
  assert.is((mock.calls.Decrypt ?? 0) + (mock.calls.DeriveSharedSecret ?? 0), jwes)
  assert.is(mock.calls.Decrypt, 3 * CONTENT_ENCRYPTION_ALGORITHMS.length)
})

test('a JWE for another key fails as a decryption failure, a KMS outage as ERR_KEYS_UNAVAILABLE', async () => {
  const decrypter = await kmsDecrypter({ keyId: 'dec-rsa_2048', client })
  const other = await kmsDecrypter({ keyId: 'dec-rsa_3072', client })
  // Addressed (kid) to our key, but encrypted to the other key's public half.
  const jwe = await encryptTo({ ...other.publicJwk(), kid: decrypter.kid }, INNER, 'A256GCM')
  const wrong = await decryptJwe(jwe, [decrypter]).catch((e: { code?: string }) => e)
  assert.is((wrong as { code?: string }).code, 'ERR_DECRYPTION_FAILED')

  mock.failDecrypt = 'KMSInternalException'
  const good = await encryptTo(decrypter.publicJwk(), INNER, 'A256GCM')
  const down = await decrypter
    .decrypt(good, { alg: 'RSA-OAEP-256', enc: 'A256GCM' }, ['A256GCM'])
    .catch((e: { code?: string }) => e)
  assert.is((down as { code?: string }).code, 'ERR_KEYS_UNAVAILABLE')
  const ec = await kmsDecrypter({ keyId: 'dec-ecc_nist_p256', client })
  const ecJwe = await encryptTo(ec.publicJwk(), INNER, 'A256GCM')
  const ecDown = await ec
    .decrypt(
      ecJwe,
      JSON.parse(Buffer.from(ecJwe.split('.')[0] as string, 'base64url').toString()),
      ['A256GCM'],
    )
    .catch((e: { code?: string }) => e)
  assert.is((ecDown as { code?: string }).code, 'ERR_KEYS_UNAVAILABLE')
})

test('keys that cannot decrypt, and algorithms that do not fit the key, are ERR_INVALID_KEY', async () => {
  mock.keys.push(
    kmsKey('ECC_NIST_P256', 'sign-p256'),
    kmsKey('RSA_2048', 'sign-rsa'),
    kmsKey('ECC_NIST_EDWARDS25519', 'sign-ed'),
  )
  const cases: Parameters<typeof kmsDecrypter>[0][] = [
    { keyId: 'sign-p256', client },
    { keyId: 'sign-rsa', client },
    { keyId: 'sign-ed', client },
    { keyId: 'dec-rsa_2048', client, alg: 'ECDH-ES' },
    { keyId: 'dec-ecc_nist_p384', client, alg: 'RSA-OAEP-256' },
  ]
  for (const options of cases) {
    const error = await kmsDecrypter(options).catch((e: { code?: string }) => e)
    assert.is((error as { code?: string }).code, 'ERR_INVALID_KEY', options.keyId)
  }
})

test('KmsKeySource with decryption keys, and withDecrypters over a static signing key', async () => {
  const signing = kmsKey('ECC_NIST_P256', 'signing-key')
  mock.keys.push(signing)
  const source = new KmsKeySource({
    keyId: 'signing-key',
    client,
    decryptionKeys: [{ keyId: 'dec-ecc_nist_p256', kid: 'enc-1' }, { keyId: 'dec-rsa_2048' }],
  })
  const jwks = await source.publicJwks()
  assert.equal(
    jwks.keys.map((key) => [key.use, key.alg]),
    [
      ['sig', 'ES256'],
      ['enc', 'ECDH-ES+A256KW'],
      ['enc', 'RSA-OAEP-256'],
    ],
  )
  assert.is(jwks.keys[1]?.kid, 'enc-1')
  const decrypters = await source.decrypters()
  for (const published of jwks.keys.filter((key) => key.use === 'enc')) {
    const jwe = await encryptTo(published as EncryptionPublicJwk, INNER, 'A256CBC-HS512')
    assert.is(await decryptJwe(jwe, decrypters), INNER)
  }
  const calls = mock.calls.GetPublicKey
  await source.publicJwks()
  await source.decrypters()
  assert.is(mock.calls.GetPublicKey, calls, 'public keys are read once')

  const combined = withDecrypters(staticKeySource(await seedJwk('static-sig')), async () => [
    await kmsDecrypter({ keyId: 'dec-ecc_nist_p521', client }),
  ])
  const combinedJwks = await combined.publicJwks()
  assert.equal(
    combinedJwks.keys.map((key) => key.use),
    ['sig', 'enc'],
  )
  const jwe = await encryptTo(combinedJwks.keys[1] as EncryptionPublicJwk, INNER, 'A256GCM')
  assert.is(await decryptJwe(jwe, (await combined.decrypters?.()) ?? []), INNER)
})

test('IAM: each kind of key needs GetPublicKey and its one operation; only /token decrypts', () => {
  assert.equal(kmsDecrypterActionsFor('RSA_4096'), ['kms:GetPublicKey', 'kms:Decrypt'])
  assert.equal(kmsDecrypterActionsFor('ECC_NIST_P384'), [
    'kms:GetPublicKey',
    'kms:DeriveSharedSecret',
  ])
  assert.equal(FUNCTION_ACTIONS.token.kmsDecryptionKey.rsa, [...KMS_DECRYPTER_ACTIONS.rsa])
  assert.equal(FUNCTION_ACTIONS.token.kmsDecryptionKey.ec, [...KMS_DECRYPTER_ACTIONS.ec])
  for (const fn of ['authorize', 'callback'] as const) {
    const { rsa, ec } = FUNCTION_ACTIONS[fn].kmsDecryptionKey
    assert.equal([...rsa, ...ec], [])
  }
})

test.run()
