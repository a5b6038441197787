/**
 * The keys CLI for every signing algorithm of core's table and for encryption keys
 * (`--use enc`): generate, import (PEM), rotate, promote and public. Every run goes through the
 * leak check of helpers.cli (no private member, PEM key or private value of any key file in the
 * folder is ever printed), encryption keys included.
 */
import { generateKeyPairSync } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  decryptJwe,
  type EncryptionPublicJwk,
  importDecrypter,
  type Jwks,
  type PublishedJwk,
  SIGNING_ALGORITHMS,
} from '@idp-proxy/core'
import { CompactEncrypt, importJWK, type JWK } from 'jose'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEFAULT_KEY_DIR } from '../src/files.js'
import type { PrivateKeySetJson } from '../src/index.js'
import { cli, fileMode, readJson, removeTempDirs, signAndVerify, tempDir } from './helpers.js'

test.after(removeTempDirs)

async function generated(dir: string, args: string[]) {
  const run = await cli(['generate', ...args], dir)
  assert.is(run.code, 0, run.stderr)
  const printed = JSON.parse(run.stdout) as PublishedJwk
  const privatePath = join(dir, DEFAULT_KEY_DIR, `${printed.kid}.private.jwk.json`)
  assert.is(await fileMode(privatePath), 0o600)
  return { run, printed, privatePath, jwk: await readJson(privatePath) }
}

/** Encrypts to a published `use: "enc"` key with jose, as an IdP would. */
async function encryptTo(published: PublishedJwk, plaintext = 'a.b.c', enc = 'A256GCM') {
  return new CompactEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: published.alg, enc, kid: published.kid })
    .encrypt(await importJWK(published as JWK, published.alg))
}

test('generate --alg: every algorithm of the table signs and verifies against the printed JWK', async () => {
  const dir = await tempDir()
  for (const alg of SIGNING_ALGORITHMS) {
    const { printed, jwk } = await generated(dir, ['--alg', alg])
    assert.is(printed.alg, alg)
    assert.is(printed.use, 'sig')
    if (alg === 'EdDSA') assert.equal([printed.kty, printed.crv], ['OKP', 'Ed25519'])
    if (alg === 'ES512') assert.is(printed.crv, 'P-521')
    const { protectedHeader } = await signAndVerify(jwk, printed as never)
    assert.is(protectedHeader.alg, alg)
  }
})

test('generate --use enc: ECDH-ES+A256KW on P-256 by default, --crv, RSA-OAEP-256; each decrypts', async () => {
  const dir = await tempDir()
  const cases: [string[], string, string | undefined][] = [
    [[], 'ECDH-ES+A256KW', 'P-256'],
    [['--crv', 'P-384'], 'ECDH-ES+A256KW', 'P-384'],
    [['--alg', 'ECDH-ES', '--crv', 'P-521'], 'ECDH-ES', 'P-521'],
    [['--alg', 'RSA-OAEP-256', '--bits', '3072'], 'RSA-OAEP-256', undefined],
  ]
  for (const [args, alg, crv] of cases) {
    const { run, printed, jwk } = await generated(dir, ['--use', 'enc', ...args])
    assert.equal([printed.use, printed.alg, printed.crv], ['enc', alg, crv])
    assert.is(jwk.use, 'enc')
    assert.match(run.stderr, 'encryption key')
    assert.match(run.stderr, 'rotate --use enc')
    const decrypter = await importDecrypter(jwk)
    assert.is(await decryptJwe(await encryptTo(printed), [decrypter]), 'a.b.c')
  }
  for (const [args, message] of [
    [['--use', 'enc', '--alg', 'RS256'], /--alg: "RS256" is not an encryption algorithm/],
    [['--use', 'enc', '--crv', 'Ed25519'], /--crv: "Ed25519" is not supported/],
    [['--use', 'enc', '--alg', 'RSA-OAEP-256', '--crv', 'P-256'], /--crv: applies to EC keys/],
    [['--alg', 'ES256', '--crv', 'P-256'], /--crv: applies to encryption keys only/],
    [['--use', 'both'], /--use: "both" is not a key use/],
  ] as const) {
    const run = await cli(['generate', ...args], dir)
    assert.is(run.code, 1, args.join(' '))
    assert.match(run.stderr, message)
  }
})

test('import: PEM keys of every kind, signing and (--use enc) encryption', async () => {
  const dir = await tempDir()
  const pems: [string, ReturnType<typeof generateKeyPairSync>['privateKey']][] = [
    ['rsa', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
    ['p256', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey],
    ['p384', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey],
    ['p521', generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey],
    ['ed25519', generateKeyPairSync('ed25519').privateKey],
  ]
  for (const [name, key] of pems) {
    await writeFile(join(dir, `${name}.pem`), key.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    })
  }
  const signing: [string, string[], string][] = [
    ['rsa', [], 'RS256'],
    ...(['RS384', 'RS512', 'PS256', 'PS384', 'PS512'].map((alg) => [
      'rsa',
      ['--alg', alg],
      alg,
    ]) as [string, string[], string][]),
    ['p256', [], 'ES256'],
    ['p384', [], 'ES384'],
    ['p521', [], 'ES512'],
    ['ed25519', [], 'EdDSA'],
  ]
  for (const [name, args, alg] of signing) {
    const run = await cli(
      ['import', '--key', `${name}.pem`, '--out', `${name}-${alg}.json`, '--force', ...args],
      dir,
    )
    assert.is(run.code, 0, run.stderr)
    const printed = JSON.parse(run.stdout) as PublishedJwk
    assert.is(printed.alg, alg)
    const { protectedHeader } = await signAndVerify(
      await readJson(join(dir, `${name}-${alg}.json`)),
      printed as never,
    )
    assert.is(protectedHeader.alg, alg)
  }
  const encryption: [string, string[], string][] = [
    ['rsa', [], 'RSA-OAEP-256'],
    ['p256', [], 'ECDH-ES+A256KW'],
    ['p384', ['--alg', 'ECDH-ES'], 'ECDH-ES'],
    ['p521', [], 'ECDH-ES+A256KW'],
  ]
  for (const [name, args, alg] of encryption) {
    const out = `${name}-enc.json`
    const run = await cli(
      ['import', '--key', `${name}.pem`, '--use', 'enc', '--out', out, ...args],
      dir,
    )
    assert.is(run.code, 0, run.stderr)
    const printed = JSON.parse(run.stdout) as PublishedJwk
    assert.equal([printed.use, printed.alg], ['enc', alg])
    const decrypter = await importDecrypter(await readJson(join(dir, out)))
    assert.is(await decryptJwe(await encryptTo(printed), [decrypter]), 'a.b.c')
  }
  for (const [args, message] of [
    [['--key', 'ed25519.pem', '--use', 'enc'], /encryption key must be RSA or EC/],
    [['--key', 'rsa.pem', '--use', 'enc', '--alg', 'ECDH-ES'], /RSA key; it decrypts RSA-OAEP-256/],
    [['--key', 'p256.pem', '--use', 'enc', '--alg', 'RSA-OAEP-256'], /EC key; it cannot decrypt/],
    [['--key', 'ed25519.pem', '--alg', 'ES256'], /signs EdDSA, not ES256/],
  ] as const) {
    const run = await cli(['import', ...args], dir)
    assert.is(run.code, 1, args.join(' '))
    assert.match(run.stderr, message)
  }
})

test('rotate/promote --use enc: a first key, a next key, promote, drop; signing keys untouched', async () => {
  const dir = await tempDir()
  const sig = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
  await writeFile(
    join(dir, 'set.json'),
    JSON.stringify({ ...sig.export({ format: 'jwk' }), kid: 'sig-1' }),
    {
      mode: 0o600,
    },
  )
  const read = () => readJson<PrivateKeySetJson>(join(dir, 'set.json'))

  // A set without an encryption key gets its first one, active at once.
  let run = await cli(['rotate', '--in', 'set.json', '--use', 'enc', '--kid', 'enc-1'], dir)
  assert.is(run.code, 0, run.stderr)
  assert.match(run.stderr, 'as the encryption key')
  let set = await read()
  assert.equal([set.active_kid, set.active_enc_kid], ['sig-1', 'enc-1'])
  assert.equal(
    (JSON.parse(run.stdout) as Jwks<PublishedJwk>).keys.map((k) => [k.kid, k.use]),
    [
      ['sig-1', 'sig'],
      ['enc-1', 'enc'],
    ],
  )

  // A next one (same alg and curve as the active one), published after it.
  run = await cli(['rotate', '--in', 'set.json', '--use', 'enc', '--kid', 'enc-2'], dir)
  assert.is(run.code, 0, run.stderr)
  assert.match(run.stderr, 'promote --use enc')
  set = await read()
  assert.is(set.active_enc_kid, 'enc-1')
  const enc2 = set.keys.find((key) => key.kid === 'enc-2') as Record<string, unknown>
  assert.equal([enc2.alg, enc2.crv, enc2.use], ['ECDH-ES+A256KW', 'P-256', 'enc'])
  run = await cli(['rotate', '--in', 'set.json', '--use', 'enc'], dir)
  assert.is(run.code, 1)
  assert.match(run.stderr, 'already has a next encryption key "enc-2"')

  // Promote: enc-2 is published first; both decrypt (the IdP may still use enc-1).
  run = await cli(['promote', '--in', 'set.json', '--use', 'enc'], dir)
  assert.is(run.code, 0, run.stderr)
  set = await read()
  assert.equal([set.active_kid, set.active_enc_kid], ['sig-1', 'enc-2'])
  run = await cli(['public', '--in', 'set.json'], dir)
  const published = (JSON.parse(run.stdout) as Jwks<PublishedJwk>).keys
  assert.equal(
    published.map((k) => k.kid),
    ['sig-1', 'enc-2', 'enc-1'],
  )
  const decrypters = await Promise.all(
    set.keys.filter((key) => key.use === 'enc').map((key) => importDecrypter(key)),
  )
  for (const key of published.filter((k) => k.use === 'enc')) {
    assert.is(await decryptJwe(await encryptTo(key), decrypters), 'a.b.c', key.kid)
  }

  // Drop the old one; the signing key is untouched throughout.
  run = await cli(['promote', '--in', 'set.json', '--use', 'enc', '--drop-old'], dir)
  assert.is(run.code, 0, run.stderr)
  set = await read()
  assert.equal(
    set.keys.map((key) => key.kid),
    ['sig-1', 'enc-2'],
  )
  const { protectedHeader } = await signAndVerify(set, { keys: published } as never)
  assert.is(protectedHeader.kid, 'sig-1')

  // --key adds a key made elsewhere (generate --use enc, import --use enc).
  run = await cli(['generate', '--use', 'enc', '--alg', 'RSA-OAEP-256', '--kid', 'enc-rsa'], dir)
  assert.is(run.code, 0, run.stderr)
  const file = join(DEFAULT_KEY_DIR, 'enc-rsa.private.jwk.json')
  run = await cli(['rotate', '--in', 'set.json', '--use', 'enc', '--key', file], dir)
  assert.is(run.code, 0, run.stderr)
  set = await read()
  assert.ok(set.keys.some((key) => key.kid === 'enc-rsa' && key.alg === 'RSA-OAEP-256'))
  run = await cli(['rotate', '--in', 'set.json', '--key', file, '--force', '--out', 'x.json'], dir)
  assert.is(run.code, 1)
  assert.match(run.stderr, '--key: is not a key')
  run = await cli(['rotate', '--in', 'set.json', '--use', 'enc', '--key', file, '--kid', 'k'], dir)
  assert.is(run.code, 1)
  assert.match(run.stderr, '--key: adds the given key as it is')
})

test('public: an encryption key alone prints its public half; the proxy still refuses it alone', async () => {
  const dir = await tempDir()
  const { privatePath, printed } = await generated(dir, ['--use', 'enc', '--kid', 'alone'])
  const run = await cli(['public', '--in', privatePath], dir)
  assert.is(run.code, 0, run.stderr)
  const jwks = JSON.parse(run.stdout) as Jwks<EncryptionPublicJwk>
  assert.equal(jwks.keys, [printed])
  const refused = await cli(['promote', '--in', privatePath], dir)
  assert.is(refused.code, 1)
  assert.match(refused.stderr, 'has no key')
})

test.run()
