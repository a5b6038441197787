/**
 * The real executables, as separate processes: the package bin (bin/idp-proxy-keys.mjs, what npx
 * runs), the root script `pnpm keys` and src/bin.ts. Exit codes, one-line errors without a stack,
 * relative paths resolved where the user stands.
 */
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PublicJwk } from '@idp-proxy/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEFAULT_KEY_DIR } from '../src/files.js'
import {
  assertNoPrivateOutput,
  fileMode,
  privateValuesIn,
  type Run,
  readJson,
  removeTempDirs,
  signAndVerify,
  tempDir,
} from './helpers.js'

test.after(removeTempDirs)

const PACKAGE = fileURLToPath(new URL('..', import.meta.url))
const ROOT = join(PACKAGE, '..', '..')
const LAUNCHER = join(PACKAGE, 'bin', 'idp-proxy-keys.mjs')
const SOURCE_BIN = join(PACKAGE, 'src', 'bin.ts')

function run(command: string, args: string[], cwd: string): Promise<Run> {
  // Not the test runner's pnpm variables: the CLI reads npm_lifecycle_event/INIT_CWD.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('npm_') && name !== 'INIT_CWD'),
  )
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

test('package bin (npx): generate writes 0600 + public files and prints only the public key', async () => {
  const dir = await tempDir()
  const result = await run(
    process.execPath,
    [LAUNCHER, 'generate', '--alg', 'ES256', '--kid', 'npx-key'],
    dir,
  )
  assert.is(result.code, 0, result.stderr)
  await assertNoPrivateOutput(result, await privateValuesIn(dir))
  const printed = JSON.parse(result.stdout) as PublicJwk
  assert.is(printed.kid, 'npx-key')
  const privatePath = join(dir, DEFAULT_KEY_DIR, 'npx-key.private.jwk.json')
  assert.is(await fileMode(privatePath), 0o600)
  await signAndVerify(await readJson(privatePath), printed)
  assert.match(result.stderr, 'Next steps:')
})

test('package bin: errors are one line on stderr, exit 1, no stack', async () => {
  const dir = await tempDir()
  await writeFile(
    join(dir, 'public.json'),
    JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'p' }),
  )
  const cases: [string[], RegExp][] = [
    [
      ['public', '--in', 'public.json'],
      /^idp-proxy-keys public: the key \(kid "p"\) is a public key/,
    ],
    [['generate', '--bogus'], /^idp-proxy-keys generate: --bogus: is not a flag of "generate"/],
  ]
  for (const [args, expected] of cases) {
    const result = await run(process.execPath, [LAUNCHER, ...args], dir)
    await assertNoPrivateOutput(result, [])
    assert.is(result.code, 1, args.join(' '))
    assert.is(result.stdout, '')
    assert.is(result.stderr.trimEnd().split('\n').length, 1, result.stderr)
    assert.match(result.stderr, expected)
    assert.not.match(result.stderr, /\n\s+at /)
  }
})

test('pnpm keys (root script): relative paths mean the directory the user runs it from', async () => {
  const dir = await tempDir()
  const generated = await run(
    'pnpm',
    ['--dir', ROOT, '--silent', 'keys', 'generate', '--alg', 'ES256', '--kid', 'root'],
    dir,
  )
  assert.is(generated.code, 0, generated.stderr)
  assert.is(
    await fileMode(join(dir, DEFAULT_KEY_DIR, 'root.private.jwk.json')),
    0o600,
    'written in the user directory, not the root',
  )
  await assertNoPrivateOutput(generated, await privateValuesIn(dir))
  // Printed instructions name the command the user ran.
  assert.match(generated.stderr, 'Next steps:')
  const failed = await run(
    'pnpm',
    ['--dir', ROOT, '--silent', 'keys', 'public', '--in', 'missing.json'],
    dir,
  )
  assert.is(failed.code, 1)
  assert.match(
    failed.stderr,
    /^pnpm keys public: --in: cannot read missing.json: no such file or directory/,
  )
})

test('src/bin.ts under node --import tsx', async () => {
  const result = await run(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', SOURCE_BIN, 'public', '--help'],
    PACKAGE,
  )
  assert.is(result.code, 0, result.stderr)
  assert.match(result.stdout, 'Usage: idp-proxy-keys public --in private.json')
})

test.run()
