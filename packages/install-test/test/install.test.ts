/**
 * What a user gets from npm: the public packages are built, packed with `pnpm pack` and installed
 * with plain npm into a new project under the system's temp directory, outside the workspace.
 * There, with the Node that runs this test, an Express 5 app mounting `proxyRouter` completes a
 * sign-in against the strict mock IdP (on loopback, served from this process), the core README's
 * msw test passes, it and every README example type-check as strictly as a user might, and the
 * bins answer --help.
 */
import { type SpawnOptions, spawn } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createStrictIdp, type LoopbackServer, type StrictIdp } from '@idp-proxy/testing'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const FIXTURE = fileURLToPath(new URL('../fixture', import.meta.url))
const PUBLIC = ['core', 'lambda-adapter', 'express-adapter', 'keys'] as const
const CLIENT_ID = 'fresh-client'
const CLIENT_SECRET = 'fresh-cognito-secret-0123456789abcdef'
const COGNITO_REDIRECT = 'https://fresh.auth.example.test/oauth2/idpresponse'

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** The environment of every command: no pnpm/npm script variables from the runner leak in. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('npm_') && name !== 'INIT_CWD') env[name] = value
  }
  // The Node under test first, as in a user's shell where it is the only one.
  env.PATH = [dirname(process.execPath), env.PATH ?? ''].join(delimiter)
  return { ...env, ...extra }
}

function run(command: string, args: string[], options: SpawnOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: cleanEnv(), ...options, stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr?.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

/** A command's output for an assertion message, without the lines our runner counts. */
const shown = (result: Run) =>
  `exit ${result.code}\n${result.stdout}\n${result.stderr}`.replace(/(Total|Passed):/g, '$1 -')

/** npm's own CLI scripts, run by the Node under test (so engine checks see that version). */
function npmCli(name: 'npm-cli.js' | 'npx-cli.js'): string[] {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const npm = join(dir, 'npm')
    if (!existsSync(npm)) continue
    const script = join(dirname(realpathSync(npm)), name)
    if (existsSync(script)) return [process.execPath, script]
  }
  return [name === 'npm-cli.js' ? 'npm' : 'npx']
}
const NPM = npmCli('npm-cli.js')
const NPX = npmCli('npx-cli.js')
const npm = (args: string[], cwd: string) =>
  run(NPM[0] as string, [...NPM.slice(1), ...args], { cwd })
const npx = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  run(NPX[0] as string, [...NPX.slice(1), ...args], { cwd, env: cleanEnv(env) })

/** One place for versions: what the workspace itself develops against. */
function versionOf(manifest: string, name: string): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, manifest, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >
  const range = pkg.devDependencies?.[name] ?? pkg.dependencies?.[name]
  if (!range) throw new Error(`${manifest}/package.json has no ${name}`)
  return `${name}@${range}`
}

/** A README's first ts block (after `heading`, when given), exactly as it stands. */
function readmeExample(name: string, heading?: RegExp): string {
  const readme = readFileSync(join(ROOT, 'packages', name, 'README.md'), 'utf8')
  const section = heading ? readme.split(heading)[1] : readme
  const block = section?.match(/```ts\n([\s\S]*?)```/)?.[1]
  if (!block) throw new Error(`packages/${name}/README.md has no ts example`)
  return block
}

const test = suite('the packed packages, installed with npm in a new project')

let work: string
let app: string
let idp: StrictIdp
let idpServer: LoopbackServer
let privateJwk: Record<string, unknown>
const tarballs: Record<string, string> = {}

test.before(async () => {
  // scripts/test.mjs builds before any suite; run alone, this test builds itself.
  if (process.env.IDP_PROXY_BUILT !== '1') {
    const built = await run('pnpm', ['-s', 'build'], { cwd: ROOT })
    assert.is(built.code, 0, shown(built))
  }
  work = mkdtempSync(join(tmpdir(), 'idp-proxy-install-'))
  const packed = join(work, 'tarballs')
  const filters = PUBLIC.flatMap((name) => ['--filter', `@idp-proxy/${name}`])
  const result = await run('pnpm', ['-r', ...filters, 'pack', '--pack-destination', packed], {
    cwd: ROOT,
  })
  assert.is(result.code, 0, shown(result))
  for (const name of PUBLIC) {
    const file = readdirSync(packed).find((entry) => entry.startsWith(`idp-proxy-${name}-`))
    assert.ok(file, `pnpm pack wrote no tarball for ${name}`)
    tarballs[name] = join(packed, file)
  }

  app = join(work, 'app')
  mkdirSync(join(app, 'src'), { recursive: true })
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }),
  )
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        exactOptionalPropertyTypes: true,
        skipLibCheck: false,
        types: ['node'],
        rootDir: 'src',
        outDir: 'out',
      },
      include: ['src'],
    }),
  )
  cpSync(join(FIXTURE, 'app.ts'), join(app, 'src', 'app.ts'))
  writeFileSync(join(app, 'src', 'core.test.ts'), readmeExample('core', /^## .*msw.*$/m))
  // The other READMEs' examples are type-checked with the app (not run: they need AWS or a port).
  for (const name of ['express-adapter', 'keys', 'lambda-adapter']) {
    writeFileSync(join(app, 'src', `readme-${name}.ts`), readmeExample(name))
  }

  const started = Date.now()
  const installed = await npm(
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      tarballs.core as string,
      tarballs['express-adapter'] as string,
      tarballs.keys as string,
      versionOf('packages/express-adapter', 'express'),
      versionOf('packages/express-adapter', '@types/express'),
      versionOf('packages/core', 'msw'),
      versionOf('packages/core', 'jose'),
      versionOf('.', 'uvu'),
      versionOf('.', 'typescript'),
      versionOf('.', '@types/node'),
    ],
    app,
  )
  assert.is(installed.code, 0, shown(installed))
  console.log(`npm install in the fresh project: ${((Date.now() - started) / 1000).toFixed(1)} s`)

  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  privateJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'fresh-key', alg: 'ES256' }
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid: 'fresh-key', alg: 'ES256' }
  idp = createStrictIdp({ clientId: CLIENT_ID, jwks: async () => ({ keys: [publicJwk] }) })
  idpServer = await idp.listen()
})

test.after(async () => {
  await idpServer?.close()
  if (work) rmSync(work, { recursive: true, force: true })
})

test('an Express app gets no AWS SDK, no tsx and no TypeScript sources', () => {
  const modules = join(app, 'node_modules')
  assert.ok(existsSync(join(modules, '@idp-proxy', 'express-adapter', 'dist', 'index.js')))
  assert.not.ok(existsSync(join(modules, '@aws-sdk')), '@aws-sdk was installed')
  assert.not.ok(existsSync(join(modules, '@idp-proxy', 'lambda-adapter')))
  assert.not.ok(existsSync(join(modules, 'tsx')), 'tsx was installed')
  for (const name of ['core', 'express-adapter', 'keys']) {
    const files = readdirSync(join(modules, '@idp-proxy', name), { recursive: true }).map(String)
    assert.equal(
      files.filter((file) => /(^|\/)(src|test)\/|tsconfig|(?<!\.d)\.ts$/.test(file)),
      [],
      `${name} ships sources or test files`,
    )
    // The workspace's `source` export condition is left out of what is packed (publishConfig):
    // the installed manifest points only at built files.
    const manifest = JSON.parse(
      readFileSync(join(modules, '@idp-proxy', name, 'package.json'), 'utf8'),
    ) as Record<string, unknown>
    const entries = JSON.stringify([manifest.exports, manifest.bin, manifest.types, manifest.main])
    assert.not.ok(/"source"|(?<!\.d)\.ts"/.test(entries), `${name}'s manifest points at sources`)
  }
})

/** tsc in the fresh project, as strict as a user might be (the tsconfig says the same). */
const strictTsc = () =>
  run(
    process.execPath,
    [
      'node_modules/typescript/bin/tsc',
      '-p',
      'tsconfig.json',
      '--strict',
      '--exactOptionalPropertyTypes',
      '--skipLibCheck',
      'false',
    ],
    { cwd: app },
  )

test('idp-proxy serve with STORE=dynamodb names the package to install', async () => {
  const result = await npx(['idp-proxy', 'serve'], app, {
    PROXY_BASE_URL: 'http://127.0.0.1:1',
    IDP_ISSUER: idp.issuer,
    IDP_CLIENT_ID: CLIENT_ID,
    COGNITO_REDIRECT_URIS: COGNITO_REDIRECT,
    COGNITO_CLIENT_SECRET: CLIENT_SECRET,
    PRIVATE_KEY: JSON.stringify(privateJwk),
    ALLOW_INSECURE_HTTP: 'true',
    STORE: 'dynamodb',
    FLOW_TABLE_NAME: 'flows',
    PORT: '0',
    HOST: '127.0.0.1',
  })
  assert.is(result.code, 1, shown(result))
  assert.match(result.stderr, /npm install @idp-proxy\/lambda-adapter/)
})

test('the Lambda adapter installs and loads under plain node', async () => {
  const installed = await npm(
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      tarballs['lambda-adapter'] as string,
    ],
    app,
  )
  assert.is(installed.code, 0, shown(installed))
  const loaded = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const lambda = await import('@idp-proxy/lambda-adapter')
       const dynamodb = await import('@idp-proxy/lambda-adapter/dynamodb')
       process.stdout.write(typeof dynamodb.DynamoDbFlowStore + ' ' + (Object.keys(lambda).length > 0))`,
    ],
    { cwd: app },
  )
  assert.is(loaded.code, 0, shown(loaded))
  assert.is(loaded.stdout, 'function true')
})

test('tsc --strict --exactOptionalPropertyTypes, skipLibCheck false: the app and READMEs compile', async () => {
  const result = await strictTsc()
  assert.is(result.code, 0, shown(result))
  assert.ok(existsSync(join(app, 'out', 'app.js')))
})

test('the published type declarations hold no `any`', () => {
  const offenders: string[] = []
  for (const name of PUBLIC) {
    const dist = join(app, 'node_modules', '@idp-proxy', name, 'dist')
    for (const file of readdirSync(dist, { recursive: true }).map(String)) {
      if (!file.endsWith('.d.ts')) continue
      const code = readFileSync(join(dist, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '')
      if (/\bany\b/.test(code)) offenders.push(`${name}/dist/${file}`)
    }
  }
  assert.equal(offenders, [])
})

test('the Express 5 app with proxyRouter completes a whole sign-in against the strict IdP', async () => {
  const child = spawn(process.execPath, ['out/app.js'], {
    cwd: app,
    env: cleanEnv({
      IDP_ISSUER: idp.issuer,
      IDP_CLIENT_ID: CLIENT_ID,
      COGNITO_CLIENT_SECRET: CLIENT_SECRET,
      COGNITO_REDIRECT_URI: COGNITO_REDIRECT,
      PRIVATE_KEY: JSON.stringify(privateJwk),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (chunk) => {
        out += chunk
        const line = out.split('\n').find((text) => text.startsWith('{'))
        if (line) resolve((JSON.parse(line) as { listening: string }).listening)
      })
      exited.then((code) => reject(new Error(`the app exited with ${code}: ${stderr}`)))
    })
    assert.is(await (await fetch(`${base}/`)).text(), 'my app', 'the app keeps its own routes')

    // Cognito sends the browser to the proxy's /authorize...
    const authorize = new URL(`${base}/authorize`)
    authorize.search = new URLSearchParams({
      client_id: CLIENT_ID,
      redirect_uri: COGNITO_REDIRECT,
      state: 'cognito-state-of-the-fresh-app',
      scope: 'openid email',
      response_type: 'code',
    }).toString()
    const toIdp = await fetch(authorize, { redirect: 'manual' })
    assert.is(toIdp.status, 302, await toIdp.text())
    // ...the user signs in at the IdP, which redirects to the proxy's /callback...
    const { callbackUrl } = idp.signIn(toIdp.headers.get('location') as string)
    const toCognito = await fetch(callbackUrl, { redirect: 'manual' })
    assert.is(toCognito.status, 302, await toCognito.text())
    const back = new URL(toCognito.headers.get('location') as string)
    assert.is(`${back.origin}${back.pathname}`, COGNITO_REDIRECT)
    assert.is(back.searchParams.get('state'), 'cognito-state-of-the-fresh-app')
    // ...and Cognito redeems the code at the proxy's /token with its client secret.
    const token = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') as string,
        redirect_uri: COGNITO_REDIRECT,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    })
    const body = (await token.json()) as Record<string, unknown>
    assert.is(token.status, 200, JSON.stringify(body))
    assert.equal(idp.refusals, [])
    assert.is(idp.exchanges.length, 1)
    assert.is(idp.exchanges[0]?.pkce, true, 'the proxy added PKCE')
    assert.is(body.access_token, idp.exchanges[0]?.tokens.access_token)
  } finally {
    child.kill('SIGTERM')
    assert.is(await exited, 0, stderr)
  }
})

test("the core README's msw example passes under uvu", async () => {
  const result = await run(
    process.execPath,
    ['node_modules/uvu/bin.js', 'out', 'core\\.test\\.js$'],
    {
      cwd: app,
    },
  )
  assert.is(result.code, 0, shown(result))
  assert.match(result.stdout, /Passed:\s+1\b/)
})

test('npx idp-proxy --help and npx idp-proxy-keys --help', async () => {
  const proxyHelp = await npx(['idp-proxy', '--help'], app)
  assert.is(proxyHelp.code, 0, shown(proxyHelp))
  assert.match(proxyHelp.stdout, /usage: idp-proxy serve/, shown(proxyHelp))
  assert.match(proxyHelp.stdout, /PROXY_BASE_URL/)
  const keysHelp = await npx(['idp-proxy-keys', '--help'], app)
  assert.is(keysHelp.code, 0, shown(keysHelp))
  assert.match(keysHelp.stdout, /Usage: idp-proxy-keys /, shown(keysHelp))
})

test.run()
