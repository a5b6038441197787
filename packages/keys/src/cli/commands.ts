/**
 * The five commands. Each prints public JSON on stdout and instructions on stderr; private key
 * material only ever goes to files created with mode 0600.
 */
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import { type AnyKeySet, invalidOption } from '@idp-proxy/core'
import {
  DEFAULT_KEY_DIR,
  ensureDirectory,
  type InputFile,
  PRIVATE_FILE_MODE,
  PUBLIC_FILE_MODE,
  readInput,
  refuseExisting,
  writeFileSafely,
} from '../files.js'
import { checkUse, generateKey } from '../generate.js'
import { importPem } from '../import-pem.js'
import { publicJwk, publicJwks, readKeySet, toKeySetJson } from '../key-set.js'
import { promote, rotate } from '../rotate.js'
import { type Flags, numberFlag, requiredFlag, stringFlag } from './args.js'
import type { CliIo } from './io.js'

export type Command = (flags: Flags, io: CliIo) => Promise<void>

const SECRET_HINT = '<secret-arn>'

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/**
 * A path as the user should type it in a shell: relative to where they are when it is inside
 * that directory, single-quoted when it holds anything a shell would interpret.
 */
function shown(io: CliIo, path: string): string {
  const rel = relative(io.cwd, path)
  const text = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`
}

/** A kid as a file-name part (a thumbprint is already safe; a chosen kid may not be). */
function fileSafe(kid: string): string {
  return kid.replace(/[^A-Za-z0-9._-]/g, '_')
}

/** `--out`, which every command uses for private key material: never standard output. */
function outputFlag(flags: Flags): string | undefined {
  const out = stringFlag(flags, 'out')
  if (out === '-')
    throw invalidOption('--out', 'private keys are never written to standard output; give a path')
  return out
}

function warnLooseMode(io: CliIo, file: InputFile): void {
  if (file.looseMode === undefined) return
  io.stderr(
    `warning: ${shown(io, file.path)} holds a private key but can be read by others (mode 0${file.looseMode.toString(8)}); run: chmod 600 ${shown(io, file.path)}\n`,
  )
}

function storeStep(io: CliIo, path: string): string {
  return `aws secretsmanager put-secret-value --secret-id ${SECRET_HINT} --secret-string file://${shown(io, path)}`
}

/** `--use`: sig (default) or enc. */
function useFlag(flags: Flags) {
  return checkUse(stringFlag(flags, 'use') ?? 'sig', '--use')
}

export const generate: Command = async (flags, io) => {
  const bits = numberFlag(flags, 'bits')
  const alg = stringFlag(flags, 'alg')
  const crv = stringFlag(flags, 'crv')
  const kid = stringFlag(flags, 'kid')
  const use = useFlag(flags)
  const outFlag = outputFlag(flags)
  const dir = resolve(io.cwd, outFlag ?? DEFAULT_KEY_DIR)
  const jwk = await generateKey({
    use,
    ...(alg === undefined ? {} : { alg }),
    ...(bits === undefined ? {} : { bits }),
    ...(crv === undefined ? {} : { crv }),
    ...(kid === undefined ? {} : { kid }),
  })
  const privatePath = join(dir, `${fileSafe(jwk.kid)}.private.jwk.json`)
  const publicPath = join(dir, `${fileSafe(jwk.kid)}.public.jwk.json`)
  const overwrite = flags.force === true
  await ensureDirectory(dir, '--out', { ignoreAll: outFlag === undefined })
  if (!overwrite) await refuseExisting([privatePath, publicPath], '--out')
  const pub = publicJwk(jwk)
  await writeFileSafely(privatePath, json(jwk), {
    overwrite,
    mode: PRIVATE_FILE_MODE,
    flag: '--out',
  })
  await writeFileSafely(publicPath, json(pub), { overwrite, mode: PUBLIC_FILE_MODE, flag: '--out' })

  io.stdout(json(pub))
  if (use === 'enc') {
    io.stderr(
      [
        `Generated a new encryption key (${jwk.alg}${jwk.crv ? ` on ${String(jwk.crv)}` : ''}) with kid "${jwk.kid}".`,
        `Private key: ${shown(io, privatePath)} (mode 0600). Keep it secret; never commit it.`,
        `Public key:  ${shown(io, publicPath)} (also printed above, with "use": "enc").`,
        '',
        'Next steps:',
        '  1. Add it to the key set the proxy reads (the signing key stays as it is):',
        `       ${io.program} rotate --use enc --in <key-set.json> --key ${shown(io, privatePath)}`,
        '     then store the key set, e.g.:',
        `       ${storeStep(io, '<key-set.json>')}`,
        '  2. The IdP encrypts ID tokens to the keys at https://<proxy>/.well-known/jwks.json (use "enc"),',
        '     or to the public key above if it takes uploaded keys.',
        `  3. Once stored, delete the local private key: rm ${shown(io, privatePath)}`,
        '',
      ].join('\n'),
    )
    return
  }
  io.stderr(
    [
      `Generated a new key (${jwk.alg}) with kid "${jwk.kid}".`,
      `Private key: ${shown(io, privatePath)} (mode 0600). Keep it secret; never commit it.`,
      `Public key:  ${shown(io, publicPath)} (also printed above).`,
      '',
      'Next steps:',
      '  1. Store the private key where the proxy reads it, e.g. the Secrets Manager secret of PRIVATE_KEY_SECRET_ARN:',
      `       ${storeStep(io, privatePath)}`,
      '     (or the PRIVATE_KEY environment variable of the standalone server).',
      "  2. Give the IdP the public key: upload the public key file as the client's key, or, if the",
      "     IdP can fetch keys, set the client's jwks_uri to https://<proxy>/.well-known/jwks.json.",
      `  3. Once stored, delete the local private key: rm ${shown(io, privatePath)}`,
      '',
    ].join('\n'),
  )
}

export const importKey: Command = async (flags, io) => {
  const keyFile = await readInput(
    '--key',
    requiredFlag(flags, 'key', 'the PEM private key'),
    io.cwd,
    io.readStdin,
  )
  const certPath = stringFlag(flags, 'cert')
  const certFile =
    certPath === undefined ? undefined : await readInput('--cert', certPath, io.cwd, io.readStdin)
  const kid = stringFlag(flags, 'kid')
  const alg = stringFlag(flags, 'alg')
  const use = useFlag(flags)
  const imported = await importPem(keyFile.text, {
    use,
    ...(certFile ? { certificate: certFile.text } : {}),
    ...(kid === undefined ? {} : { kid }),
    ...(alg === undefined ? {} : { alg }),
  })
  const { jwk, certificate } = imported
  warnLooseMode(io, keyFile)
  const outFlag = outputFlag(flags)
  const out = resolve(
    io.cwd,
    outFlag ?? join(DEFAULT_KEY_DIR, `${fileSafe(jwk.kid)}.private.jwk.json`),
  )
  await ensureDirectory(dirname(out), '--out', { ignoreAll: outFlag === undefined })
  await writeFileSafely(out, json(jwk), {
    overwrite: flags.force === true,
    mode: PRIVATE_FILE_MODE,
    flag: '--out',
  })

  io.stdout(json(publicJwk(jwk)))
  const lines = [
    `Imported the ${use === 'enc' ? 'encryption ' : ''}key (${jwk.alg}) with kid "${jwk.kid}".`,
  ]
  if (certificate) {
    lines.push(
      `Certificate: ${certificate.subject}, valid ${certificate.validFrom.toISOString()} to ${certificate.validTo.toISOString()}` +
        (certificate.chainLength > 1 ? ` (chain of ${certificate.chainLength})` : ''),
      `x5t#S256: ${certificate.thumbprint} (sent in every assertion header)`,
    )
    if (certificate.validTo.getTime() < Date.now()) {
      lines.push(
        'warning: the certificate has expired; IdPs that check it (Entra ID) will refuse the key',
      )
    }
  }
  lines.push(
    `Private key: ${shown(io, out)} (mode 0600). Keep it secret; never commit it.`,
    '',
    'Next steps:',
    use === 'enc'
      ? `  1. Add it to the key set: ${io.program} rotate --use enc --in <key-set.json> --key ${shown(io, out)}, then store the set.`
      : `  1. Store it: ${storeStep(io, out)}`,
    use === 'enc'
      ? '  2. The IdP encrypts to it once it sees it at https://<proxy>/.well-known/jwks.json (or upload the public JWK above).'
      : certificate
        ? '  2. Upload the certificate (Entra ID: Certificates & secrets) or the public JWK printed above to the IdP.'
        : '  2. Upload the public JWK printed above to the IdP, or point its jwks_uri at https://<proxy>/.well-known/jwks.json.',
    `  3. Once stored, delete the local private key: rm ${shown(io, out)}`,
    '',
  )
  io.stderr(lines.join('\n'))
}

/** Reads --in and returns where the key set goes (--out, else --in itself). */
async function keySetInput(
  flags: Flags,
  io: CliIo,
): Promise<{ input: InputFile; out: string; overwrite: boolean }> {
  const input = await readInput(
    '--in',
    requiredFlag(flags, 'in', 'the private JWK/JWKS file'),
    io.cwd,
    io.readStdin,
  )
  const outFlag = outputFlag(flags)
  if (outFlag === undefined && input.path === '-')
    throw invalidOption('--out', 'is required when --in is "-"')
  const out = outFlag === undefined ? input.path : resolve(io.cwd, outFlag)
  // Updating --in in place is the normal case; replacing another file needs --force.
  return { input, out, overwrite: out === input.path || flags.force === true }
}

async function writeKeySet(set: AnyKeySet, out: string, overwrite: boolean): Promise<void> {
  await ensureDirectory(dirname(out), '--out')
  await writeFileSafely(out, json(toKeySetJson(set)), {
    overwrite,
    mode: PRIVATE_FILE_MODE,
    flag: '--out',
  })
}

export const rotateKeys: Command = async (flags, io) => {
  const { input, out, overwrite } = await keySetInput(flags, io)
  const bits = numberFlag(flags, 'bits')
  const alg = stringFlag(flags, 'alg')
  const crv = stringFlag(flags, 'crv')
  const kid = stringFlag(flags, 'kid')
  const use = useFlag(flags)
  const keyPath = stringFlag(flags, 'key')
  let key: AnyKeySet['keys'][number] | AnyKeySet['encryptionKeys'][number] | undefined
  if (keyPath !== undefined) {
    if (alg !== undefined || bits !== undefined || crv !== undefined || kid !== undefined) {
      throw invalidOption(
        '--key',
        'adds the given key as it is: --alg, --bits, --crv and --kid do not apply',
      )
    }
    const keyFile = await readInput('--key', keyPath, io.cwd, io.readStdin)
    warnLooseMode(io, keyFile)
    const parsed = readKeySet(keyFile.text)
    key = [...parsed.keys, ...parsed.encryptionKeys][0]
    if ([...parsed.keys, ...parsed.encryptionKeys].length !== 1) {
      throw invalidOption('--key', 'must hold one private JWK (as generate or import writes)')
    }
  }
  const result = await rotate(input.text, {
    use,
    ...(key === undefined ? {} : { key }),
    ...(alg === undefined ? {} : { alg }),
    ...(bits === undefined ? {} : { bits }),
    ...(crv === undefined ? {} : { crv }),
    ...(kid === undefined ? {} : { kid }),
  })
  warnLooseMode(io, input)
  await writeKeySet(result.set, out, overwrite)
  const next = [...result.set.keys, ...result.set.encryptionKeys].find(
    (candidate) => candidate.kid === result.nextKid,
  )
  io.stdout(json(publicJwks(result.set)))
  if (use === 'enc') {
    const first = result.nextKid === result.activeKid
    io.stderr(
      [
        first
          ? `Added "${result.nextKid}" (${next?.alg}) as the encryption key; the JWKS now publishes it with "use": "enc".`
          : `Added "${result.nextKid}" (${next?.alg}) as the next encryption key; "${result.activeKid}" stays first in the JWKS.`,
        `Key set: ${shown(io, out)} (mode 0600). Every encryption key in it decrypts.`,
        '',
        'Next steps:',
        `  1. Store the key set: ${storeStep(io, out)}`,
        first
          ? '  2. Register https://<proxy>/.well-known/jwks.json (or the public key above) with the IdP.'
          : `  2. When the IdP has fetched the new JWKS, publish the new key first: ${io.program} promote --use enc --in ${shown(io, out)}`,
        first
          ? ''
          : '     Keep the old key until no token can be encrypted to it any more, then promote --use enc --drop-old.',
        '',
      ].join('\n'),
    )
    return
  }
  io.stderr(
    [
      `Added "${result.nextKid}" (${next?.alg}) as the next key; "${result.activeKid}" stays active and keeps signing.`,
      `Key set: ${shown(io, out)} (mode 0600). The public JWKS above holds both keys.`,
      '',
      'Next steps:',
      `  1. Store the key set: ${storeStep(io, out)}`,
      '     The proxy keeps signing with the current key and publishes both at /.well-known/jwks.json.',
      `  2. IdP with uploaded public keys: add the key "${result.nextKid}" from the JWKS above; keep the old one.`,
      "     IdP that fetches the proxy's jwks_uri: nothing to do; wait until its cache of the JWKS has",
      '     expired (the proxy sends max-age 300 s by default; the IdP may cache longer).',
      `  3. Then switch signing to the new key: ${io.program} promote --in ${shown(io, out)}`,
      '',
    ].join('\n'),
  )
}

export const promoteKey: Command = async (flags, io) => {
  const { input, out, overwrite } = await keySetInput(flags, io)
  const kid = stringFlag(flags, 'kid')
  const dropOld = flags['drop-old'] === true
  const use = useFlag(flags)
  const result = promote(input.text, { use, ...(kid === undefined ? {} : { kid }), dropOld })
  warnLooseMode(io, input)
  await writeKeySet(result.set, out, overwrite)
  io.stdout(json(publicJwks(result.set)))
  const lines: string[] = []
  const what = use === 'enc' ? 'encryption key' : 'key'
  if (result.activeKid !== result.previousKid) {
    lines.push(
      use === 'enc'
        ? `"${result.activeKid}" is now the encryption key published first (was "${result.previousKid}"); both still decrypt.`
        : `"${result.activeKid}" is now the active ${what} (was "${result.previousKid}").`,
    )
  }
  if (result.droppedKids.length > 0) {
    lines.push(`Removed ${result.droppedKids.map((k) => `"${k}"`).join(', ')} from the key set.`)
  }
  lines.push(
    `Key set: ${shown(io, out)} (mode 0600). The public JWKS above is what the proxy will publish.`,
    '',
    'Next steps:',
  )
  lines.push(`  1. Store the key set: ${storeStep(io, out)}`)
  lines.push('     Running proxies pick it up within KEY_CACHE_TTL_SECONDS (300 s by default).')
  if (result.droppedKids.length > 0) {
    lines.push(
      `  2. IdP with uploaded public keys: remove the old key ${result.droppedKids.map((k) => `"${k}"`).join(', ')} there.`,
      "     IdP that fetches the proxy's jwks_uri: nothing to do.",
    )
  } else {
    lines.push(
      use === 'enc'
        ? `  2. When the IdP encrypts to "${result.activeKid}" only (its JWKS cache has expired), finish the rotation:`
        : `  2. When every proxy signs with "${result.activeKid}" (after the cache TTL above), finish the rotation:`,
      `       ${io.program} promote${use === 'enc' ? ' --use enc' : ''} --in ${shown(io, out)} --drop-old`,
      `     store the key set again, and remove the old public key "${result.previousKid}" at the IdP if you uploaded it.`,
    )
  }
  lines.push('')
  io.stderr(lines.join('\n'))
}

export const printPublic: Command = async (flags, io) => {
  const input = await readInput(
    '--in',
    requiredFlag(flags, 'in', 'the private JWK/JWKS file'),
    io.cwd,
    io.readStdin,
  )
  const jwks = publicJwks(input.text)
  warnLooseMode(io, input)
  io.stdout(json(jwks))
}
