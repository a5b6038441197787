/**
 * Secrets the proxy must refuse, and the CLI with it (both through core's parsePrivateKeySet):
 * the message says which key and what is wrong, and never contains key material.
 */
import { generateKeyPairSync } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isProxyError, keysFromEnv, staticKeySource } from '@idp-proxy/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { cli, removeTempDirs, tempDir } from './helpers.js'

test.after(removeTempDirs)

const rsa = () => ({
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
})
const publicOnly = ({ d, p, q, dp, dq, qi, ...rest }: Record<string, unknown>) => rest

const good = { ...rsa(), kid: 'good', alg: 'RS256' }
const CASES: { name: string; secret: unknown; message: RegExp }[] = [
  {
    name: 'an unknown algorithm',
    secret: { ...rsa(), kid: 'k1', alg: 'RS1' },
    message: /the key \(kid "k1"\) has the unsupported algorithm "RS1"; supported: RS256/,
  },
  {
    name: 'a symmetric algorithm',
    secret: { keys: [good, { ...rsa(), kid: 'hs', alg: 'HS256' }] },
    message: /key 1 \(kid "hs"\) has the unsupported algorithm "HS256"/,
  },
  {
    name: 'a public-only key',
    secret: { ...publicOnly(rsa()), kid: 'pub' },
    message:
      /the key \(kid "pub"\) is a public key: a private key \(with "d"\) is required to sign/,
  },
  {
    name: 'a public-only key in a JWKS',
    secret: { keys: [good, { ...publicOnly(rsa()), kid: 'pub2' }], active_kid: 'good' },
    message: /key 1 \(kid "pub2"\) is a public key/,
  },
  {
    name: 'a missing kid',
    secret: rsa(),
    message: /the key has no "kid": give every key a key id the IdP can match/,
  },
  {
    name: 'a missing kid in a JWKS',
    secret: { keys: [good, rsa()] },
    message: /key 1 has no "kid"/,
  },
]

for (const { name, secret, message } of CASES) {
  test(`refused by the proxy and by every command: ${name}`, async () => {
    // The proxy's key source (what a secret or PRIVATE_KEY goes through) refuses it...
    try {
      staticKeySource(JSON.stringify(secret))
      assert.unreachable('accepted')
    } catch (error) {
      assert.ok(isProxyError(error))
      assert.is(error.code, 'ERR_INVALID_KEY')
      assert.match(error.message, message)
    }
    try {
      keysFromEnv({ PRIVATE_KEY: JSON.stringify(secret) })
      assert.unreachable('accepted')
    } catch (error) {
      assert.ok(isProxyError(error))
      assert.is(error.option, 'PRIVATE_KEY')
      assert.match(error.message, message)
      // The message names the problem, never the key's private parts.
      const d = (secret as { d?: string }).d
      if (d) assert.not.match(error.message, d)
    }
    // ...and so does every command that reads a secret.
    const dir = await tempDir()
    await writeFile(join(dir, 'secret.json'), JSON.stringify(secret), { mode: 0o600 })
    for (const command of [['public'], ['rotate'], ['promote'], ['promote', '--drop-old']]) {
      const run = await cli([...command, '--in', 'secret.json'], dir)
      assert.is(run.code, 1, command.join(' '))
      assert.is(run.stdout, '')
      assert.match(run.stderr, message)
      assert.is(run.stderr.trimEnd().split('\n').length, 1)
    }
  })
}

test('unreadable or malformed files: one line, exit 1', async () => {
  const dir = await tempDir()
  await writeFile(join(dir, 'broken.json'), '{"kty": "RSA", ')
  await writeFile(join(dir, 'array.json'), '[]')
  const cases: [string[], RegExp][] = [
    [
      ['public', '--in', 'missing.json'],
      /^idp-proxy-keys public: --in: cannot read missing.json: no such file or directory$/,
    ],
    [['public', '--in', '.'], /--in: cannot read \.: it is a directory/],
    [['public'], /--in: is required/],
    [
      ['rotate', '--in', 'broken.json'],
      /the private key is not valid JSON \(expected a JWK or a JWKS\)/,
    ],
    [['promote', '--in', 'array.json'], /the private key must be a JSON object/],
    [['rotate', '--in', 'broken.json', '--in', 'x'], /--in: is given twice/],
    [['promote', '--in', 'x.json', '--force=yes'], /--force: takes no value/],
  ]
  for (const [args, expected] of cases) {
    const run = await cli(args, dir)
    assert.is(run.code, 1, args.join(' '))
    assert.match(run.stderr.trimEnd(), expected)
    assert.is(run.stderr.trimEnd().split('\n').length, 1)
  }
})

test.run()
