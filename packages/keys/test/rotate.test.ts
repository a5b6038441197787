import { generateKeyPairSync } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Jwks, PrivateJwk } from '@idp-proxy/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type PrivateKeySetJson, promote, publicJwks, rotate } from '../src/index.js'
import { cli, fileMode, readJson, removeTempDirs, signAndVerify, tempDir } from './helpers.js'

test.after(removeTempDirs)

/** The seed's secret: one private RSA JWK with a kid and nothing else (no alg, no use). */
async function seedKey(dir: string, bits = 3072): Promise<string> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits })
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'seed-key' }
  await writeFile(join(dir, 'private.json'), JSON.stringify(jwk), { mode: 0o600 })
  return 'private.json'
}

test('rotate: the seed single JWK becomes a JWKS with a next key; the current key stays active', async () => {
  const dir = await tempDir()
  const file = await seedKey(dir)
  const run = await cli(['rotate', '--in', file], dir)
  assert.is(run.code, 0, run.stderr)
  const set = await readJson<PrivateKeySetJson>(join(dir, file))
  assert.is(await fileMode(join(dir, file)), 0o600)
  assert.is(set.active_kid, 'seed-key')
  assert.is(set.keys.length, 2)
  const [old, next] = set.keys as [PrivateJwk, PrivateJwk]
  assert.is(old.kid, 'seed-key')
  assert.is(old.alg, 'RS256', 'the seed key gets its algorithm settled')
  assert.is(next.alg, 'RS256')
  assert.is(
    Buffer.from(next.n as string, 'base64url').length,
    384,
    'same strength as the current key',
  )
  const printed = JSON.parse(run.stdout) as Jwks
  assert.equal(
    printed.keys.map((key) => key.kid),
    ['seed-key', next.kid],
  )
  assert.match(run.stderr, `Added "${next.kid}"`)
  assert.match(run.stderr, 'idp-proxy-keys promote --in private.json')
  // Still signs with the old key, and the printed JWKS verifies it.
  const { protectedHeader } = await signAndVerify(set, printed)
  assert.is(protectedHeader.kid, 'seed-key')
})

test('rotate: --alg/--kid for the next key, --out leaves --in untouched; refuses a second pending key', async () => {
  const dir = await tempDir()
  const gen = await cli(['generate', '--alg', 'ES256', '--kid', 'one', '--out', '.'], dir)
  assert.is(gen.code, 0, gen.stderr)
  const run = await cli(
    [
      'rotate',
      '--in',
      'one.private.jwk.json',
      '--alg',
      'ES256',
      '--kid',
      'two',
      '--out',
      'set.json',
    ],
    dir,
  )
  assert.is(run.code, 0, run.stderr)
  assert.is((await readJson(join(dir, 'one.private.jwk.json'))).kid, 'one', '--in is not changed')
  const set = await readJson<PrivateKeySetJson>(join(dir, 'set.json'))
  assert.is(await fileMode(join(dir, 'set.json')), 0o600)
  assert.equal(
    set.keys.map((key) => [key.kid, key.alg]),
    [
      ['one', 'ES256'],
      ['two', 'ES256'],
    ],
  )
  const again = await cli(['rotate', '--in', 'set.json'], dir)
  assert.is(again.code, 1)
  assert.match(again.stderr, /already has a next key "two" that is not active yet: promote it/)
  const clash = await cli(
    ['rotate', '--in', 'one.private.jwk.json', '--kid', 'one', '--out', 'x.json'],
    dir,
  )
  assert.is(clash.code, 1)
  assert.match(clash.stderr, /--kid: the key set already has a key with kid "one"/)
  const exists = await cli(['rotate', '--in', 'one.private.jwk.json', '--out', 'set.json'], dir)
  assert.is(exists.code, 1)
  assert.match(exists.stderr, /set.json already exists; pass --force/)
})

test('promote: the next key signs; --drop-old afterwards removes the old key', async () => {
  const dir = await tempDir()
  const file = await seedKey(dir, 2048)
  assert.is((await cli(['rotate', '--in', file, '--alg', 'PS256'], dir)).code, 0)
  const rotated = await readJson<PrivateKeySetJson>(join(dir, file))
  const nextKid = (rotated.keys[1] as PrivateJwk).kid

  const run = await cli(['promote', '--in', file], dir)
  assert.is(run.code, 0, run.stderr)
  const promoted = await readJson<PrivateKeySetJson>(join(dir, file))
  assert.is(promoted.active_kid, nextKid)
  assert.is(promoted.keys.length, 2, 'the old key stays published')
  assert.is(await fileMode(join(dir, file)), 0o600)
  const jwks = JSON.parse(run.stdout) as Jwks
  assert.is(jwks.keys.length, 2)
  const { protectedHeader } = await signAndVerify(promoted, jwks)
  assert.is(protectedHeader.kid, nextKid)
  assert.is(protectedHeader.alg, 'PS256')
  assert.match(run.stderr, `"${nextKid}" is now the active key (was "seed-key")`)
  assert.match(run.stderr, `promote --in ${file} --drop-old`)

  const nothing = await cli(['promote', '--in', file], dir)
  assert.is(nothing.code, 1)
  assert.match(
    nothing.stderr,
    /is the newest key: there is nothing to promote \(run rotate first\)/,
  )

  const drop = await cli(['promote', '--in', file, '--drop-old'], dir)
  assert.is(drop.code, 0, drop.stderr)
  const final = await readJson<PrivateKeySetJson>(join(dir, file))
  assert.equal(final, { keys: [promoted.keys[1]], active_kid: nextKid })
  assert.equal(
    (JSON.parse(drop.stdout) as Jwks).keys.map((key) => key.kid),
    [nextKid],
  )
  assert.match(drop.stderr, 'Removed "seed-key"')
  assert.match(drop.stderr, 'remove the old key "seed-key"')

  const empty = await cli(['promote', '--in', file, '--drop-old'], dir)
  assert.is(empty.code, 1)
  assert.match(empty.stderr, /no key before the active key .*nothing to drop/)
})

test('promote: --kid picks the key, --drop-old in the same step; unknown kid is refused', async () => {
  const dir = await tempDir()
  const file = await seedKey(dir, 2048)
  assert.is((await cli(['rotate', '--in', file, '--kid', 'k2'], dir)).code, 0)
  const unknown = await cli(['promote', '--in', file, '--kid', 'k9'], dir)
  assert.is(unknown.code, 1)
  assert.match(
    unknown.stderr,
    /--kid: no key with kid "k9" in the key set \(kids: "seed-key", "k2"\)/,
  )
  const already = await cli(['promote', '--in', file, '--kid', 'seed-key'], dir)
  assert.match(already.stderr, /"seed-key" is already the active key/)
  // Switch to k2, then back: a rollback while both keys are in the set.
  assert.is((await cli(['promote', '--in', file, '--kid', 'k2'], dir)).code, 0)
  const back = await cli(['promote', '--in', file, '--kid', 'seed-key'], dir)
  assert.is(back.code, 0, back.stderr)
  assert.is((await readJson<PrivateKeySetJson>(join(dir, file))).active_kid, 'seed-key')
  const run = await cli(['promote', '--in', file, '--kid', 'k2', '--drop-old'], dir)
  assert.is(run.code, 0, run.stderr)
  const set = await readJson<PrivateKeySetJson>(join(dir, file))
  assert.is(set.active_kid, 'k2')
  assert.equal(
    set.keys.map((key) => key.kid),
    ['k2'],
  )
})

test('public: prints the public JWKS of a JWK or JWKS, also from standard input', async () => {
  const dir = await tempDir()
  const file = await seedKey(dir, 2048)
  const single = await cli(['public', '--in', file], dir)
  assert.is(single.code, 0, single.stderr)
  const jwks = JSON.parse(single.stdout) as Jwks
  assert.equal(Object.keys(jwks), ['keys'])
  assert.equal(
    jwks.keys.map((key) => [key.kid, key.alg, key.use, key.kty]),
    [['seed-key', 'RS256', 'sig', 'RSA']],
  )
  await signAndVerify(await readJson(join(dir, file)), jwks)

  assert.is((await cli(['rotate', '--in', file], dir)).code, 0)
  const piped = await cli(['public', '--in', '-'], dir, await readFile(join(dir, file), 'utf8'))
  assert.is(piped.code, 0, piped.stderr)
  assert.is((JSON.parse(piped.stdout) as Jwks).keys.length, 2)
  assert.is(piped.stderr, '')
})

test('rotate/promote from standard input need --out and never write to standard output', async () => {
  const dir = await tempDir()
  const file = await seedKey(dir, 2048)
  const text = await readFile(join(dir, file), 'utf8')
  const noOut = await cli(['rotate', '--in', '-'], dir, text)
  assert.is(noOut.code, 1)
  assert.match(noOut.stderr, /--out: is required when --in is "-"/)
  const dash = await cli(['rotate', '--in', '-', '--out', '-'], dir, text)
  assert.is(dash.code, 1)
  assert.match(dash.stderr, /--out: private keys are never written to standard output/)
  const ok = await cli(['rotate', '--in', '-', '--out', 'rotated.json'], dir, text)
  assert.is(ok.code, 0, ok.stderr)
  assert.is(await fileMode(join(dir, 'rotated.json')), 0o600)
})

test('library: rotate and promote work on objects', async () => {
  const dir = await tempDir()
  await seedKey(dir, 2048)
  const seed = await readJson(join(dir, 'private.json'))
  const rotated = await rotate(seed, { alg: 'ES256', kid: 'ec-next' })
  assert.is(rotated.activeKid, 'seed-key')
  assert.is(rotated.nextKid, 'ec-next')
  const promoted = promote(rotated.set)
  assert.is(promoted.activeKid, 'ec-next')
  assert.equal(promoted.droppedKids, [])
  // A parsed set keeps its active key (not the first one) when passed back in.
  assert.throws(() => promote(promoted.set), /nothing to promote/)
  const finished = promote(promoted.set, { dropOld: true })
  assert.is(finished.previousKid, 'ec-next')
  assert.equal(finished.droppedKids, ['seed-key'])
  assert.is(finished.set.keys.length, 1)
  assert.equal(
    publicJwks(finished.set).keys.map((key) => key.kid),
    ['ec-next'],
  )
})

test.run()
