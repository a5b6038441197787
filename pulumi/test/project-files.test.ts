// Pulumi.yaml, Pulumi.dev.yaml and docs/deploy-aws.md agree with the program: every key the
// program reads is declared (type, description, default unless required), the declared defaults
// are the program's own, the example stack is valid, and the docs table lists every key.
import { existsSync, readFileSync } from 'node:fs'
import * as pulumi from '@pulumi/pulumi'
import { load as parseYaml } from 'js-yaml'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadConfig, type ProgramConfig } from '../config.js'
import { PROJECT } from './helpers/mocks.js'

const root = new URL('../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')

interface Declared {
  type?: string
  description?: string
  default?: unknown
  secret?: boolean
  items?: { type: string }
}
const project = parseYaml(read('Pulumi.yaml')) as {
  name: string
  main: string
  runtime: { name: string; options: Record<string, unknown> }
  config: Record<string, Declared>
}
const stack = parseYaml(read('Pulumi.dev.yaml')) as { config: Record<string, unknown> }
const REQUIRED = ['issuer', 'clientId', 'domainPrefix', 'callbackUrls']

/** How the Pulumi CLI hands a config value to the program: text, or JSON for lists. */
const asConfigText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))

/** Runs loadConfig on `values`, recording every key it reads. */
function run(values: Record<string, unknown>): { config: ProgramConfig; keys: Set<string> } {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(values).map(([key, value]) => [`${PROJECT}:${key}`, asConfigText(value)]),
    ),
  )
  const keys = new Set<string>()
  const real = new pulumi.Config(PROJECT)
  const recording = new Proxy(real, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return (key: string, ...rest: unknown[]) => {
        keys.add(key)
        return value.call(target, key, ...rest)
      }
    },
  })
  return { config: loadConfig(recording), keys }
}

const requiredValues = {
  issuer: 'https://idp.example.gov/',
  clientId: 'client',
  domainPrefix: 'example-prefix',
  callbackUrls: ['https://app.example.com/cb'],
}
const declaredDefaults = Object.fromEntries(
  Object.entries(project.config)
    .filter(([, declared]) => 'default' in declared)
    .map(([key, declared]) => [key, declared.default]),
)

test('Pulumi.yaml: the project, its main and a runtime that loads TypeScript ESM through tsx', () => {
  assert.equal(project.name, PROJECT)
  // A file: pulumi/package.json's "exports" are the published component's, and Pulumi reads
  // them only when main names no entry point (the runner's hasEntrypoint check).
  assert.equal(project.main, 'pulumi/program.ts')
  assert.ok(existsSync(new URL(project.main, root)), 'the program exists')
  assert.equal(project.runtime.name, 'nodejs')
  assert.equal(project.runtime.options, {
    packagemanager: 'pnpm',
    typescript: false,
    nodeargs: '--conditions=source --import tsx',
  })
  const manifest = JSON.parse(read('pulumi/package.json')) as Record<string, unknown>
  // "type": "module" makes the runner import() the program, which tsx loads.
  assert.equal(manifest.type, 'module')
})

test('every config key is declared with a type and a description; only the required ones lack a default', () => {
  for (const [key, declared] of Object.entries(project.config)) {
    assert.ok(
      ['string', 'integer', 'boolean', 'array'].includes(declared.type ?? ''),
      `${key} type`,
    )
    assert.ok((declared.description ?? '').length > 10, `${key} description`)
    if (declared.type === 'array') assert.equal(declared.items, { type: 'string' }, `${key} items`)
    // Pulumi refuses a plaintext default on a key declared secret.
    assert.not.ok(declared.secret && 'default' in declared, `${key}: secret with a default`)
  }
  assert.equal(
    Object.keys(project.config).filter((key) => !('default' in project.config[key]!)),
    REQUIRED,
  )
})

test('the keys the program reads are exactly the keys Pulumi.yaml declares', () => {
  const { keys } = run({ ...requiredValues, ...declaredDefaults })
  assert.equal([...keys].sort(), Object.keys(project.config).sort())
})

test("Pulumi.yaml's defaults are the program's own defaults", () => {
  const withDefaults = run({ ...requiredValues, ...declaredDefaults }).config
  const without = run(requiredValues).config
  assert.equal(withDefaults, without)
})

test('Pulumi.dev.yaml: declared keys, no secret in clear, and a valid configuration', () => {
  const values: Record<string, unknown> = {}
  for (const [fullKey, value] of Object.entries(stack.config)) {
    const [namespace, key] = fullKey.split(':') as [string, string]
    if (namespace === 'aws') continue
    assert.equal(namespace, PROJECT, fullKey)
    assert.ok(key in project.config, `${fullKey} is not declared in Pulumi.yaml`)
    assert.not.ok(
      typeof value === 'object' && value !== null && 'secure' in value,
      `${fullKey}: the program reads no secret from config`,
    )
    values[key] = value
  }
  assert.ok(stack.config['aws:region'], 'aws:region')
  const { config } = run({ ...declaredDefaults, ...values })
  assert.equal(config.pkce, true)
  assert.equal(config.store, 'dynamodb')
  assert.equal(config.keyMode, 'secretsmanager')
  assert.ok(config.authorizationParams.acr_values, 'acr_values')
  assert.ok(config.callbackUrls.length > 0)
})

test('docs/deploy-aws.md has every key in its configuration table', () => {
  const docs = read('docs/deploy-aws.md')
  for (const key of Object.keys(project.config)) {
    // Table cells may be padded (markdown formatters align the columns).
    assert.ok(
      new RegExp(`^\\|\\s*\`${key}\`\\s*\\|`, 'm').test(docs),
      `${key} missing from the docs table`,
    )
  }
})

test.run()
