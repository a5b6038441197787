/**
 * Every signing algorithm of the one table (SIGNING_ALGORITHMS) through the static key source,
 * and encryption keys (`use: "enc"`) beside signing keys: published with `use: "enc"`, each
 * decrypting what jose encrypts to its public half.
 */
import { generateKeyPairSync } from 'node:crypto'
import {
  CompactEncrypt,
  compactVerify,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
} from 'jose'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  decryptJwe,
  hasPrivateMembers,
  isProxyError,
  KEY_MANAGEMENT_ALGORITHMS,
  parseAnyKeySet,
  parsePrivateKeySet,
  SIGNING_ALGORITHMS,
  SIGNING_CURVES,
  type SigningAlgorithm,
  signClientAssertion,
  staticKeySource,
} from '../src/index.js'
import {
  BASE_URL,
  cognitoTokenFields,
  createProxy,
  mockIdp,
  proxyOptions,
  signInAt,
  TOKEN_ENDPOINT,
  tokenRequest,
} from './support/fixtures.js'

async function signingJwk(alg: SigningAlgorithm, kid = `sig-${alg}`): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return { ...(await exportJWK(privateKey)), kid, alg }
}

async function encryptionJwk(alg: string, crv?: string, kid = `enc-${alg}-${crv ?? 'rsa'}`) {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(crv ? { crv } : {}),
  })
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'enc' }
}

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

test('the table holds RS*, PS*, ES256/384/512 and EdDSA; each curve signs its one algorithm', () => {
  assert.equal(
    [...SIGNING_ALGORITHMS].sort(),
    [
      'EdDSA',
      'ES256',
      'ES384',
      'ES512',
      'PS256',
      'PS384',
      'PS512',
      'RS256',
      'RS384',
      'RS512',
    ].sort(),
  )
  assert.equal(Object.fromEntries(Object.entries(SIGNING_CURVES).map(([crv, c]) => [crv, c.alg])), {
    'P-256': 'ES256',
    'P-384': 'ES384',
    'P-521': 'ES512',
    Ed25519: 'EdDSA',
  })
})

test('an assertion signed with each algorithm verifies against the published JWK', async () => {
  for (const alg of SIGNING_ALGORITHMS) {
    const jwk = await signingJwk(alg)
    // No alg on EC/OKP keys: the curve settles it (ES512 for P-521, EdDSA for Ed25519).
    const given = jwk.kty === 'RSA' ? jwk : { ...jwk, alg: undefined }
    const source = staticKeySource(given)
    const signer = await source.signer()
    assert.is(signer.alg, alg)
    const jws = await signClientAssertion(signer, {
      clientId: 'c',
      audience: 'https://idp/token',
      lifetimeSeconds: 60,
      now: Date.now(),
    })
    const jwks = await source.publicJwks()
    assert.is(jwks.keys[0]?.use, 'sig')
    assert.is(jwks.keys[0]?.alg, alg)
    assert.not.ok(hasPrivateMembers(jwks.keys[0] as never), `${alg}: no private member published`)
    const { protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks as never))
    assert.is(protectedHeader.alg, alg)
    if (alg === 'ES512') assert.is(jws.split('.')[2]?.length, 176, 'P-521: 2 x 66 bytes')
  }
})

test('createProxy signs with each algorithm and the strict IdP accepts the assertion', async () => {
  for (const alg of SIGNING_ALGORITHMS) {
    const jwk = await signingJwk(alg)
    const keys = staticKeySource(jwk)
    const idp = mockIdp(keys, { algorithms: [alg] })
    const proxy = createProxy(proxyOptions(jwk, { keys }))
    const { code } = await signInAt(proxy, idp)
    const response = await proxy.handle(tokenRequest(cognitoTokenFields(code)))
    assert.is(response.status, 200, `${alg}: ${idp.refusals.join('; ')}`)
    assert.is(idp.assertionHeaders.at(-1)?.alg, alg)
    assert.is(idp.tokenRequests.length, 1)
    assert.ok(TOKEN_ENDPOINT)
  }
})

test('EC/OKP curve and algorithm mismatches are refused, naming the curve', async () => {
  const p521 = await signingJwk('ES512')
  assert.match(
    refusal(() => parsePrivateKeySet({ ...p521, alg: 'ES256' })),
    /P-521, which signs ES512, not ES256/,
  )
  const ed = await signingJwk('EdDSA')
  assert.match(
    refusal(() => parsePrivateKeySet({ ...ed, alg: 'ES256' })),
    /Ed25519, which signs EdDSA/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ ...ed, crv: 'X25519' })),
    /unsupported curve "X25519"/,
  )
  // An OKP key claiming a NIST curve, and an EC key claiming Ed25519, are refused.
  assert.match(
    refusal(() => parsePrivateKeySet({ ...ed, crv: 'P-256' })),
    /unsupported curve/,
  )
})

const ENCRYPTION_CASES = [
  ['ECDH-ES+A256KW', 'P-256'],
  ['ECDH-ES+A256KW', 'P-384'],
  ['ECDH-ES+A256KW', 'P-521'],
  ['ECDH-ES', 'P-256'],
  ['ECDH-ES+A128KW', 'P-256'],
  ['RSA-OAEP-256', undefined],
] as const

test('encryption keys beside a signing key: published with use "enc", every one decrypts', async () => {
  const sig = await signingJwk('ES256')
  const encs = await Promise.all(ENCRYPTION_CASES.map(([alg, crv]) => encryptionJwk(alg, crv)))
  const active = encs[1] as JWK
  const source = staticKeySource({
    keys: [sig, ...encs],
    active_enc_kid: active.kid,
  })
  const jwks = await source.publicJwks()
  assert.equal(
    jwks.keys.map((key) => [key.kid, key.use]),
    [
      [sig.kid, 'sig'],
      [active.kid, 'enc'],
      ...encs.filter((key) => key !== active).map((key) => [key.kid, 'enc']),
    ],
    'signing keys first, then the active encryption key, then the others',
  )
  for (const key of jwks.keys) assert.not.ok(hasPrivateMembers(key as never), key.kid)
  const decrypters = (await source.decrypters?.()) ?? []
  assert.is(decrypters.length, encs.length)
  assert.is(decrypters[0]?.kid, active.kid)
  for (const enc of ['A256GCM', 'A256CBC-HS512']) {
    for (const published of jwks.keys.filter((key) => key.use === 'enc')) {
      const jwe = await new CompactEncrypt(new TextEncoder().encode('a.b.c'))
        .setProtectedHeader({ alg: published.alg, enc, kid: published.kid })
        .encrypt(await importJWK(published as JWK, published.alg))
      assert.is(await decryptJwe(jwe, decrypters), 'a.b.c', `${published.kid} ${enc}`)
    }
  }
  // The signing key still signs, and never decrypts.
  assert.is((await source.signer()).kid, sig.kid)
  assert.not.ok(decrypters.some((d) => d.kid === sig.kid))
})

test('the JWKS route serves signing and encryption public keys, nothing private', async () => {
  const sig = await signingJwk('EdDSA')
  const enc = await encryptionJwk('ECDH-ES+A256KW', 'P-384')
  const keys = staticKeySource({ keys: [sig, enc] })
  const proxy = createProxy(proxyOptions(sig, { keys }))
  const response = await proxy.handle(new Request(`${BASE_URL}/.well-known/jwks.json`))
  assert.is(response.status, 200)
  const body = (await response.json()) as { keys: Record<string, unknown>[] }
  assert.equal(
    body.keys.map((key) => [key.kid, key.use, key.alg, key.crv]),
    [
      [sig.kid, 'sig', 'EdDSA', 'Ed25519'],
      [enc.kid, 'enc', 'ECDH-ES+A256KW', 'P-384'],
    ],
  )
  for (const key of body.keys) assert.not.ok(hasPrivateMembers(key), String(key.kid))
})

test('a signing key alone has no decrypters; encryption keys alone do not make a key source', async () => {
  const sig = await signingJwk('RS256')
  assert.equal(await staticKeySource(sig).decrypters?.(), [])
  const enc = await encryptionJwk('ECDH-ES+A256KW', 'P-256')
  assert.match(
    refusal(() => staticKeySource(enc)),
    /only encryption keys/,
  )
  const any = parseAnyKeySet(enc)
  assert.is(any.activeKid, undefined)
  assert.is(any.activeEncryptionKid, enc.kid)
  assert.is(any.encryptionKeys[0]?.alg, 'ECDH-ES+A256KW')
})

test('encryption key refusals: curve, size, algorithm, use, active kids', async () => {
  const sig = await signingJwk('RS256')
  const ec = await encryptionJwk('ECDH-ES+A256KW', 'P-256')
  const rsa = await encryptionJwk('RSA-OAEP-256')
  const ed = await signingJwk('EdDSA')
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [sig, { ...ed, use: 'enc', alg: 'ECDH-ES' }] })),
    /only RSA and EC keys can decrypt/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [sig, { ...ec, alg: 'RSA-OAEP-256' }] })),
    /EC key; it cannot decrypt RSA-OAEP-256/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [sig, { ...rsa, alg: 'ECDH-ES' }] })),
    /RSA key; it decrypts RSA-OAEP-256, not ECDH-ES/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [sig, { ...rsa, alg: 'RSA1_5' }] })),
    /unsupported algorithm "RSA1_5"/,
  )
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey
  const smallJwk = { ...small.export({ format: 'jwk' }), kid: 's', use: 'enc' }
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [sig, smallJwk] })),
    /shorter than 2048 bits/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [sig, { ...ec, use: undefined }] })),
    /encryption algorithm ECDH-ES\+A256KW: add "use": "enc"/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [sig, ec], active_kid: ec.kid })),
    /is an encryption key; it cannot sign/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [sig, ec], active_enc_kid: sig.kid })),
    /not an encryption key/,
  )
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [sig, { ...ec, kid: sig.kid }] })),
    /share the kid/,
  )
  const { d: _d, ...publicOnly } = ec
  assert.match(
    refusal(() => parsePrivateKeySet({ keys: [sig, publicOnly] })),
    /required to decrypt/,
  )
  // No message carries key material.
  const message = refusal(() => parsePrivateKeySet({ keys: [sig, { ...ec, alg: 'RSA-OAEP-256' }] }))
  assert.not.ok(message.includes(ec.d as string))
  assert.ok(KEY_MANAGEMENT_ALGORITHMS.includes('ECDH-ES+A256KW'))
})

test.run()
