// The whole program (index.ts) under mocks with a full stack configuration, PKCE on and the key
// in Secrets Manager: stack outputs, and where the configured secrets end up.
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
  settle,
  stringsIn,
  useMocks,
} from './helpers/mocks.js'

const SHARED_SECRET = 'configured-shared-secret-abcdefghijklmnopqrstuvwxyz'
// Not a usable key: the program stores the JWK text as given; only its secrecy matters here.
const PRIVATE_JWK = JSON.stringify({
  kty: 'EC',
  crv: 'P-256',
  kid: 'k1',
  x: 'xx',
  y: 'yy',
  d: 'private-d-value',
})

const session = await useMocks(
  {
    issuer: 'https://idp.example.gov/',
    clientId: 'urn:example:client',
    idpAuthorizationEndpoint: 'https://idp.example.gov/authorize',
    idpTokenEndpoint: 'https://idp.example.gov/token',
    idpUserinfoEndpoint: 'https://idp.example.gov/userinfo',
    idpJwksUri: 'https://idp.example.gov/jwks',
    domainPrefix: 'idp-proxy-test',
    callbackUrls: JSON.stringify(['https://app.example.com/auth/callback']),
    authorizationParams: 'acr_values=http://idmanagement.gov/ns/assurance/ial/1',
    privateKeyJwk: PRIVATE_JWK,
    sharedSecret: SHARED_SECRET,
    lambdaBundleDir: FIXTURE_BUNDLES,
  },
  ['privateKeyJwk', 'sharedSecret'],
)
const program = (await import('../index.js')).default as Record<string, pulumi.Output<unknown>>
const outputs: Record<string, { value: unknown; secret: boolean }> = {}
for (const [name, output] of Object.entries(program)) outputs[name] = await settle(output)
await drain()

const BASE = `https://idp-proxy-dev-api-id.execute-api.${REGION}.amazonaws.com/v1`

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
    /^arn:aws:secretsmanager:.*:secret:idp-proxy-dev-private-key-/,
  )
  assert.equal(outputs.userPoolId?.value, 'idp-proxy-dev-pool-id')
  assert.equal(outputs.userPoolClientId?.value, 'idp-proxy-dev-client-id')
  const hosted = new URL(String(outputs.hostedUiUrl?.value))
  assert.equal(
    `${hosted.origin}${hosted.pathname}`,
    `https://idp-proxy-test.auth.${REGION}.amazoncognito.com/login`,
  )
  assert.equal(hosted.searchParams.get('client_id'), 'idp-proxy-dev-client-id')
  assert.equal(hosted.searchParams.get('response_type'), 'code')
})

test('no stack output holds a secret, so none needs to be (or is) marked secret', () => {
  for (const [name, { value, secret }] of Object.entries(outputs)) {
    const text = JSON.stringify(value)
    assert.not.ok(text.includes(SHARED_SECRET) || text.includes('private-d-value'), name)
    assert.not.ok(secret, `${name} would print as [secret]`)
  }
})

test('the private key is only in its secret version, marked secret', () => {
  const holders = session.resources.filter((resource) =>
    stringsIn(resource.inputs).some((found) => found.text.includes('private-d-value')),
  )
  assert.equal(
    holders.map((resource) => `${resource.type} ${resource.name}`),
    ['aws:secretsmanager/secretVersion:SecretVersion idp-proxy-dev-private-key'],
  )
  const version = holders[0]!.inputs
  assert.ok(isSecretBox(version.secretString))
  assert.equal(reveal(version.secretString), PRIVATE_JWK)
})

test('the configured shared secret: its secret version and the Cognito provider only, no generator', () => {
  const holders = session.resources.filter((resource) =>
    stringsIn(resource.inputs).some((found) => found.text.includes(SHARED_SECRET)),
  )
  assert.equal(holders.map((resource) => resource.type).sort(), [
    'aws:cognito/identityProvider:IdentityProvider',
    'aws:secretsmanager/secretVersion:SecretVersion',
  ])
  for (const holder of holders) {
    assert.ok(
      stringsIn(holder.inputs)
        .filter((found) => found.text.includes(SHARED_SECRET))
        .every((found) => found.secret),
      holder.name,
    )
  }
  assert.equal(
    session.resources.filter(
      (resource) => resource.type === 'random:index/randomPassword:RandomPassword',
    ).length,
    0,
  )
})

test('no secret in any Lambda environment', () => {
  for (const lambda of session.resources.filter((r) => r.type === 'aws:lambda/function:Function')) {
    const variables = JSON.stringify(reveal(lambda.inputs.environment))
    assert.not.ok(variables.includes(SHARED_SECRET), lambda.name)
    assert.not.ok(variables.includes('private-d-value'), lambda.name)
  }
})

test('configuration reaches the resources', () => {
  const authorize = reveal(
    one(session, 'aws:lambda/function:Function', 'idp-proxy-dev-authorize').inputs.environment,
  ) as {
    variables: Record<string, string>
  }
  assert.equal(JSON.parse(authorize.variables.AUTHORIZATION_PARAMS!), {
    acr_values: 'http://idmanagement.gov/ns/assurance/ial/1',
  })
  const details = reveal(
    one(session, 'aws:cognito/identityProvider:IdentityProvider', 'idp-proxy-dev-idp').inputs
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
