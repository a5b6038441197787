import { execFileSync } from 'node:child_process'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PublicJwk } from '@idp-proxy/core'
import { calculateJwkThumbprint } from 'jose'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEFAULT_KEY_DIR } from '../src/files.js'
import { cli, fileMode, readJson, removeTempDirs, signAndVerify, tempDir } from './helpers.js'

test.after(removeTempDirs)

async function generateIn(args: string[] = []) {
  const dir = await tempDir()
  const run = await cli(['generate', ...args], dir)
  assert.is(run.code, 0, run.stderr)
  const printed = JSON.parse(run.stdout) as PublicJwk
  const privatePath = join(dir, DEFAULT_KEY_DIR, `${printed.kid}.private.jwk.json`)
  const publicPath = join(dir, DEFAULT_KEY_DIR, `${printed.kid}.public.jwk.json`)
  return { dir, run, printed, privatePath, publicPath }
}

test('generate: RS256 2048 by default, private file 0600 with alg/use/kid, thumbprint kid, verifies', async () => {
  const { run, printed, privatePath, publicPath } = await generateIn()
  assert.is(await fileMode(privatePath), 0o600)
  assert.is(await fileMode(publicPath), 0o644)
  const jwk = await readJson(privatePath)
  assert.is(jwk.kty, 'RSA')
  assert.is(jwk.alg, 'RS256')
  assert.is(jwk.use, 'sig')
  assert.is(jwk.kid, printed.kid)
  assert.type(jwk.d, 'string')
  assert.not.ok('ext' in jwk || 'key_ops' in jwk, 'no Web Crypto leftovers')
  assert.is(Buffer.from(jwk.n as string, 'base64url').length, 256, '2048-bit modulus')
  // The default kid is the RFC 7638 thumbprint of the public key.
  assert.is(
    printed.kid,
    await calculateJwkThumbprint({ kty: 'RSA', n: printed.n, e: printed.e }, 'sha256'),
  )
  assert.equal(await readJson(publicPath), printed)
  assert.not.ok('d' in printed)
  assert.match(run.stderr, 'aws secretsmanager put-secret-value')
  assert.match(run.stderr, `file://${DEFAULT_KEY_DIR}/${printed.kid}.private.jwk.json`)
  assert.match(run.stderr, '/.well-known/jwks.json')

  const { protectedHeader } = await signAndVerify(jwk, printed)
  assert.is(protectedHeader.alg, 'RS256')
  assert.is(protectedHeader.kid, printed.kid)
})

test('generate: PS256 with --bits 3072 and a chosen kid', async () => {
  const { printed, privatePath } = await generateIn([
    '--alg',
    'PS256',
    '--bits=3072',
    '--kid',
    'proxy-2026-11',
  ])
  assert.is(printed.kid, 'proxy-2026-11')
  assert.is(printed.alg, 'PS256')
  assert.is(Buffer.from(printed.n as string, 'base64url').length, 384)
  const jwk = await readJson(privatePath)
  assert.is(await fileMode(privatePath), 0o600)
  const { protectedHeader } = await signAndVerify(jwk, printed)
  assert.is(protectedHeader.alg, 'PS256')
})

test('generate: ES256 into --out DIR', async () => {
  const dir = await tempDir()
  const out = join(dir, 'keys')
  await mkdir(out)
  const run = await cli(['generate', '--alg', 'ES256', '--out', 'keys'], dir)
  assert.is(run.code, 0, run.stderr)
  const printed = JSON.parse(run.stdout) as PublicJwk
  assert.is(printed.kty, 'EC')
  assert.is(printed.crv, 'P-256')
  const files = (await readdir(out)).sort()
  assert.equal(files, [`${printed.kid}.private.jwk.json`, `${printed.kid}.public.jwk.json`])
  const privatePath = join(out, files[0] as string)
  assert.is(await fileMode(privatePath), 0o600)
  await signAndVerify(await readJson(privatePath), printed)
})

test('generate: printed commands quote paths a shell would split', async () => {
  const dir = await tempDir()
  await mkdir(join(dir, "team's keys"))
  const run = await cli(['generate', '--alg', 'ES256', '--kid', 'q', '--out', "team's keys"], dir)
  assert.is(run.code, 0, run.stderr)
  assert.match(run.stderr, `--secret-string file://'team'\\''s keys/q.private.jwk.json'`)
  assert.is(await fileMode(join(dir, "team's keys", 'q.private.jwk.json')), 0o600)
})

test('generate: refuses to overwrite without --force, replaces with it (still 0600)', async () => {
  const { dir, privatePath } = await generateIn(['--kid', 'fixed', '--alg', 'ES256'])
  const again = await cli(['generate', '--kid', 'fixed', '--alg', 'ES256'], dir)
  assert.is(again.code, 1)
  assert.match(again.stderr, /already exists; pass --force/)
  // Nothing half-written when only the public file is in the way.
  await rm(privatePath)
  const blocked = await cli(['generate', '--kid', 'fixed', '--alg', 'ES256'], dir)
  assert.is(blocked.code, 1)
  assert.match(blocked.stderr, /fixed\.public\.jwk\.json already exists/)
  assert.equal((await readdir(join(dir, DEFAULT_KEY_DIR))).sort(), [
    '.gitignore',
    'fixed.public.jwk.json',
  ])
  assert.is((await cli(['generate', '--kid', 'fixed', '--alg', 'ES256', '--force'], dir)).code, 0)
  const before = await readJson(privatePath)
  const forced = await cli(['generate', '--kid', 'fixed', '--alg', 'ES256', '--force'], dir)
  assert.is(forced.code, 0, forced.stderr)
  assert.is.not((await readJson(privatePath)).d, before.d)
  assert.is(await fileMode(privatePath), 0o600)
})

test('generate: wrong flags fail with one line and exit 1', async () => {
  const dir = await tempDir()
  await writeFile(join(dir, 'taken'), 'a file, not a folder')
  const cases: [string[], RegExp][] = [
    [
      ['generate', '--alg', 'HS256'],
      /^idp-proxy-keys generate: --alg: "HS256" is not supported; use one of RS256/,
    ],
    [['generate', '--bits', '1024'], /--bits: must be a whole number of bits from 2048/],
    [['generate', '--bits', 'many'], /--bits: "many" is not a whole number/],
    [
      ['generate', '--alg', 'ES256', '--bits', '2048'],
      /--bits: applies to RSA keys only, not ES256/,
    ],
    [['generate', '--colour', 'red'], /--colour: is not a flag of "generate"/],
    [['generate', '--kid'], /--kid: needs a value/],
    [['generate', '--kid', 'has space'], /kid must be 1 to 128 printable ASCII/],
    [['generate', 'extra'], /unexpected argument "extra"/],
    [['generate', '--out', 'taken'], /--out: .*taken is not a directory/],
    [['generate', '--out', 'taken/keys'], /--out: cannot create .*taken\/keys: a part of the path/],
    [['generate', '--out', '-'], /--out: private keys are never written to standard output/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [[], /no command given/],
  ]
  for (const [args, expected] of cases) {
    const run = await cli(args, dir)
    assert.is(run.code, 1, args.join(' '))
    assert.is(run.stdout, '')
    assert.match(run.stderr, expected)
    assert.is(run.stderr.trimEnd().split('\n').length, 1, `one line for ${args.join(' ')}`)
  }
  assert.equal(await readdir(dir), ['taken'], 'nothing written on failure')
})

test('--help for the tool and each command', async () => {
  const dir = await tempDir()
  const top = await cli(['--help'], dir)
  assert.is(top.code, 0)
  for (const command of ['generate', 'import', 'rotate', 'promote', 'public']) {
    assert.match(top.stdout, command)
    const help = await cli([command, '--help'], dir)
    assert.is(help.code, 0)
    assert.match(help.stdout, `Usage: idp-proxy-keys ${command}`)
  }
})

test('generate without --out: a 0700 folder that git ignores in any repository', async () => {
  const { dir, privatePath } = await generateIn(['--alg', 'ES256'])
  assert.is(await fileMode(join(dir, '.local')), 0o700)
  assert.is(await fileMode(join(dir, DEFAULT_KEY_DIR)), 0o700)
  assert.is(await fileMode(privatePath), 0o600)
  assert.match(await readFile(join(dir, DEFAULT_KEY_DIR, '.gitignore'), 'utf8'), /^\*$/m)
  // A repository with no .gitignore of its own still sees nothing to commit.
  execFileSync('git', ['init', '-q'], { cwd: dir })
  assert.is(
    execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
      cwd: dir,
      encoding: 'utf8',
    }),
    '',
  )
  // A second key goes into the same folder; its .gitignore is left as it is.
  const second = await cli(['generate', '--alg', 'ES256'], dir)
  assert.is(second.code, 0, second.stderr)
  assert.is((await readdir(join(dir, DEFAULT_KEY_DIR))).length, 5)
})

test("the repository's .gitignore covers the default key folder, from the root and below", () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url))
  for (const path of [
    `${DEFAULT_KEY_DIR}/k.private.jwk.json`,
    `packages/core/${DEFAULT_KEY_DIR}/k.private.jwk.json`,
  ]) {
    // check-ignore exits 0 and echoes the path only when a rule ignores it.
    const out = execFileSync('git', ['check-ignore', '--no-index', path], {
      cwd: root,
      encoding: 'utf8',
    })
    assert.is(out.trim(), path)
  }
})

test('generate --out creates a nested folder with mode 0700; an existing folder keeps its mode', async () => {
  const dir = await tempDir()
  const run = await cli(['generate', '--alg', 'ES256', '--kid', 'n', '--out', 'a/b/keys'], dir)
  assert.is(run.code, 0, run.stderr)
  for (const folder of ['a', 'a/b', 'a/b/keys'])
    assert.is(await fileMode(join(dir, folder)), 0o700, folder)
  assert.is(await fileMode(join(dir, 'a/b/keys/n.private.jwk.json')), 0o600)
  assert.equal(
    (await readdir(join(dir, 'a/b/keys'))).sort(),
    ['n.private.jwk.json', 'n.public.jwk.json'],
    'no .gitignore in a folder the user named',
  )
  assert.match(run.stderr, 'file://a/b/keys/n.private.jwk.json')
  await mkdir(join(dir, 'shared'), { mode: 0o755 })
  assert.is((await cli(['generate', '--alg', 'ES256', '--out', 'shared'], dir)).code, 0)
  assert.is(await fileMode(join(dir, 'shared')), 0o755)
})

test.run()
