// Runs the program the way `pulumi up` does, minus the CLI (which cannot be installed here): the
// Node.js language host starts `node <runtime.options.nodeargs> @pulumi/pulumi/cmd/run --monitor
// <engine> --pwd <main> .` with the stack's config in PULUMI_CONFIG (Pulumi.yaml defaults, then
// Pulumi.dev.yaml). A fake resource monitor stands in for the engine. This checks that the
// runtime options in Pulumi.yaml really load the TypeScript ESM program.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { load as parseYaml } from 'js-yaml'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type FakeMonitor, startFakeMonitor } from './helpers/fake-monitor.js'
import { FIXTURE_BUNDLES } from './helpers/mocks.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const project = parseYaml(readFileSync(join(root, 'Pulumi.yaml'), 'utf8')) as {
  main: string
  runtime: { options: { nodeargs: string; typescript: boolean } }
  config: Record<string, { default?: unknown }>
}
const stack = parseYaml(readFileSync(join(root, 'Pulumi.dev.yaml'), 'utf8')) as {
  config: Record<string, unknown>
}
const programDir = join(root, project.main)
// The language host resolves the runner from the program directory.
const runPath = createRequire(join(programDir, 'package.json')).resolve('@pulumi/pulumi/cmd/run')

/** The config the CLI hands the program: project defaults, then the stack's values. */
function stackConfig(): Record<string, string> {
  const config: Record<string, string> = {}
  const put = (key: string, value: unknown) => {
    config[key] = typeof value === 'string' ? value : JSON.stringify(value)
  }
  for (const [key, declared] of Object.entries(project.config)) {
    if ('default' in declared) put(`idp-proxy:${key}`, declared.default)
  }
  for (const [key, value] of Object.entries(stack.config)) put(key, value)
  // The lambda-adapter bundles need not be built for this test.
  put('idp-proxy:lambdaBundleDir', FIXTURE_BUNDLES)
  return config
}

function runProgram(monitor: FakeMonitor, nodeArgs: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        ...nodeArgs,
        runPath,
        '--monitor',
        monitor.address,
        '--project',
        'idp-proxy',
        '--stack',
        'dev',
        '--pwd',
        programDir,
        '--parallel',
        '8',
        '.',
      ],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          PULUMI_CONFIG: JSON.stringify(stackConfig()),
          PULUMI_CONFIG_SECRET_KEYS: '[]',
          ...env,
        },
      },
    )
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })
    child.on('close', (code) => resolve({ code, output }))
  })
}

test("with Pulumi.yaml's runtime options the program runs and registers the stack", async () => {
  const monitor = await startFakeMonitor()
  try {
    // typescript: false means the language host does not set PULUMI_NODEJS_TYPESCRIPT.
    assert.equal(project.runtime.options.typescript, false)
    const { code, output } = await runProgram(monitor, project.runtime.options.nodeargs.split(' '))
    assert.equal(code, 0, output)
    assert.not.match(output, /warning|error/i, output)
    const types = monitor.registrations.map((registration) => registration.type)
    assert.ok(types.includes('pulumi:pulumi:Stack'))
    assert.ok(types.includes('idp-proxy:index:IdpProxy'))
    assert.equal(
      monitor.registrations
        .filter((registration) => registration.type === 'aws:lambda/function:Function')
        .map((registration) => registration.name)
        .sort(),
      ['idp-proxy-dev-authorize', 'idp-proxy-dev-callback', 'idp-proxy-dev-token'],
    )
    assert.equal([...new Set(monitor.invokes)], ['aws:index/getRegion:getRegion'])
    const stackUrn = monitor.registrations.find(
      (registration) => registration.type === 'pulumi:pulumi:Stack',
    )!.urn
    const outputs = monitor.outputs.get(stackUrn) ?? {}
    for (const name of [
      'idpRedirectUri',
      'cognitoIdpResponseUrl',
      'tokenUrl',
      'jwksUrl',
      'privateKeySecretArn',
      'hostedUiUrl',
      'userPoolId',
      'userPoolClientId',
    ]) {
      assert.ok(name in outputs, `stack output ${name}`)
    }
    assert.match(
      String(outputs.idpRedirectUri),
      /^https:\/\/idp-proxy-dev-api-id\.execute-api\.[a-z0-9-]+\.amazonaws\.com\/v1\/callback$/,
    )
  } finally {
    await monitor.close()
  }
})

test("Pulumi's default TypeScript mode (ts-node, no tsx) cannot load this ESM program", async () => {
  const monitor = await startFakeMonitor()
  try {
    const { code, output } = await runProgram(monitor, [], { PULUMI_NODEJS_TYPESCRIPT: 'true' })
    assert.not.equal(code, 0)
    // Node 20 refuses the .ts file; Node 22.18+ and 24 strip its types, then find no config.js.
    assert.match(
      output,
      /ERR_UNKNOWN_FILE_EXTENSION|Unknown file extension|Cannot find module '[^']*\/config\.js'/,
    )
    assert.not.ok(
      monitor.registrations.some(
        (registration) => registration.type === 'idp-proxy:index:IdpProxy',
      ),
    )
  } finally {
    await monitor.close()
  }
})

test.run()
