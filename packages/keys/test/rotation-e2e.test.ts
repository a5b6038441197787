/**
 * Rotation end to end: the proxy (core's createProxy) reads the key set the CLI writes, and two
 * mocked IdPs check its client assertions: one that knows only the public key uploaded at the
 * start, one that fetches the proxy's JWKS route for every token request.
 */
import { readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import {
  createProxy,
  type Proxy as IdpProxy,
  type Jwks,
  type PublicJwk,
  silentLogger,
  staticKeySource,
} from '@idp-proxy/core'
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { cli, openssl, readJson, removeTempDirs, tempDir } from './helpers.js'

const CLIENT_ID = 'proxy-client'
const CLIENT_SECRET = 'cognito-secret-0123456789abcdef'
const COGNITO_REDIRECT = 'https://auth.example.com/oauth2/idpresponse'
const BASE_URL = 'https://proxy.example.com/v1'

const server = setupServer()
let proxy: IdpProxy
/** The public keys uploaded to the "upload" IdP's client registration. */
let uploaded: PublicJwk[] = []
/** What each IdP saw: the assertion's kid and whether it verified. */
const seen: { idp: string; kid: string | undefined; ok: boolean }[] = []

/** An IdP token endpoint that verifies private_key_jwt against the keys `keysFor()` gives. */
function idp(host: string, keysFor: () => Promise<JSONWebKeySet>) {
  const tokenEndpoint = `https://${host}/token`
  return http.post(tokenEndpoint, async ({ request }) => {
    const form = new URLSearchParams(await request.text())
    assert.is(
      form.get('client_assertion_type'),
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    )
    assert.is(form.get('code'), 'idp-code')
    assert.is(form.get('client_secret'), null, "Cognito's secret never reaches the IdP")
    const assertion = form.get('client_assertion') ?? ''
    const kid = decodeProtectedHeader(assertion).kid
    try {
      await jwtVerify(assertion, createLocalJWKSet(await keysFor()), {
        issuer: CLIENT_ID,
        subject: CLIENT_ID,
        audience: tokenEndpoint,
      })
    } catch {
      seen.push({ idp: host, kid, ok: false })
      return HttpResponse.json(
        { error: 'invalid_client', error_description: 'no key verifies the assertion' },
        { status: 401 },
      )
    }
    seen.push({ idp: host, kid, ok: true })
    return HttpResponse.json({
      access_token: 'at',
      id_token: 'idt',
      token_type: 'Bearer',
      expires_in: 300,
    })
  })
}

/** The JWKS as the "jwks_uri" IdP fetches it: through the proxy's own route. */
async function fetchProxyJwks(): Promise<Jwks> {
  const response = await proxy.handle(new Request(`${BASE_URL}/.well-known/jwks.json`))
  assert.is(response.status, 200)
  assert.is(response.headers.get('cache-control'), 'public, max-age=300')
  return (await response.json()) as Jwks
}

test.before(() => {
  server.listen({
    onUnhandledRequest(request, print) {
      const host = new URL(request.url).hostname
      if (host === '127.0.0.1' || host === 'localhost' || host === '[::1]') return
      print.error()
    },
  })
  server.use(
    idp('upload-idp.example.com', async () => ({ keys: uploaded }) as JSONWebKeySet),
    idp('jwks-uri-idp.example.com', async () => (await fetchProxyJwks()) as JSONWebKeySet),
  )
})
test.after(async () => {
  server.close()
  await removeTempDirs()
})

/** A proxy over the key set in `file`, as the Lambda would build it from the secret. */
async function proxyFor(file: string, idpHost: string): Promise<IdpProxy> {
  return createProxy({
    baseUrl: BASE_URL,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [COGNITO_REDIRECT],
    idp: {
      issuer: `https://${idpHost}`,
      authorizationEndpoint: `https://${idpHost}/authorize`,
      tokenEndpoint: `https://${idpHost}/token`,
    },
    keys: staticKeySource(await readFile(file, 'utf8')),
    pkce: false,
    logger: silentLogger,
  })
}

/** Cognito's token request through the proxy; returns the status the proxy relays. */
async function tokenRequest(
  file: string,
  idpHost: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  proxy = await proxyFor(file, idpHost)
  const response = await proxy.handle(
    new Request(`${BASE_URL}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'idp-code',
        redirect_uri: COGNITO_REDIRECT,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    }),
  )
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

test('rotate, publish, promote, drop: no token request fails at any step', async () => {
  const dir = await tempDir()
  const upload = 'upload-idp.example.com'
  const jwksUri = 'jwks-uri-idp.example.com'

  // Day 0: generate; the public key is uploaded to the IdP that takes uploads.
  const gen = await cli(['generate', '--kid', 'old'], dir)
  assert.is(gen.code, 0, gen.stderr)
  uploaded = [JSON.parse(gen.stdout) as PublicJwk]
  const secret = join(dir, 'secret.json')
  await rename(join(dir, 'old.private.jwk.json'), secret)
  assert.is((await tokenRequest(secret, upload)).status, 200)

  // Rotate: the new key is published but the old one still signs.
  const rotated = await cli(['rotate', '--in', secret, '--kid', 'new'], dir)
  assert.is(rotated.code, 0, rotated.stderr)
  const published = JSON.parse(rotated.stdout) as Jwks
  assert.equal(
    published.keys.map((key) => key.kid),
    ['old', 'new'],
  )
  const before = await tokenRequest(secret, upload)
  assert.is(before.status, 200, 'an IdP that knows only the old key accepts before promotion')
  assert.is(before.body.access_token, 'at')
  assert.equal(
    (await fetchProxyJwks()).keys.map((key) => key.kid),
    ['old', 'new'],
    'the JWKS route publishes the next key ahead of time',
  )
  assert.is((await tokenRequest(secret, jwksUri)).status, 200)
  assert.equal(
    seen.splice(0).map((s) => [s.kid, s.ok]),
    [
      ['old', true],
      ['old', true],
      ['old', true],
    ],
  )

  // Promote: the new key signs. The jwks_uri IdP picks it up from the proxy with no upload.
  assert.is((await cli(['promote', '--in', secret], dir)).code, 0)
  const after = await tokenRequest(secret, jwksUri)
  assert.is(after.status, 200, 'an IdP that fetches the JWKS accepts after promotion')
  // Had the new key not been uploaded first, the upload IdP would now refuse: the order matters.
  const notUploaded = await tokenRequest(secret, upload)
  assert.is(notUploaded.status, 401)
  assert.is(notUploaded.body.error, 'invalid_client')
  uploaded = published.keys
  assert.is((await tokenRequest(secret, upload)).status, 200, 'after uploading the rotate output')
  assert.equal(
    seen.splice(0).map((s) => [s.idp, s.kid, s.ok]),
    [
      [jwksUri, 'new', true],
      [upload, 'new', false],
      [upload, 'new', true],
    ],
  )

  // Drop the old key: only the new key is published, and signing goes on.
  assert.is((await cli(['promote', '--in', secret, '--drop-old'], dir)).code, 0)
  assert.is((await tokenRequest(secret, jwksUri)).status, 200)
  assert.equal(
    (await fetchProxyJwks()).keys.map((key) => key.kid),
    ['new'],
  )
  const final = await readJson<{ active_kid: string; keys: unknown[] }>(secret)
  assert.is(final.active_kid, 'new')
  assert.is(final.keys.length, 1)
})

test('an imported key with a certificate sends x5t#S256 through the proxy', async () => {
  const dir = await tempDir()
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-subj',
      '/CN=entra',
      '-days',
      '7',
    ],
    dir,
  )
  const run = await cli(
    [
      'import',
      '--key',
      'key.pem',
      '--cert',
      'cert.pem',
      '--alg',
      'PS256',
      '--kid',
      'entra',
      '--out',
      'secret.json',
    ],
    dir,
  )
  assert.is(run.code, 0, run.stderr)
  const pub = JSON.parse(run.stdout) as PublicJwk
  uploaded = [pub]
  let header: Record<string, unknown> = {}
  server.use(
    http.post('https://entra.example.com/token', async ({ request }) => {
      const form = new URLSearchParams(await request.text())
      header = decodeProtectedHeader(form.get('client_assertion') ?? '')
      return HttpResponse.json({ access_token: 'at', token_type: 'Bearer' })
    }),
  )
  assert.is((await tokenRequest(join(dir, 'secret.json'), 'entra.example.com')).status, 200)
  assert.is(header['x5t#S256'], pub['x5t#S256'])
  assert.is(header.alg, 'PS256')
  assert.is(header.kid, 'entra')
})

test.run()
