/**
 * Runs every kind of flow with a capturing logger and checks that no secret value (client
 * secret, codes, verifiers, assertions, private key members, tokens, states) reaches the log.
 */
import { exportJWK, generateKeyPair } from 'jose'
import { HttpResponse, http } from 'msw'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { jsonLogger, staticKeySource } from '../src/index.js'
import {
  authorizeUrl,
  BASE_URL,
  CLIENT_SECRET,
  COGNITO_STATE,
  captureLogger,
  cognitoTokenFields,
  createProxy,
  mockIdp,
  mswServer,
  privateJwk,
  proxyOptions,
  signInAt,
  TOKEN_ENDPOINT,
  tokenRequest,
} from './support/fixtures.js'

async function encryptionJwk(alg: string, kid: string) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'enc' }
}

test('no secret reaches the log, across successful and failing flows', async () => {
  const jwk = await privateJwk('RS256')
  // Encryption keys (use "enc") sit in the same set; their private members must not leak either.
  const encryption = [
    await encryptionJwk('ECDH-ES+A256KW', 'enc-ec'),
    await encryptionJwk('RSA-OAEP-256', 'enc-rsa'),
  ]
  const keys = staticKeySource({ keys: [jwk, ...encryption] })
  assert.is((await keys.decrypters?.())?.length, 2)
  const logger = captureLogger()
  const proxy = createProxy(proxyOptions(jwk, { keys, logger }))
  const idp = mockIdp(keys)

  const secrets: string[] = [
    CLIENT_SECRET,
    COGNITO_STATE,
    ...[jwk, ...encryption].flatMap((key) =>
      ['d', 'p', 'q', 'dp', 'dq', 'qi'].map((m) => (key as Record<string, unknown>)[m] as string),
    ),
  ]
  // The JWKS route publishes the encryption keys' public halves only.
  const published = await (
    await proxy.handle(new Request(`${BASE_URL}/.well-known/jwks.json`))
  ).text()
  for (const secret of secrets.filter(Boolean)) assert.not.ok(published.includes(secret))
  assert.ok(published.includes('"use":"enc"'))
  for (let i = 0; i < 3; i++) {
    const authorize = await proxy.handle(new Request(authorizeUrl()))
    const toIdp = new URL(authorize.headers.get('location') as string)
    const atIdp = idp.signIn(toIdp.href)
    secrets.push(
      atIdp.code,
      atIdp.state,
      toIdp.searchParams.get('code_challenge') as string,
      toIdp.searchParams.get('nonce') as string,
    )
    const callback = await proxy.handle(
      new Request(`${BASE_URL}/callback?code=${atIdp.code}&state=${atIdp.state}`),
    )
    const code = new URL(callback.headers.get('location') as string).searchParams.get(
      'code',
    ) as string
    secrets.push(code)
    if (i === 1) idp.revoke(atIdp.code) // an IdP error path
    const token = await proxy.handle(tokenRequest(cognitoTokenFields(code)))
    const body = await token.json()
    if (body.access_token) secrets.push(body.access_token, body.id_token)
    await proxy.handle(tokenRequest(cognitoTokenFields(code))) // replay
    await proxy.handle(
      tokenRequest(cognitoTokenFields(code, { client_secret: `${CLIENT_SECRET}-wrong` })),
    )
  }
  // The hardening paths: id_tokens failing each check, refusals without a body, answers past
  // the bound, a client abort. Each has its own log line; none may carry a secret.
  const spoilers = [
    { wrongSignature: true },
    { claims: { nonce: 'nonce-of-another-sign-in-0123456789' } },
    { claims: { aud: 'someone-else' } },
    { omit: true },
  ]
  for (const tamper of spoilers) {
    const { code, toIdp } = await signInAt(proxy, idp)
    secrets.push(code, toIdp.searchParams.get('nonce') as string)
    idp.tamperNextIdToken(tamper)
    const refused = await proxy.handle(tokenRequest(cognitoTokenFields(code)))
    assert.is(refused.status, 400)
  }
  for (const answer of [
    () => new HttpResponse(null, { status: 403 }),
    () => HttpResponse.json({ access_token: 'x'.repeat(70_000) }),
  ]) {
    const { code } = await signInAt(proxy, idp)
    secrets.push(code)
    mswServer(http.post(TOKEN_ENDPOINT, answer), ...idp.handlers)
    await proxy.handle(tokenRequest(cognitoTokenFields(code)))
    mswServer(...idp.handlers)
  }
  await proxy.handle(
    new Request(`${BASE_URL}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new ReadableStream({
        pull(controller) {
          controller.error(new Error('aborted'))
        },
      }),
      duplex: 'half',
    } as RequestInit),
  )
  for (const exchange of idp.exchanges) {
    secrets.push(exchange.tokens.access_token, exchange.tokens.id_token)
  }
  for (const form of idp.tokenRequests) {
    secrets.push(form.get('client_assertion') as string, form.get('code_verifier') as string)
  }
  const events = new Set(logger.events.map((e) => `${e.event}:${e.code ?? ''}`))
  for (const expected of [
    'idp_refused:ERR_ID_TOKEN_INVALID',
    'idp_refused:ERR_IDP_REFUSED',
    'request_failed:ERR_IDP_RESPONSE_TOO_LARGE',
    'request:ERR_CLIENT_ABORTED',
  ]) {
    assert.ok(events.has(expected), `${expected} was logged: ${[...events].join(', ')}`)
  }

  const log = logger.lines.join('\n')
  assert.ok(logger.lines.length >= 15, 'the flows were logged')
  for (const secret of secrets.filter(Boolean)) {
    assert.not.ok(log.includes(secret), `a secret reached the log: ${secret.slice(0, 6)}…`)
  }
  // Each request line names its route, status and request id.
  const requests = logger.events.filter((e) => e.event === 'request')
  assert.ok(
    requests.every(
      (e) => typeof e.requestId === 'string' && typeof e.status === 'number' && e.route,
    ),
  )
})

test('jsonLogger writes one JSON object per line, honouring the level', () => {
  const lines: string[] = []
  const logger = jsonLogger({ level: 'warn', write: (line) => lines.push(line), now: () => 0 })
  logger.log('info', 'dropped')
  logger.log('error', 'kept', { requestId: 'r1', status: 503 })
  assert.is(lines.length, 1)
  assert.equal(JSON.parse(lines[0] as string), {
    time: '1970-01-01T00:00:00.000Z',
    level: 'error',
    event: 'kept',
    requestId: 'r1',
    status: 503,
  })
})

test('jsonLogger: each line is exactly the JSON of the merged object, whatever the fields', () => {
  const lines: string[] = []
  let clock = 1_764_633_600_000
  const logger = jsonLogger({ level: 'debug', write: (line) => lines.push(line), now: () => clock })
  const cases: [string, Record<string, string | number | boolean | undefined> | undefined][] = [
    ['request', { requestId: 'r1', method: 'GET', route: 'authorize', status: 302, ms: 1.5 }],
    ['request', undefined],
    ['request', {}],
    ['odd "event"\n\u2028', { skipped: undefined, quote: 'a"b\\c', unicode: 'é\ud800', yes: true }],
    // Fields named like the line's own keys replace their values, as a spread would.
    ['shadowed', { time: 'mine', level: 'custom', event: 'other', n: 1 }],
  ]
  for (const [index, [event, fields]] of cases.entries()) {
    clock += index % 2 // the same millisecond twice, then a new one
    logger.log('warn', event, fields)
    const expected = JSON.stringify({
      time: new Date(clock).toISOString(),
      level: 'warn',
      event,
      ...fields,
    })
    assert.is(lines.at(-1), expected)
  }
})

test.run()
