/** Test helpers: temp dirs, an in-process CLI run that checks its output never leaks key material. */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  importSigner,
  type Jwks,
  type PrivateJwk,
  type PublicJwk,
  parsePrivateKeySet,
  signClientAssertion,
} from '@idp-proxy/core'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { runCli } from '../src/index.js'

export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

const dirs: string[] = []

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'idp-proxy-keys-'))
  dirs.push(dir)
  return dir
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
}

export interface Run {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs the CLI in-process in `cwd` and asserts that nothing it printed holds private key
 * material: no private JWK member, no PEM private key, and none of the private values of any
 * key file in `cwd` (so a leak of a key written by this very run is caught too).
 */
export async function cli(args: string[], cwd: string, stdin = ''): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, {
    stdout: (text) => {
      stdout += text
    },
    stderr: (text) => {
      stderr += text
    },
    cwd,
    readStdin: async () => stdin,
    program: 'idp-proxy-keys',
  })
  const run = { code, stdout, stderr }
  await assertNoPrivateOutput(run, await privateValuesIn(cwd))
  return run
}

/** Throws when `run`'s output contains a private member, a PEM private key or one of `values`. */
export async function assertNoPrivateOutput(run: Run, values: string[]): Promise<void> {
  const text = `${run.stdout}\n${run.stderr}`
  const member = new RegExp(`"(${PRIVATE_MEMBERS.join('|')})"\\s*:`)
  if (member.test(text)) throw new Error(`output has a private JWK member: ${text}`)
  if (/PRIVATE KEY-----/.test(text)) throw new Error(`output has a PEM private key: ${text}`)
  // Any 24-character piece of a private value counts, so a partial leak is caught too.
  for (const value of values) {
    for (let start = 0; start + 24 <= value.length; start += 8) {
      if (text.includes(value.slice(start, start + 24)))
        throw new Error('output contains private key material')
    }
  }
}

/**
 * Every private member value of every JSON key file in `dir` and its sub-folders (the CLI's
 * default folder is one); PEM keys are caught by their label.
 */
export async function privateValuesIn(dir: string): Promise<string[]> {
  const values: string[] = []
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue
    const text = await readFile(join(entry.parentPath, entry.name), 'utf8')
    try {
      collect(JSON.parse(text), values)
    } catch {
      // not JSON: nothing to collect
    }
  }
  return values
}

function collect(value: unknown, values: string[]): void {
  if (Array.isArray(value)) for (const item of value) collect(item, values)
  else if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      if ((PRIVATE_MEMBERS as readonly string[]).includes(key) && typeof member === 'string')
        values.push(member)
      else collect(member, values)
    }
  }
}

export async function readJson<T = Record<string, unknown>>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T
}

export async function fileMode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777
}

/**
 * Signs a client assertion with core (importSigner + signClientAssertion) using the active key
 * of `privateInput`, and verifies it with jose against `publicKeys` (a JWK or a JWKS as printed).
 */
export async function signAndVerify(privateInput: unknown, publicKeys: PublicJwk | Jwks) {
  const set = parsePrivateKeySet(privateInput)
  const active = set.keys.find((key) => key.kid === set.activeKid) as PrivateJwk
  const signer = await importSigner(active)
  const assertion = await signClientAssertion(signer, {
    clientId: 'client-1',
    audience: 'https://idp.example/token',
    lifetimeSeconds: 60,
    now: Date.now(),
  })
  const jwks = 'keys' in publicKeys ? publicKeys : { keys: [publicKeys] }
  const verified = await jwtVerify(
    assertion,
    createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]),
    {
      issuer: 'client-1',
      subject: 'client-1',
      audience: 'https://idp.example/token',
    },
  )
  return { ...verified, assertion }
}

/** openssl, which the certificate tests need (node:crypto cannot create certificates). */
/**
 * A self-signed certificate and its unencrypted private key, made by openssl in `dir`:
 * `keyOut` and `certOut` are file names there. `newKey` is openssl's `-newkey` argument
 * (`rsa:2048`, or `ec` with a P-256 curve).
 */
export function selfSignedCertificate(
  dir: string,
  options: {
    keyOut: string
    certOut: string
    subject: string
    days: number
    newKey?: 'rsa:2048' | 'ec'
  },
): void {
  const newKey =
    options.newKey === 'ec'
      ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']
      : ['-newkey', 'rsa:2048']
  openssl(
    [
      'req',
      '-x509',
      ...newKey,
      '-nodes',
      '-keyout',
      options.keyOut,
      '-out',
      options.certOut,
    ].concat(['-subj', options.subject, '-days', String(options.days)]),
    dir,
  )
}

export function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
  } catch (error) {
    const code = (error as { code?: string }).code
    if (code === 'ENOENT')
      throw new Error('these tests need the openssl command: apt-get install -y openssl')
    throw error
  }
}
