import { createHash, generateKeyPairSync } from 'node:crypto'
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PublicJwk } from '@idp-proxy/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEFAULT_KEY_DIR } from '../src/files.js'
import {
  cli,
  fileMode,
  openssl,
  readJson,
  removeTempDirs,
  selfSignedCertificate,
  signAndVerify,
  tempDir,
} from './helpers.js'

test.after(removeTempDirs)

type Pem = { type: 'pkcs8' | 'pkcs1' | 'sec1'; keyType: 'rsa' | 'ec' }

async function pemFile(dir: string, name: string, { type, keyType }: Pem): Promise<string> {
  const { privateKey } =
    keyType === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  await writeFile(join(dir, name), privateKey.export({ type, format: 'pem' }) as string, {
    mode: 0o600,
  })
  return name
}

async function importAndCheck(dir: string, args: string[]) {
  const run = await cli(['import', ...args], dir)
  assert.is(run.code, 0, run.stderr)
  const printed = JSON.parse(run.stdout) as PublicJwk
  const out = join(dir, DEFAULT_KEY_DIR, `${printed.kid}.private.jwk.json`)
  const jwk = await readJson(out)
  assert.is(await fileMode(out), 0o600)
  assert.is(jwk.kid, printed.kid)
  assert.is(jwk.use, 'sig')
  const verified = await signAndVerify(jwk, printed)
  return { run, printed, jwk, verified }
}

test('import: PKCS#8 RSA key -> RS256 private JWK that signs', async () => {
  const dir = await tempDir()
  const key = await pemFile(dir, 'key.pem', { type: 'pkcs8', keyType: 'rsa' })
  const { printed, jwk } = await importAndCheck(dir, ['--key', key])
  assert.is(printed.alg, 'RS256')
  assert.is(jwk.kty, 'RSA')
  assert.is(printed.kid.length, 43, 'thumbprint kid')
})

test('import: PKCS#1 RSA key ("BEGIN RSA PRIVATE KEY") as PS256 with a kid', async () => {
  const dir = await tempDir()
  const key = await pemFile(dir, 'rsa.pem', { type: 'pkcs1', keyType: 'rsa' })
  const { printed, verified } = await importAndCheck(dir, [
    '--key',
    key,
    '--alg',
    'PS256',
    '--kid',
    'legacy',
  ])
  assert.is(printed.kid, 'legacy')
  assert.is(verified.protectedHeader.alg, 'PS256')
})

test('import: SEC1 EC key ("BEGIN EC PRIVATE KEY") and a PKCS#8 EC key from openssl', async () => {
  const dir = await tempDir()
  const sec1 = await pemFile(dir, 'ec.pem', { type: 'sec1', keyType: 'ec' })
  const first = await importAndCheck(dir, ['--key', sec1])
  assert.is(first.printed.alg, 'ES256')
  // openssl's own output (EC PARAMETERS block before the key) is accepted too.
  openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-out', 'openssl-ec.pem'], dir)
  await chmod(join(dir, 'openssl-ec.pem'), 0o600)
  const second = await importAndCheck(dir, ['--key', 'openssl-ec.pem'])
  assert.is(second.printed.crv, 'P-256')
})

test('import: key + self-signed certificate adds x5c and x5t#S256; the assertion header carries it', async () => {
  const dir = await tempDir()
  selfSignedCertificate(dir, {
    keyOut: 'key.pem',
    certOut: 'cert.pem',
    subject: '/CN=idp-proxy test',
    days: 30,
  })
  await chmod(join(dir, 'key.pem'), 0o600)
  openssl(['x509', '-in', 'cert.pem', '-outform', 'DER', '-out', 'cert.der'], dir)
  const der = await readFile(join(dir, 'cert.der'))
  const expected = createHash('sha256').update(der).digest('base64url')

  const { run, printed, jwk, verified } = await importAndCheck(dir, [
    '--key',
    'key.pem',
    '--cert',
    'cert.pem',
    '--alg',
    'PS256',
  ])
  assert.equal(printed.x5c, [der.toString('base64')])
  assert.is(printed['x5t#S256'], expected)
  assert.is(jwk['x5t#S256'], expected)
  assert.is(verified.protectedHeader['x5t#S256'], expected, 'Entra ID matches this header')
  assert.match(run.stderr, 'CN=idp-proxy test')
  assert.match(run.stderr, expected)
})

test('import: a certificate that belongs to another key is refused', async () => {
  const dir = await tempDir()
  selfSignedCertificate(dir, {
    keyOut: 'other.pem',
    certOut: 'cert.pem',
    subject: '/CN=other',
    days: 1,
  })
  await chmod(join(dir, 'other.pem'), 0o600)
  const key = await pemFile(dir, 'key.pem', { type: 'pkcs8', keyType: 'rsa' })
  const run = await cli(['import', '--key', key, '--cert', 'cert.pem'], dir)
  assert.is(run.code, 1)
  assert.match(
    run.stderr,
    /^idp-proxy-keys import: the certificate \(CN=other\) does not match the private key\n$/,
  )
})

test('import: clear one-line errors for unusable input', async () => {
  const dir = await tempDir()
  selfSignedCertificate(dir, {
    keyOut: 'k.pem',
    certOut: 'cert.pem',
    subject: '/CN=x',
    days: 1,
    newKey: 'ec',
  })
  await chmod(join(dir, 'k.pem'), 0o600)
  openssl(['pkey', '-in', 'k.pem', '-pubout', '-out', 'public.pem'], dir)
  openssl(['genrsa', '-aes256', '-passout', 'pass:secret', '-out', 'encrypted.pem', '2048'], dir)
  openssl(
    ['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'pss.pem'],
    dir,
  )
  openssl(['genpkey', '-algorithm', 'ed448', '-out', 'ed.pem'], dir)
  openssl(['ecparam', '-name', 'secp256k1', '-genkey', '-out', 'k1.pem'], dir)
  for (const file of ['encrypted.pem', 'pss.pem', 'ed.pem', 'k1.pem'])
    await chmod(join(dir, file), 0o600)
  await writeFile(join(dir, 'garbage.pem'), 'not a key')
  const cases: [string[], RegExp][] = [
    [['import'], /--key: is required/],
    [['import', '--key', 'nope.pem'], /--key: cannot read nope.pem: no such file or directory/],
    [['import', '--key', 'cert.pem'], /holds no private key \(found "CERTIFICATE"\)/],
    [['import', '--key', 'public.pem'], /holds no private key \(found "PUBLIC KEY"\)/],
    [['import', '--key', 'garbage.pem'], /is not PEM/],
    [['import', '--key', 'encrypted.pem'], /the private key is encrypted; decrypt it first/],
    [['import', '--key', 'pss.pem'], /RSA-PSS-restricted key/],
    [['import', '--key', 'ed.pem'], /type ed448; only RSA, EC and Ed25519 keys can sign/],
    [['import', '--key', 'k1.pem'], /unsupported curve secp256k1/],
    [['import', '--key', 'k.pem', '--alg', 'RS256'], /on prime256v1, which signs ES256, not RS256/],
    [
      ['import', '--key', 'k.pem', '--cert', 'k.pem'],
      /the certificate file holds no PEM "CERTIFICATE" block/,
    ],
    [['import', '--key', 'k.pem', '--alg', 'none'], /--alg: "none" is not supported/],
    [
      ['import', '--key', 'k.pem', '--out', '-'],
      /--out: private keys are never written to standard output/,
    ],
  ]
  for (const [args, expected] of cases) {
    const run = await cli(args, dir)
    assert.is(run.code, 1, args.join(' '))
    assert.match(run.stderr, expected)
    assert.is(run.stderr.trimEnd().split('\n').length, 1)
    assert.is(run.stdout, '')
  }
  const written = (await readdir(dir)).filter((name) => name === '-' || name === '.local')
  assert.equal(written, [], 'no key written on failure, none to a file named "-"')
})

test('import: a key file with group/world read access gets a warning, --out FILE is honoured', async () => {
  const dir = await tempDir()
  const key = await pemFile(dir, 'loose.pem', { type: 'pkcs8', keyType: 'ec' })
  await chmod(join(dir, key), 0o644)
  const run = await cli(['import', '--key', key, '--out', 'secret.json'], dir)
  assert.is(run.code, 0, run.stderr)
  assert.match(
    run.stderr,
    'warning: loose.pem holds a private key but can be read by others (mode 0644)',
  )
  assert.is(await fileMode(join(dir, 'secret.json')), 0o600)
  const again = await cli(['import', '--key', key, '--out', 'secret.json'], dir)
  assert.is(again.code, 1)
  assert.match(again.stderr, 'already exists; pass --force')
})

test.run()
