// Item: a second `pulumi up` of the same configuration changes nothing. Mocks cannot diff, so
// this runs the program twice, each time in a fresh process as the CLI does, and compares what
// the second run asks for with what the first left in the (mocked) cloud, where Cognito adds
// `attributes_url_add_attributes` to the OIDC provider's details as it does in AWS. The AWS
// provider diffs the new inputs against that state: a map input missing a key the cloud added
// is a change on every update (pulumi-aws#679).
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FIXTURE_BUNDLES } from './helpers/mocks.js'

const run = promisify(execFile)
const deploy = fileURLToPath(new URL('./helpers/deploy.ts', import.meta.url))

interface Deployed {
  type: string
  name: string
  inputs: Record<string, unknown>
  state: Record<string, unknown>
}

async function up(config: Record<string, string>): Promise<Deployed[]> {
  const { stdout } = await run(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', deploy, JSON.stringify(config)],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  )
  return JSON.parse(stdout) as Deployed[]
}

const BASE = {
  issuer: 'https://idp.example.gov/',
  clientId: 'urn:example:client',
  idpAuthorizationEndpoint: 'https://idp.example.gov/authorize',
  idpTokenEndpoint: 'https://idp.example.gov/token',
  idpUserinfoEndpoint: 'https://idp.example.gov/userinfo',
  idpJwksUri: 'https://idp.example.gov/jwks',
  domainPrefix: 'idp-proxy-test',
  callbackUrls: JSON.stringify(['https://app.example.com/cb']),
  lambdaBundleDir: FIXTURE_BUNDLES,
}
const CONFIGS: Record<string, Record<string, string>> = {
  'PKCE, Secrets Manager key, one function': BASE,
  'no PKCE, KMS key, function per route': {
    ...BASE,
    pkce: 'false',
    keyMode: 'kms',
    lambdaFunctions: 'per-route',
  },
}

const key = (resource: Deployed) => `${resource.type} ${resource.name}`

for (const [label, config] of Object.entries(CONFIGS)) {
  test(`second deployment, same config: no input differs from the state (${label})`, async () => {
    const [first, second] = await Promise.all([up(config), up(config)])
    const before = new Map(first.map((resource) => [key(resource), resource]))
    assert.equal(second.map(key).sort(), first.map(key).sort(), 'the same resources')
    for (const resource of second) {
      const old = before.get(key(resource))!
      assert.equal(resource.inputs, old.inputs, `${key(resource)}: the same inputs`)
      for (const [property, value] of Object.entries(resource.inputs)) {
        assert.equal(
          value,
          old.state[property],
          `${key(resource)}: ${property} differs from the state`,
        )
      }
    }
    const provider = second.find((r) => r.type === 'aws:cognito/identityProvider:IdentityProvider')!
    // The mocks see the map as one secret (their deserialization lifts the client secret's mark).
    const given = provider.inputs.providerDetails as { secret?: Record<string, unknown> }
    const details = (given.secret ?? given) as Record<string, unknown>
    assert.equal(details.attributes_url_add_attributes, 'false')
  })
}

test.run()
