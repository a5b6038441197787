// @idp-proxy/pulumi as others get it: packed (with the packages it needs, the lambda-adapter
// carrying its prebuilt bundles), installed with plain npm into a project outside the
// workspace, and a two-line Pulumi program run there under that project's own
// `pulumi.runtime.setMocks`. Needs the npm registry for the third-party dependencies.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const run = promisify(execFile)
const repo = fileURLToPath(new URL('../../', import.meta.url))
const project = mkdtempSync(join(tmpdir(), 'idp-proxy-consumer-'))
test.after(() => rmSync(project, { recursive: true, force: true }))

async function pack(dir: string): Promise<string> {
  const { stdout } = await run('pnpm', ['pack', '--pack-destination', project], {
    cwd: join(repo, dir),
    maxBuffer: 8 * 1024 * 1024,
  })
  const tarball = stdout.trim().split('\n').pop()!.trim()
  assert.ok(tarball.endsWith('.tgz'), `${dir}: ${tarball}`)
  return tarball
}

// The lambda-adapter ships its prebuilt bundles: build them if this checkout has none.
if (!existsSync(join(repo, 'packages/lambda-adapter/dist/all/index.mjs'))) {
  await run(process.execPath, ['scripts/build.mjs'], { cwd: join(repo, 'packages/lambda-adapter') })
}
const tarballs = {
  core: await pack('packages/core'),
  lambdaAdapter: await pack('packages/lambda-adapter'),
  pulumi: await pack('pulumi'),
}
const { stdout: listing } = await run('tar', ['-tzf', tarballs.pulumi])
const pulumiVersion = (
  JSON.parse(readFileSync(join(repo, 'pulumi/package.json'), 'utf8')) as {
    peerDependencies: Record<string, string>
  }
).peerDependencies['@pulumi/pulumi']!

writeFileSync(
  join(project, 'package.json'),
  JSON.stringify({
    name: 'consumer',
    private: true,
    type: 'module',
    dependencies: {
      '@idp-proxy/core': `file:${tarballs.core}`,
      '@idp-proxy/lambda-adapter': `file:${tarballs.lambdaAdapter}`,
      '@idp-proxy/pulumi': `file:${tarballs.pulumi}`,
      '@pulumi/pulumi': pulumiVersion,
    },
  }),
)
// The two-line program.
writeFileSync(
  join(project, 'index.mjs'),
  `import { IdpProxy } from '@idp-proxy/pulumi'
export const proxy = new IdpProxy('login', { idp: { issuer: 'https://idp.example.com/', clientId: 'client-1', endpoints: { authorizationEndpoint: 'https://idp.example.com/authorize', tokenEndpoint: 'https://idp.example.com/token', userinfoEndpoint: 'https://idp.example.com/userinfo', jwksUri: 'https://idp.example.com/jwks' } }, cognito: { domainPrefix: 'consumer-login', callbackUrls: ['https://app.example.com/cb'] } })
`,
)
// The consumer's own test harness: its @pulumi/pulumi, its mocks.
writeFileSync(
  join(project, 'mocked-up.mjs'),
  `import { registerHooks } from 'node:module'
import * as pulumi from '@pulumi/pulumi'
// Every module the program resolves: the AWS SDK must not be among them at deploy time.
const resolved = []
registerHooks({ resolve(specifier, context, next) { resolved.push(specifier); return next(specifier, context) } })
const resources = []
await pulumi.runtime.setMocks({
  newResource(args) {
    resources.push({ type: args.type, name: args.name, inputs: args.inputs })
    return { id: args.name + '-id', state: { ...args.inputs, arn: 'arn:aws:x:eu-west-1:123456789012:' + args.name } }
  },
  call(args) {
    if (args.token === 'aws:index/getRegion:getRegion') return { name: 'eu-west-1', region: 'eu-west-1' }
    throw new Error('unmocked invoke ' + args.token)
  },
}, 'consumer', 'prod', false)
const { proxy } = await import('./index.mjs')
await new Promise((done) => proxy.tokenUrl.apply(done))
await pulumi.runtime.disconnect()
const code = resources.filter((r) => r.type === 'aws:lambda/function:Function').map((r) => r.inputs.code)
console.log(JSON.stringify({ types: resources.map((r) => r.type), code: await Promise.all(code.map((c) => c.path)), sdk: resolved.filter((s) => s.startsWith('@aws-sdk/')) }))
`,
)
await run(
  'npm',
  [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    '--ignore-scripts',
    '--loglevel=error',
  ],
  { cwd: project, maxBuffer: 16 * 1024 * 1024 },
)
const { stdout } = await run(process.execPath, ['mocked-up.mjs'], { cwd: project })

// The declarations, as a TypeScript consumer sees them: a correct use compiles, a wrong one not.
const tsc = join(repo, 'node_modules/typescript/bin/tsc')
const typeRoots = join(repo, 'node_modules/@types')
writeFileSync(
  join(project, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      strict: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      skipLibCheck: true,
      noEmit: true,
      typeRoots: [typeRoots],
      types: ['node'],
    },
    files: ['typed.ts'],
  }),
)
const typed = (functions: string) =>
  `import { IdpProxy, type IdpProxyArgs } from '@idp-proxy/pulumi'
import * as pulumi from '@pulumi/pulumi'
const args: IdpProxyArgs = { idp: { issuer: pulumi.output('https://idp.example.com/'), clientId: 'c', endpoints: { authorizationEndpoint: 'a', tokenEndpoint: 't', userinfoEndpoint: 'u', jwksUri: 'j' } }, cognito: { domainPrefix: 'p', callbackUrls: ['https://app.example.com/cb'] }, functions: '${functions}', resources: { function: { memorySize: 512 } } }
export const url: pulumi.Output<string> = new IdpProxy('x', args).tokenUrl
`
writeFileSync(join(project, 'typed.ts'), typed('per-route'))
const compiles = await run(process.execPath, [tsc, '-p', project]).then(
  () => '',
  (error: { stdout: string }) => error.stdout,
)
writeFileSync(join(project, 'typed.ts'), typed('three'))
const refused = await run(process.execPath, [tsc, '-p', project]).then(
  () => '',
  (error: { stdout: string }) => error.stdout,
)
const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
  types: string[]
  code: string[]
  sdk: string[]
}

test('the tarball: built JavaScript, declarations and the README, no sources or tests', () => {
  const files = listing.trim().split('\n').sort()
  for (const file of ['package/dist/index.js', 'package/dist/index.d.ts', 'package/README.md']) {
    assert.ok(files.includes(file), file)
  }
  assert.not.ok(
    files.some(
      (file) =>
        /^package\/(src|test|scripts)\//.test(file) ||
        (file.endsWith('.ts') && !file.endsWith('.d.ts')),
    ),
    'no TypeScript sources',
  )
  const manifest = JSON.parse(
    readFileSync(join(project, 'node_modules/@idp-proxy/pulumi/package.json'), 'utf8'),
  ) as {
    private?: boolean
    exports: Record<string, Record<string, string>>
    dependencies: Record<string, string>
  }
  assert.not.ok(manifest.private)
  assert.equal(manifest.exports['.']!.types, './dist/index.d.ts')
  assert.equal(manifest.exports['.']!.default, './dist/index.js')
  assert.not.ok(
    Object.values(manifest.dependencies).some((range) => range.startsWith('workspace:')),
    'workspace ranges replaced by versions',
  )
})

test("the two-line program deploys the whole proxy under the consumer's mocks", () => {
  assert.ok(result.types.includes('idp-proxy:index:IdpProxy'))
  for (const type of [
    'aws:cognito/userPool:UserPool',
    'aws:cognito/identityProvider:IdentityProvider',
    'aws:dynamodb/table:Table',
    'aws:apigatewayv2/stage:Stage',
    'aws:lambda/function:Function',
  ]) {
    assert.ok(result.types.includes(type), type)
  }
})

test('the declarations type a consumer: a correct use compiles, a wrong layout does not', () => {
  assert.equal(compiles, '')
  assert.match(refused, /typed\.ts.*'"three"' is not assignable/)
})

test('deploying loads no AWS SDK module (the component imports @idp-proxy/lambda-adapter/iam)', () => {
  assert.equal(result.sdk, [])
})

test("the function's code is the installed lambda-adapter's prebuilt bundle, not this repository's", () => {
  assert.equal(result.code, [join(project, 'node_modules/@idp-proxy/lambda-adapter/dist/all')])
  assert.ok(existsSync(join(result.code[0]!, 'index.mjs')))
  assert.not.ok(result.code[0]!.startsWith(repo))
})

test.run()
