import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { staticKeySource } from '@idp-proxy/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadOrCreateDevKey } from '../src/dev-key.js'

let dir: string

test.before.each(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idp-proxy-dev-key-'))
})

test.after.each(async () => {
  await rm(dir, { recursive: true, force: true })
})

test('generates a private RS256 JWK with a kid, mode 0600, and reuses it on the next start', async () => {
  const file = join(dir, '.dev', 'private-key.json')
  const first = await loadOrCreateDevKey(file)
  assert.is(first.created, true)
  assert.is(first.key.alg, 'RS256')
  assert.ok(first.key.kid)
  assert.is((await stat(file)).mode & 0o777, 0o600)
  // Core takes the file's content as it is (the seed's one-JWK format).
  const jwks = await staticKeySource(await readFile(file, 'utf8')).publicJwks()
  assert.is(jwks.keys[0]?.kid, first.key.kid)

  const second = await loadOrCreateDevKey(file)
  assert.is(second.created, false)
  assert.is(second.key.kid, first.key.kid)
})

test('a file without a usable private key stops the start, naming the file', async () => {
  const file = join(dir, 'private-key.json')
  await writeFile(file, JSON.stringify({ kty: 'RSA', kid: 'k', n: 'AQAB', e: 'AQAB' }))
  try {
    await loadOrCreateDevKey(file)
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.instance(error, Error)
    assert.ok((error as Error).message.startsWith(`${file}: `), (error as Error).message)
    assert.match((error as Error).message, /Delete the file/)
  }
})

test.run()
