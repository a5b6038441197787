/**
 * The FAPI 2.0 local run without a browser: the switch (`--fapi`, LOCAL_IDP), its key file, and
 * what the proxy publishes for the IdP. The browser sign-ins are in e2e-fapi.test.ts.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { generateFapiKeys, loadOrCreateFapiKeys } from '../src/fapi-keys.js'
import { startLocal } from '../src/local.js'
import { optionsFromSettings } from '../src/start.js'

let dir: string

test.before.each(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idp-proxy-fapi-keys-'))
})

test.after.each(async () => {
  await rm(dir, { recursive: true, force: true })
})

test('LOCAL_IDP: dev by default, fapi on request; PKCE=false or IDP_REQUIRE_ACR with fapi refused', () => {
  assert.is(optionsFromSettings({}).idp, undefined)
  assert.is(optionsFromSettings({ LOCAL_IDP: 'fapi' }).idp, 'fapi')
  assert.throws(
    () => optionsFromSettings({ LOCAL_IDP: 'singpass' }),
    (error: Error) => /LOCAL_IDP/.test(error.message),
  )
  assert.throws(
    () => optionsFromSettings({ LOCAL_IDP: 'fapi', PKCE: 'false' }),
    (error: Error) => /PKCE/.test(error.message) && /FAPI/.test(error.message),
  )
  assert.throws(
    () => optionsFromSettings({ LOCAL_IDP: 'fapi', IDP_REQUIRE_ACR: 'urn:example:mfa' }),
    (error: Error) => /IDP_REQUIRE_ACR/.test(error.message),
  )
})

test('the key file: an ES256 signing key and a P-256 enc key, mode 0600, reused', async () => {
  const file = join(dir, '.dev', 'fapi-keys.json')
  const first = await loadOrCreateFapiKeys(file)
  assert.is(first.created, true)
  assert.equal(
    first.keys.keys.map((key) => [key.use, key.alg, key.crv]),
    [
      ['sig', 'ES256', 'P-256'],
      ['enc', 'ECDH-ES+A256KW', 'P-256'],
    ],
  )
  assert.is((await stat(file)).mode & 0o777, 0o600)
  const second = await loadOrCreateFapiKeys(file)
  assert.is(second.created, false)
  assert.equal(second.keys, first.keys)
})

test('a key file without an enc key stops the start, naming the file and no key material', async () => {
  const file = join(dir, 'fapi-keys.json')
  const { keys } = await generateFapiKeys()
  const signingOnly = { keys: keys.filter((key) => key.use !== 'enc') }
  await writeFile(file, JSON.stringify(signingOnly))
  try {
    await loadOrCreateFapiKeys(file)
    assert.unreachable('a key set without an enc key was accepted')
  } catch (error) {
    const message = (error as Error).message
    assert.ok(message.startsWith(`${file}: `), message)
    assert.match(message, /enc/)
    assert.not.ok(message.includes(String(signingOnly.keys[0]?.d)), 'no key material')
  }
  assert.equal(JSON.parse(await readFile(file, 'utf8')), signingOnly)
})

test("the proxy's JWKS gives the IdP the public signing and enc keys, never a private part", async () => {
  const keys = await generateFapiKeys('PS256')
  const run = await startLocal({ idp: 'fapi', fapiKeys: keys })
  try {
    assert.ok(run.fapi?.requires.includes('PS256 private_key_jwt with aud = issuer'))
    const jwks = (await (await fetch(run.proxy.jwks)).json()) as { keys: Record<string, string>[] }
    assert.equal(
      jwks.keys.map((key) => [key.kid, key.use, key.alg]),
      keys.keys.map((key) => [key.kid, key.use, key.alg]),
    )
    for (const key of jwks.keys) assert.is(key.d, undefined)
  } finally {
    await run.close()
  }
})

test.run()
