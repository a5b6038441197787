/**
 * verify-jwt.ts keeps jose's rules and swaps only the signature step. A differential test: every
 * token of a hostile corpus gets the same outcome (the same jose error class, or the same claims)
 * from jose's own `jwtVerify` and from `verifyJwt` with the Web Crypto check and with the
 * node:crypto one, for every algorithm the proxy accepts.
 */
import { constants, createPrivateKey, generateKeyPairSync, sign as nodeSign } from 'node:crypto'
import {
  base64url,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from 'jose'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SIGNING_ALGORITHMS, type SignatureCheck, webCryptoSignatureCheck } from '../src/index.js'
import { nodeSignatureCheck } from '../src/node/index.js'
import { verifyJwt } from '../src/verify-jwt.js'

// Every algorithm the proxy signs with, and Ed25519 (RFC 9864), as id-token.ts accepts them.
const ALGORITHMS: string[] = [...SIGNING_ALGORITHMS, 'Ed25519']
const CHECKS: [string, SignatureCheck][] = [
  ['Web Crypto', webCryptoSignatureCheck],
  ['node:crypto', nodeSignatureCheck],
]
const ISSUER = 'https://idp.example.com'
const AUDIENCE = 'proxy-client'
const now = Math.floor(Date.now() / 1000)
const claimOptions = { issuer: ISSUER, audience: AUDIENCE, requiredClaims: ['exp', 'iat', 'sub'] }
const b64json = (value: unknown) => base64url.encode(JSON.stringify(value))

interface Keyed {
  alg: string
  privateKey: CryptoKey
  jwk: JWK
}

async function keyFor(alg: string, kid: string): Promise<Keyed> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } }
}

function signed(key: Keyed, claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.jwk.kid as string, ...header })
    .sign(key.privateKey)
}

const good = (extra: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'user-1',
  iat: now,
  exp: now + 600,
  ...extra,
})

/** `name: outcome` for one token: the jose error class, or the claims it verified. */
async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    return `ok ${JSON.stringify(await run())}`
  } catch (error) {
    const e = error as { code?: string; claim?: string; name: string }
    return `${e.code ?? e.name}${e.claim ? ` (${e.claim})` : ''}`
  }
}

async function sameOutcomes(token: string, keys: JWTVerifyGetKey, algorithms = ALGORITHMS) {
  const expected = await outcome(async () => {
    const { payload } = await jwtVerify(token, keys, { ...claimOptions, algorithms })
    return payload
  })
  for (const [label, check] of CHECKS) {
    const got = await outcome(() => verifyJwt(token, keys, { ...claimOptions, algorithms, check }))
    assert.is(got, expected, `${label}: ${token.slice(0, 40)}…`)
  }
  return expected
}

const keyed: Keyed[] = []
for (const alg of ALGORITHMS) keyed.push(await keyFor(alg, `kid-${alg}`))
const jwks = createLocalJWKSet({ keys: keyed.map((key) => key.jwk) })

test('every algorithm: a good token verifies the same under jose, Web Crypto and node:crypto', async () => {
  for (const key of keyed) {
    const result = await sameOutcomes(await signed(key, good()), jwks)
    assert.match(result, /^ok .*"sub":"user-1"/, key.alg)
  }
})

test('every algorithm: a changed payload or a changed signature fails the same way', async () => {
  for (const key of keyed) {
    const [header, payload, signature] = (await signed(key, good())).split('.') as [
      string,
      string,
      string,
    ]
    const otherPayload = b64json({ ...good(), sub: 'someone-else' })
    assert.is(
      await sameOutcomes(`${header}.${otherPayload}.${signature}`, jwks),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      key.alg,
    )
    const flipped = base64url.decode(signature)
    flipped[0] = (flipped[0] as number) ^ 1
    assert.is(
      await sameOutcomes(`${header}.${payload}.${base64url.encode(flipped)}`, jwks),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      key.alg,
    )
    // A signature cut short (ECDSA r‖s has a fixed length; RSA one of the modulus).
    assert.is(
      await sameOutcomes(`${header}.${payload}.${base64url.encode(flipped.slice(1))}`, jwks),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      key.alg,
    )
  }
})

test('claims: iss, aud, exp, nbf, iat and sub are checked as jose checks them', async () => {
  const key = keyed.find((k) => k.alg === 'RS256') as Keyed
  const cases: [Record<string, unknown>, string][] = [
    [{ iss: 'https://evil.example.com' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED (iss)'],
    [{ aud: 'another-client' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED (aud)'],
    [{ exp: now - 60 }, 'ERR_JWT_EXPIRED (exp)'],
    [{ nbf: now + 600 }, 'ERR_JWT_CLAIM_VALIDATION_FAILED (nbf)'],
    [{ iat: 'yesterday' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED (iat)'],
    [{ sub: undefined }, 'ERR_JWT_CLAIM_VALIDATION_FAILED (sub)'],
    [{ exp: undefined }, 'ERR_JWT_CLAIM_VALIDATION_FAILED (exp)'],
  ]
  for (const [claims, expected] of cases) {
    assert.is(await sameOutcomes(await signed(key, good(claims)), jwks), expected)
  }
})

test('hostile headers and shapes are refused the same way', async () => {
  const key = keyed.find((k) => k.alg === 'ES256') as Keyed
  const token = await signed(key, good())
  const [header, payload, signature] = token.split('.') as [string, string, string]
  const noneToken = `${b64json({ alg: 'none' })}.${payload}.`
  const hs256 = `${b64json({ alg: 'HS256', kid: 'kid-ES256' })}.${payload}.${signature}`
  const unknownKid = await signed(key, good(), { kid: 'no-such-kid' })
  // An RS256 header on the ES256 key's kid: the JWKS has no RSA key of that id.
  const confused = `${b64json({ alg: 'RS256', kid: 'kid-ES256' })}.${payload}.${signature}`
  for (const [name, hostile, expected] of [
    ['alg none', noneToken, 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ['alg HS256', hs256, 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ['unknown kid', unknownKid, 'ERR_JWKS_NO_MATCHING_KEY'],
    ['algorithm confusion', confused, 'ERR_JWKS_NO_MATCHING_KEY'],
    ['four segments', `${token}.x`, 'ERR_JWS_INVALID'],
    ['two segments', `${header}.${payload}`, 'ERR_JWS_INVALID'],
    ['header not JSON', `${base64url.encode('{nope')}.${payload}.${signature}`, 'ERR_JWS_INVALID'],
    ['header an array', `${b64json([1])}.${payload}.${signature}`, 'ERR_JWS_INVALID'],
    ['non-base64url signature', `${header}.${payload}.${signature}*`, 'ERR_JWS_INVALID'],
    [
      'unknown crit',
      `${b64json({ alg: 'ES256', kid: 'kid-ES256', crit: ['x'], x: 1 })}.${payload}.${signature}`,
      'ERR_JOSE_NOT_SUPPORTED',
    ],
  ] as const) {
    assert.is(await sameOutcomes(hostile, jwks), expected, name)
  }
})

test('payloads that are not a JSON object are refused the same way', async () => {
  const key = keyed.find((k) => k.alg === 'EdDSA') as Keyed
  const privateKey = createPrivateKey({
    key: (await exportJWK(key.privateKey)) as never,
    format: 'jwk',
  })
  for (const body of ['[1,2]', '"text"', '{not json', '']) {
    const input = `${b64json({ alg: 'EdDSA', kid: key.jwk.kid })}.${base64url.encode(body)}`
    const token = `${input}.${base64url.encode(nodeSign(null, Buffer.from(input), privateKey))}`
    assert.is(await sameOutcomes(token, jwks), 'ERR_JWT_INVALID', JSON.stringify(body))
  }
})

test('refused where jose is stricter or looser by design: b64 crit, weak RSA, a PSS salt of 0', async () => {
  // jose accepts `crit: ["b64"]` with b64 true; no JWT needs it, and verify-jwt refuses any crit.
  const key = keyed.find((k) => k.alg === 'ES256') as Keyed
  const b64 = await signed(key, good(), { crit: ['b64'], b64: true })
  for (const [label, check] of CHECKS) {
    const got = await outcome(() =>
      verifyJwt(b64, jwks, { ...claimOptions, algorithms: ALGORITHMS, check }),
    )
    assert.is(got, 'ERR_JOSE_NOT_SUPPORTED', label)
  }
  // An RSA key under 2048 bits (RFC 7518 3.3), refused by both before any signature check
  // (jose will not sign with one either: node:crypto does).
  const weakPair = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const weakKey = weakPair.privateKey
  const weakJwk = { ...weakPair.publicKey.export({ format: 'jwk' }), kid: 'weak', alg: 'RS256' }
  const weakInput = `${b64json({ alg: 'RS256', kid: 'weak' })}.${b64json(good())}`
  const weakToken = `${weakInput}.${base64url.encode(nodeSign('sha256', Buffer.from(weakInput), weakKey))}`
  assert.is(await sameOutcomes(weakToken, createLocalJWKSet({ keys: [weakJwk] })), 'TypeError')
  // PS256 with a salt other than the digest length: not a JWS PS256 signature.
  const pss = keyed.find((k) => k.alg === 'PS256') as Keyed
  const pssKey = createPrivateKey({
    key: (await exportJWK(pss.privateKey)) as never,
    format: 'jwk',
  })
  const input = `${b64json({ alg: 'PS256', kid: pss.jwk.kid })}.${b64json(good())}`
  const saltless = nodeSign('sha256', Buffer.from(input), {
    key: pssKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 0,
  })
  assert.is(
    await sameOutcomes(`${input}.${base64url.encode(saltless)}`, jwks),
    'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  )
})

test('a key imported non-extractable still verifies under node:crypto (Web Crypto path)', async () => {
  const key = keyed.find((k) => k.alg === 'RS256') as Keyed
  const fixed = createLocalJWKSet({ keys: [{ ...key.jwk, ext: false }] })
  const result = await sameOutcomes(await signed(key, good()), fixed)
  assert.match(result, /^ok /)
})

test.run()
