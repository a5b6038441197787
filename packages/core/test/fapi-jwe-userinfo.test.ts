import { mswServer } from '@idp-proxy/testing'
import {
  base64url,
  CompactEncrypt,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose'
import { HttpResponse, http } from 'msw'
import type * as oauth from 'oauth4webapi'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  bufferResponse,
  CONTENT_ENCRYPTION_ALGORITHMS,
  createDpopHandle,
  createDpopNonceCache,
  type Decrypter,
  decryptIdToken,
  decryptJwe,
  fetchUserinfo,
  generateDpopKey,
  importDecrypter,
  importDpopKey,
  isProxyError,
  KEY_MANAGEMENT_ALGORITHMS,
  toPublicEncryptionJwks,
  userinfoFromIdToken,
} from '../src/index.js'

const ISSUER = 'https://fapi.example.com'
const USERINFO = `${ISSUER}/userinfo`
const CLIENT_ID = 'client-1'
const SERVER: oauth.AuthorizationServer = { issuer: ISSUER, userinfo_endpoint: USERINFO }
const HTTP = {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
  timeoutMs: 2000,
}

/** A private `enc` JWK for `alg` (EC P-256 for ECDH-ES*, RSA-2048 for RSA-OAEP-256). */
async function encKey(alg: string, kid = `enc-${alg}`): Promise<JWK> {
  const { privateKey } = await generateKeyPair(
    alg === 'RSA-OAEP-256' ? 'RSA-OAEP-256' : 'ECDH-ES',
    {
      extractable: true,
      ...(alg === 'RSA-OAEP-256' ? {} : { crv: 'P-256' }),
    },
  )
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'enc' }
}

/** What the IdP does: encrypt `plaintext` to the public half of `jwk`. */
async function encryptTo(
  jwk: JWK,
  plaintext: string,
  enc = 'A256GCM',
  header: Record<string, unknown> = {},
) {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk
  const { importJWK } = await import('jose')
  const key = await importJWK(publicJwk, jwk.alg)
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({
      alg: jwk.alg as string,
      enc,
      kid: jwk.kid as string,
      cty: 'JWT',
      ...header,
    })
    .encrypt(key)
}

const idp = await (async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const jwks = createLocalJWKSet({
    keys: [{ ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256' }],
  })
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey)
  return { jwks, sign }
})()

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isProxyError(error)) throw new Error(`expected a ProxyError, got ${String(error)}`)
  return error
}

const ecKey = await encKey('ECDH-ES+A256KW')
const ec = await importDecrypter(ecKey)

test('every key management x content encryption pair decrypts to the inner JWS, which verifies', async () => {
  const keys = await Promise.all(KEY_MANAGEMENT_ALGORITHMS.map((alg) => encKey(alg)))
  const decrypters = await Promise.all(keys.map((k) => importDecrypter(k)))
  const jws = await idp.sign({ iss: ISSUER, aud: CLIENT_ID, sub: 'u-1', nonce: 'n-1' })
  let pairs = 0
  for (const key of keys) {
    for (const enc of CONTENT_ENCRYPTION_ALGORITHMS) {
      const jwe = await encryptTo(key, jws, enc)
      const inner = await decryptIdToken(jwe, decrypters, { required: true })
      assert.is(inner, jws, `${key.alg} ${enc}`)
      const { payload } = await jwtVerify(inner, idp.jwks, { issuer: ISSUER, audience: CLIENT_ID })
      assert.is(payload.nonce, 'n-1')
      pairs++
    }
  }
  assert.is(pairs, KEY_MANAGEMENT_ALGORITHMS.length * CONTENT_ENCRYPTION_ALGORITHMS.length)
})

test('the key is chosen by kid; unknown kid, disallowed enc, mismatched alg and tampering are refused', async () => {
  const second = await encKey('ECDH-ES+A256KW', 'enc-2')
  const decrypters = [ec, await importDecrypter(second)]
  assert.is(await decryptJwe(await encryptTo(second, 'a.b.c'), decrypters), 'a.b.c')

  const stranger = await encKey('ECDH-ES+A256KW', 'enc-unknown')
  const codes = async (
    jwe: Promise<string> | string,
    list: Decrypter[] = decrypters,
    options = {},
  ) => (await refusal(decryptJwe(await jwe, list, options))).code
  assert.is(await codes(encryptTo(stranger, 'a.b.c')), 'ERR_DECRYPTION_FAILED')
  assert.is(
    await codes(encryptTo(ecKey, 'a.b.c', 'A128GCM'), decrypters, {
      contentEncryption: ['A256GCM'],
    }),
    'ERR_DECRYPTION_FAILED',
  )
  // The header names our EC key's kid but another alg: refused without trying.
  const direct = { ...(await encKey('ECDH-ES')), kid: ecKey.kid }
  assert.is(await codes(encryptTo(direct, 'a.b.c')), 'ERR_DECRYPTION_FAILED')

  const jwe = (await encryptTo(ecKey, 'a.b.c')).split('.')
  const tag = base64url.decode(jwe[4] as string)
  tag[0] = (tag[0] as number) ^ 1
  jwe[4] = base64url.encode(tag)
  assert.is(await codes(jwe.join('.')), 'ERR_DECRYPTION_FAILED')
  assert.is(await codes('x'.repeat(70_000)), 'ERR_DECRYPTION_FAILED')
  assert.is(await codes('a.b.c'), 'ERR_DECRYPTION_FAILED')
})

test('without a kid, the keys of the header alg are tried in turn', async () => {
  const other = await importDecrypter(await encKey('ECDH-ES+A256KW', 'enc-other'))
  const jwe = await encryptTo(ecKey, 'a.b.c', 'A256GCM', { kid: undefined })
  assert.is(await decryptJwe(jwe, [other, ec]), 'a.b.c')
})

test('decryptIdToken: a JWS passes unless encryption is required; the plaintext must be a JWS', async () => {
  const jws = await idp.sign({ sub: 'u' })
  assert.is(await decryptIdToken(jws, []), jws)
  assert.is(
    (await refusal(decryptIdToken(jws, [ec], { required: true }))).code,
    'ERR_IDP_RESPONSE_INVALID',
  )
  const notJws = await encryptTo(ecKey, '{"sub":"u"}')
  assert.is((await refusal(decryptIdToken(notJws, [ec]))).code, 'ERR_IDP_RESPONSE_INVALID')
  const unsigned = await encryptTo(ecKey, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0.')
  assert.is((await refusal(decryptIdToken(unsigned, [ec]))).code, 'ERR_IDP_RESPONSE_INVALID')
})

test('decryption keys are validated, and messages carry no key material', async () => {
  const rsa = await encKey('RSA-OAEP-256')
  const { d: _d, ...publicOnly } = ecKey
  // jose refuses to make a key this small; Web Crypto does.
  const small = (await crypto.subtle.generateKey(
    {
      name: 'RSA-OAEP',
      modulusLength: 1024,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['decrypt', 'encrypt'],
  )) as CryptoKeyPair
  const cases: [string, unknown][] = [
    ['not an object', 'text'],
    ['no kid', { ...ecKey, kid: undefined }],
    ['use sig', { ...ecKey, use: 'sig' }],
    ['no use', { ...ecKey, use: undefined }],
    ['unsupported alg', { ...ecKey, alg: 'A256KW' }],
    ['public only', publicOnly],
    ['EC key for RSA-OAEP-256', { ...ecKey, alg: 'RSA-OAEP-256' }],
    ['RSA key for ECDH-ES', { ...rsa, alg: 'ECDH-ES' }],
    [
      'RSA below 2048 bits',
      { ...(await exportJWK(small.privateKey)), kid: 's', alg: 'RSA-OAEP-256', use: 'enc' },
    ],
    ['bad point', { ...ecKey, x: ecKey.y }],
  ]
  for (const [name, input] of cases) {
    const error = await refusal(importDecrypter(input))
    assert.is(error.code, 'ERR_INVALID_KEY', name)
    for (const secret of [ecKey.d, rsa.d, rsa.p])
      assert.not.match(error.message, String(secret), name)
  }
})

test('the public encryption JWKS has use enc, kid and alg, and no private member', async () => {
  const rsa = await importDecrypter(await encKey('RSA-OAEP-256'))
  const { keys } = toPublicEncryptionJwks([ec, rsa])
  assert.equal(
    keys.map((k) => [k.kid, k.alg, k.use, k.kty]),
    [
      ['enc-ECDH-ES+A256KW', 'ECDH-ES+A256KW', 'enc', 'EC'],
      ['enc-RSA-OAEP-256', 'RSA-OAEP-256', 'enc', 'RSA'],
    ],
  )
  for (const key of keys) {
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.not.ok(member in key, member)
  }
})

function userinfoEndpoint(...answers: (() => Response)[]) {
  const seen: Request[] = []
  mswServer(
    http.get(USERINFO, ({ request }) => {
      seen.push(request.clone())
      const answer = answers[seen.length - 1]
      return answer ? answer() : HttpResponse.json({ error: 'unexpected' }, { status: 500 })
    }),
  )
  return seen
}

const base = {
  server: SERVER,
  clientId: CLIENT_ID,
  accessToken: 'at-123',
  expectedSubject: 'u-1',
  http: HTTP,
  now: () => Date.now(),
}

test('userinfo: JSON with Bearer; the sub must be the ID token sub', async () => {
  const seen = userinfoEndpoint(
    () => HttpResponse.json({ sub: 'u-1', email: 'u@example.com' }),
    () => HttpResponse.json({ sub: 'someone-else' }),
  )
  assert.equal(await fetchUserinfo(base), { sub: 'u-1', email: 'u@example.com' })
  assert.is(seen[0]?.headers.get('authorization'), 'Bearer at-123')
  assert.is(seen[0]?.headers.get('dpop'), null)
  assert.is((await refusal(fetchUserinfo(base))).code, 'ERR_IDP_RESPONSE_INVALID')
})

test('userinfo with DPoP: a 401 use_dpop_nonce is retried once; the proofs carry ath', async () => {
  const seen = userinfoEndpoint(
    () =>
      new HttpResponse(null, {
        status: 401,
        headers: {
          'www-authenticate': 'DPoP error="use_dpop_nonce", algs="ES256"',
          'dpop-nonce': 'rs-nonce',
        },
      }),
    () => HttpResponse.json({ sub: 'u-1' }),
  )
  const nonces = createDpopNonceCache()
  const handle = createDpopHandle(await importDpopKey(await generateDpopKey()), {
    now: Date.now,
    nonces,
  })
  const claims = await fetchUserinfo({ ...base, dpop: { handle, nonces } })
  assert.is(claims.sub, 'u-1')
  assert.is(seen.length, 2)
  const ath = base64url.encode(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('at-123'))),
  )
  const proofs = seen.map((r) =>
    JSON.parse(
      new TextDecoder().decode(
        base64url.decode(String(r.headers.get('dpop')).split('.')[1] as string),
      ),
    ),
  )
  assert.equal(
    proofs.map((p) => [p.htm, p.htu, p.ath, p.nonce]),
    [
      ['GET', USERINFO, ath, undefined],
      ['GET', USERINFO, ath, 'rs-nonce'],
    ],
  )
  assert.is(seen[1]?.headers.get('authorization'), 'DPoP at-123')
})

test('userinfo: a signed JWT is verified (iss, aud, signature); a JWE around it is decrypted first', async () => {
  const jwt = await idp.sign({ iss: ISSUER, aud: CLIENT_ID, sub: 'u-1', name: 'Dee' })
  const jwe = await encryptTo(ecKey, jwt, 'A256GCM')
  const wrongAud = await idp.sign({ iss: ISSUER, aud: 'someone', sub: 'u-1' })
  const forged = await new SignJWT({ iss: ISSUER, aud: CLIENT_ID, sub: 'u-1' })
    .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' })
    .sign((await generateKeyPair('ES256')).privateKey)
  const asJwt = (body: string) => () =>
    new HttpResponse(body, { headers: { 'content-type': 'application/jwt' } })
  userinfoEndpoint(asJwt(jwt), asJwt(jwe), asJwt(wrongAud), asJwt(forged), asJwt(jwe))
  const options = { ...base, idpKeys: idp.jwks, decrypters: [ec] }
  assert.is((await fetchUserinfo(options)).name, 'Dee')
  assert.is((await fetchUserinfo(options)).name, 'Dee')
  assert.is((await refusal(fetchUserinfo(options))).code, 'ERR_IDP_RESPONSE_INVALID')
  assert.is((await refusal(fetchUserinfo(options))).code, 'ERR_IDP_RESPONSE_INVALID')
  assert.is(
    (await refusal(fetchUserinfo({ ...options, decrypters: [] }))).code,
    'ERR_DECRYPTION_FAILED',
  )
})

test('userinfo failures: 401 invalid_token, a 500 page, an oversized answer, not JSON', async () => {
  userinfoEndpoint(
    () =>
      new HttpResponse(null, {
        status: 401,
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      }),
    () => new HttpResponse('<html>oops</html>', { status: 500 }),
    () => HttpResponse.json({ sub: 'u-1', pad: 'x'.repeat(4096) }),
    () => new HttpResponse('not json', { headers: { 'content-type': 'application/json' } }),
  )
  const options = { ...base, http: { ...HTTP, maxResponseBytes: 1024 } }
  const rejected = await refusal(fetchUserinfo(options))
  assert.equal([rejected.code, rejected.status], ['ERR_IDP_REJECTED', 502])
  assert.match(rejected.message, 'invalid_token')
  assert.not.match(rejected.message, base.accessToken)
  assert.is((await refusal(fetchUserinfo(options))).code, 'ERR_IDP_UNAVAILABLE')
  assert.is((await refusal(fetchUserinfo(options))).code, 'ERR_IDP_RESPONSE_TOO_LARGE')
  assert.is((await refusal(fetchUserinfo(options))).code, 'ERR_IDP_RESPONSE_INVALID')
})

test('bufferResponse (the one bounded reader) stops a streamed body without content-length at the cap', async () => {
  let pulled = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++
      controller.enqueue(new Uint8Array(512))
    },
  })
  const bound = { maxBytes: 2048, option: 'maxIdpTokenBytes', what: 'userinfo answer' }
  const error = await refusal(bufferResponse(new Response(stream), bound))
  assert.is(error.code, 'ERR_IDP_RESPONSE_TOO_LARGE')
  assert.ok(pulled <= 6, `pulled ${pulled} chunks`)
  assert.is(await (await bufferResponse(new Response('small'), bound)).text(), 'small')
})

test('without a userinfo endpoint, the ID token claims minus the token-only ones', () => {
  const claims = userinfoFromIdToken({
    sub: 'u-1',
    iss: ISSUER,
    aud: CLIENT_ID,
    exp: 2,
    iat: 1,
    nonce: 'n',
    at_hash: 'h',
    amr: ['pwd'],
    sub_account: { id: 'a' },
  })
  assert.equal(claims, { sub: 'u-1', amr: ['pwd'], sub_account: { id: 'a' } })
})

test.run()
