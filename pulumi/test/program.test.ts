// The whole program (program.ts) under mocks with a full stack configuration, PKCE on and the key
// in Secrets Manager, as the language host runs it (inside the root stack): stack outputs,
// names that survive `pulumi stack rename`, aliases that adopt stacks deployed with the old
// names, protection, and where the secrets end up.
import { readFileSync } from 'node:fs'
import type * as pulumi from '@pulumi/pulumi'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  drain,
  FIXTURE_BUNDLES,
  isSecretBox,
  one,
  REGION,
  reveal,
  runProgram,
  STACK,
  settle,
  stringsIn,
  urnOf,
  useMocks,
} from './helpers/mocks.js'

const session = await useMocks({
  issuer: 'https://idp.example.gov/',
  clientId: 'urn:example:client',
  idpAuthorizationEndpoint: 'https://idp.example.gov/authorize',
  idpTokenEndpoint: 'https://idp.example.gov/token',
  idpUserinfoEndpoint: 'https://idp.example.gov/userinfo',
  idpJwksUri: 'https://idp.example.gov/jwks',
  domainPrefix: 'idp-proxy-test',
  callbackUrls: JSON.stringify(['https://app.example.com/auth/callback']),
  authorizationParams: 'acr_values=http://idmanagement.gov/ns/assurance/ial/1',
  lambdaFunctions: 'per-route',
  lambdaBundleDir: FIXTURE_BUNDLES,
})
const program = await runProgram(session, () => import('../program.js'))
const outputs: Record<string, { value: unknown; secret: boolean }> = {}
for (const [name, output] of Object.entries(program)) {
  outputs[name] = await settle(output as pulumi.Output<unknown>)
}
await drain()

const BASE = `https://idp-proxy-api-id.execute-api.${REGION}.amazonaws.com/v1`
const before = JSON.parse(
  readFileSync(new URL('./fixtures/urns-before-14.json', import.meta.url), 'utf8'),
) as Record<string, string[]>

test('stack outputs: what to register at the IdP and in the application', () => {
  assert.equal(Object.keys(outputs).sort(), [
    'cognitoIdpResponseUrl',
    'flowTableName',
    'hostedUiUrl',
    'idpRedirectUri',
    'jwksUrl',
    'privateKeySecretArn',
    'proxyBaseUrl',
    'proxyCallbackUrl',
    'sharedSecretArn',
    'signInUrl',
    'tokenUrl',
    'userPoolClientId',
    'userPoolId',
  ])
  assert.equal(outputs.proxyCallbackUrl?.value, `${BASE}/callback`)
  assert.equal(outputs.idpRedirectUri?.value, `${BASE}/callback`)
  assert.equal(
    outputs.cognitoIdpResponseUrl?.value,
    `https://idp-proxy-test.auth.${REGION}.amazoncognito.com/oauth2/idpresponse`,
  )
  assert.equal(outputs.tokenUrl?.value, `${BASE}/token`)
  assert.equal(outputs.jwksUrl?.value, `${BASE}/.well-known/jwks.json`)
  assert.match(
    String(outputs.privateKeySecretArn?.value),
    /^arn:aws:secretsmanager:.*:secret:idp-proxy-private-key-/,
  )
  assert.equal(outputs.userPoolId?.value, 'idp-proxy-pool-id')
  assert.equal(outputs.userPoolClientId?.value, 'idp-proxy-client-id')
  const hosted = new URL(String(outputs.hostedUiUrl?.value))
  assert.equal(
    `${hosted.origin}${hosted.pathname}`,
    `https://idp-proxy-test.auth.${REGION}.amazoncognito.com/login`,
  )
  assert.equal(hosted.searchParams.get('client_id'), 'idp-proxy-client-id')
  assert.equal(hosted.searchParams.get('response_type'), 'code')
})

test('no stack output holds a secret, so none needs to be (or is) marked secret', () => {
  for (const [name, { value, secret }] of Object.entries(outputs)) {
    assert.not.ok(JSON.stringify(value).includes('generated-shared-secret'), name)
    assert.not.ok(secret, `${name} would print as [secret]`)
  }
})

test('no resource name and no input carries the stack name: a stack rename replaces nothing', () => {
  assert.ok(session.resources.length > 30)
  for (const resource of session.resources) {
    assert.not.ok(resource.name.includes(STACK), `${resource.type} ${resource.name}`)
    for (const found of stringsIn(resource.inputs)) {
      assert.not.ok(found.text.includes(`idp-proxy-${STACK}`), `${resource.name}.${found.path}`)
    }
  }
})

test('stacks deployed with the old names are adopted: every old URN is an alias of a resource', () => {
  const urns = new Map<string, string>()
  for (const options of session.options) {
    urns.set(urnOf(STACK, options), `${options.type} ${options.name}`)
    for (const alias of options.aliasNames) {
      urns.set(urnOf(STACK, options, alias), `${options.type} ${options.name} (alias)`)
    }
  }
  const old = before['pkce-secretsmanager']!
  assert.equal(old.length, 38, 'the recorded stack')
  const missing = old.filter((urn) => !urns.has(urn))
  assert.equal(missing, [], 'old URNs no resource answers to (they would be replaced)')
  // The component itself: urn:pulumi:dev::idp-proxy::idp-proxy:index:IdpProxy::idp-proxy-dev
  assert.equal(
    urns.get(`urn:pulumi:${STACK}::idp-proxy::idp-proxy:index:IdpProxy::idp-proxy-${STACK}`),
    'idp-proxy:index:IdpProxy idp-proxy (alias)',
  )
})

test('protection: the user pool, the flow table and the key secret are protected', () => {
  const protectedNames = session.options
    .filter((options) => options.protect)
    .map((options) => `${options.type} ${options.name}`)
    .sort()
  assert.equal(protectedNames, [
    'aws:cognito/userPool:UserPool idp-proxy-pool',
    'aws:dynamodb/table:Table idp-proxy-flows',
    'aws:secretsmanager/secret:Secret idp-proxy-private-key',
  ])
})

test('the generated shared secret: its secret version and the Cognito provider only, secret', () => {
  const holders = session.resources.filter((resource) =>
    stringsIn(resource.inputs).some((found) => found.text.includes('generated-shared-secret')),
  )
  assert.equal(holders.map((resource) => resource.type).sort(), [
    'aws:cognito/identityProvider:IdentityProvider',
    'aws:secretsmanager/secretVersion:SecretVersion',
  ])
  for (const holder of holders) {
    assert.ok(
      stringsIn(holder.inputs)
        .filter((found) => found.text.includes('generated-shared-secret'))
        .every((found) => found.secret),
      holder.name,
    )
  }
  const password = one(
    session,
    'random:index/randomPassword:RandomPassword',
    'idp-proxy-shared-secret',
  )
  assert.equal(password.inputs.keepers, undefined, 'rotation 0: no keepers, as before rotation')
  const version = one(
    session,
    'aws:secretsmanager/secretVersion:SecretVersion',
    'idp-proxy-shared-secret',
  )
  assert.ok(isSecretBox(version.inputs.secretString))
})

test('no secret in any Lambda environment', () => {
  for (const lambda of session.resources.filter((r) => r.type === 'aws:lambda/function:Function')) {
    const variables = JSON.stringify(reveal(lambda.inputs.environment))
    assert.not.ok(variables.includes('generated-shared-secret'), lambda.name)
  }
})

test('configuration reaches the resources', () => {
  const authorize = reveal(
    one(session, 'aws:lambda/function:Function', 'idp-proxy-authorize').inputs.environment,
  ) as {
    variables: Record<string, string>
  }
  assert.equal(JSON.parse(authorize.variables.AUTHORIZATION_PARAMS!), {
    acr_values: 'http://idmanagement.gov/ns/assurance/ial/1',
  })
  const details = reveal(
    one(session, 'aws:cognito/identityProvider:IdentityProvider', 'idp-proxy-idp').inputs
      .providerDetails,
  ) as Record<string, string>
  assert.equal(details.authorize_url, `${BASE}/authorize`)
  assert.equal(details.attributes_url, 'https://idp.example.gov/userinfo')
  assert.equal(details.jwks_uri, 'https://idp.example.gov/jwks')
  assert.equal(details.authorize_scopes, 'openid email profile')
})

test('the program only invokes getRegion (every other invoke would fail the mocks)', () => {
  assert.equal([...new Set(session.calls)], ['aws:index/getRegion:getRegion'])
})

test.run()
