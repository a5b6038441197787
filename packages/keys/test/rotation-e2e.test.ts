/**
 * Rotation end to end: the proxy (core's createProxy) reads the key set the CLI writes, and strict
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
import { createStrictIdp, type StrictIdp, useMsw } from '@idp-proxy/testing'
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { cli, readJson, removeTempDirs, selfSignedCertificate, tempDir } from './helpers.js'

const CLIENT_ID = 'proxy-client'
const CLIENT_SECRET = 'cognito-secret-0123456789abcdefghij'
const COGNITO_REDIRECT = 'https://auth.example.com/oauth2/idpresponse'
const BASE_URL = 'https://proxy.example.com/v1'

const server = useMsw(test)
let proxy: IdpProxy
/** The public keys uploaded to the "upload" IdP's client registration. */
let uploaded: PublicJwk[] = []
/** What each IdP saw: the assertion's kid and whether it verified. */
const seen: { idp: string; kid: string | undefined; ok: boolean }[] = []

/** A strict IdP at `host` that verifies private_key_jwt against the keys `keysFor()` gives. */
function strictIdp(host: string, keysFor: () => Promise<JSONWebKeySet>): StrictIdp {
  return createStrictIdp({ issuer: `https://${host}`, clientId: CLIENT_ID, jwks: keysFor })
}

const idps: Record<string, StrictIdp> = {
  'upload-idp.example.com': strictIdp(
    'upload-idp.example.com',
    async () => ({ keys: uploaded }) as JSONWebKeySet,
  ),
  'jwks-uri-idp.example.com': strictIdp(
    'jwks-uri-idp.example.com',
    async () => (await fetchProxyJwks()) as JSONWebKeySet,
  ),
  'entra.example.com': strictIdp(
    'entra.example.com',
    async () => ({ keys: uploaded }) as JSONWebKeySet,
  ),
}

/** The JWKS as the "jwks_uri" IdP fetches it: through the proxy's own route. */
async function fetchProxyJwks(): Promise<Jwks> {
  const response = await proxy.handle(new Request(`${BASE_URL}/.well-known/jwks.json`))
  assert.is(response.status, 200)
  assert.is(response.headers.get('cache-control'), 'public, max-age=300')
  return (await response.json()) as Jwks
}

test.before.each(() => {
  server.use(...Object.values(idps).flatMap((idp) => idp.handlers))
})
test.after(async () => {
  await removeTempDirs()
})

/** A proxy over the key set in `file`, as the Lambda would build it from the secret. */
async function proxyFor(file: string, idp: StrictIdp): Promise<IdpProxy> {
  return createProxy({
    baseUrl: BASE_URL,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [COGNITO_REDIRECT],
    idp: {
      issuer: idp.issuer,
      authorizationEndpoint: idp.authorizationEndpoint,
      tokenEndpoint: idp.tokenEndpoint,
    },
    keys: staticKeySource(await readFile(file, 'utf8')),
    pkce: false,
    logger: silentLogger,
  })
}

/**
 * A sign-in at the IdP (PKCE off: Cognito goes there directly), then Cognito's token request
 * through the proxy; returns the status the proxy relays.
 */
async function tokenRequest(
  file: string,
  idpHost: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const idp = idps[idpHost] as StrictIdp
  proxy = await proxyFor(file, idp)
  const { code } = idp.signIn(
    idp.authorizationUrl({ redirect_uri: COGNITO_REDIRECT, state: 'cognito-state' }),
  )
  const verified = idp.assertionHeaders.length
  const response = await proxy.handle(
    new Request(`${BASE_URL}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: COGNITO_REDIRECT,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    }),
  )
  const form = idp.tokenRequests.at(-1)
  assert.ok(form, 'the token request reached the IdP')
  assert.is(
    form.get('client_assertion_type'),
    'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  )
  assert.is(form.get('code'), code)
  assert.is(form.get('client_secret'), null, "Cognito's secret never reaches the IdP")
  seen.push({
    idp: idpHost,
    kid: decodeProtectedHeader(form.get('client_assertion') ?? '').kid,
    ok: idp.assertionHeaders.length > verified,
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

test('rotate, publish, promote, drop: no token request fails at any step', async () => {
  const dir = await tempDir()
  const upload = 'upload-idp.example.com'
  const jwksUri = 'jwks-uri-idp.example.com'

  // Day 0: generate; the public key is uploaded to the IdP that takes uploads.
  const gen = await cli(['generate', '--kid', 'old', '--out', '.'], dir)
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
  assert.is(
    before.body.access_token,
    idps['upload-idp.example.com']?.exchanges.at(-1)?.tokens.access_token,
  )
  assert.ok(String(before.body.access_token).startsWith('at-'))
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
  selfSignedCertificate(dir, {
    keyOut: 'key.pem',
    certOut: 'cert.pem',
    subject: '/CN=entra',
    days: 7,
  })
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
  assert.is((await tokenRequest(join(dir, 'secret.json'), 'entra.example.com')).status, 200)
  const header: Record<string, unknown> = idps['entra.example.com']?.assertionHeaders.at(-1) ?? {}
  assert.is(header['x5t#S256'], pub['x5t#S256'])
  assert.is(header.alg, 'PS256')
  assert.is(header.kid, 'entra')
})

test.run()
