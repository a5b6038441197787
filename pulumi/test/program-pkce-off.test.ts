// The program with PKCE off, the key in KMS, and the IdP endpoints from discovery (served by msw):
// no /authorize or /callback route, no table, Cognito goes to the IdP to authorize. No
// lambdaBundleDir: the program builds the bundles itself, as `pulumi up` does.

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEFAULT_BUILD_ROOT } from '../build-bundles.js'
import {
  drain,
  one,
  REGION,
  reveal,
  runProgram,
  STACK,
  settle,
  urnOf,
  useMocks,
} from './helpers/mocks.js'

const ISSUER = 'https://login.example.com/oauth2/default'
let discoveryRequests = 0
const server = setupServer(
  http.get(`${ISSUER}/.well-known/openid-configuration`, () => {
    discoveryRequests++
    return HttpResponse.json({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/v1/authorize`,
      token_endpoint: `${ISSUER}/v1/token`,
      userinfo_endpoint: `${ISSUER}/v1/userinfo`,
      jwks_uri: `${ISSUER}/v1/keys`,
    })
  }),
)
server.listen({
  onUnhandledRequest(request, print) {
    const { hostname } = new URL(request.url)
    if (hostname === '127.0.0.1' || hostname === 'localhost') return
    print.error()
  },
})

const session = await useMocks({
  issuer: ISSUER,
  clientId: '0oa-example-client',
  // The token endpoint is pinned; the other three come from discovery.
  idpTokenEndpoint: 'https://login.example.com/oauth2/default/v1/token-pinned',
  domainPrefix: 'idp-proxy-okta',
  callbackUrls: JSON.stringify(['https://app.example.com/cb']),
  pkce: 'false',
  keyMode: 'kms',
  kmsKeySpec: 'RSA_2048',
  providerName: 'Okta',
})
const program = await runProgram(session, () => import('../program.js'))
const outputs: Record<string, unknown> = {}
for (const [name, output] of Object.entries(program)) outputs[name] = (await settle(output)).value
await drain()
server.close()

const BASE = `https://idp-proxy-api-id.execute-api.${REGION}.amazonaws.com/v1`
const COGNITO = `https://idp-proxy-okta.auth.${REGION}.amazoncognito.com/oauth2/idpresponse`

test('resources without PKCE: one function, no flow table, a KMS signing key, no key secret', () => {
  const types = session.resources.map((resource) => resource.type)
  assert.equal(
    session.resources.filter((r) => r.type === 'aws:lambda/function:Function').map((r) => r.name),
    ['idp-proxy-proxy'],
  )
  assert.not.ok(types.includes('aws:dynamodb/table:Table'))
  assert.equal(types.filter((type) => type === 'aws:kms/key:Key').length, 1)
  assert.equal(
    session.resources
      .filter((r) => r.type === 'aws:secretsmanager/secret:Secret')
      .map((r) => r.name),
    ['idp-proxy-shared-secret'],
  )
  const key = one(session, 'aws:kms/key:Key', 'idp-proxy-signing-key').inputs
  assert.equal(key.customerMasterKeySpec, 'RSA_2048')
  assert.equal(key.keyUsage, 'SIGN_VERIFY')
})

test('Cognito authorizes at the IdP (from discovery) and exchanges codes at the proxy', () => {
  const provider = one(
    session,
    'aws:cognito/identityProvider:IdentityProvider',
    'idp-proxy-idp',
  ).inputs
  assert.equal(provider.providerName, 'Okta')
  const details = reveal(provider.providerDetails) as Record<string, string>
  assert.equal(details.authorize_url, `${ISSUER}/v1/authorize`)
  assert.equal(details.token_url, `${BASE}/token`)
  assert.equal(details.attributes_url, `${ISSUER}/v1/userinfo`)
  assert.equal(details.jwks_uri, `${ISSUER}/v1/keys`)
  assert.equal(details.oidc_issuer, ISSUER)
  assert.equal(discoveryRequests, 1)
})

test('the token function gets the pinned token endpoint and the KMS key, no store', () => {
  const variables = (
    reveal(one(session, 'aws:lambda/function:Function', 'idp-proxy-proxy').inputs.environment) as {
      variables: Record<string, string>
    }
  ).variables
  assert.equal(
    variables.IDP_TOKEN_ENDPOINT,
    'https://login.example.com/oauth2/default/v1/token-pinned',
  )
  assert.equal(variables.IDP_AUTHORIZATION_ENDPOINT, `${ISSUER}/v1/authorize`)
  assert.equal(variables.PKCE, 'false')
  assert.match(variables.KMS_KEY_ID!, /^arn:aws:kms:/)
  assert.not.ok('STORE' in variables || 'PRIVATE_KEY_SECRET_ARN' in variables)
})

test("outputs: register Cognito's idpresponse at the IdP; no proxy callback, no key secret", () => {
  assert.equal(outputs.idpRedirectUri, COGNITO)
  assert.equal(outputs.cognitoIdpResponseUrl, COGNITO)
  assert.equal(outputs.tokenUrl, `${BASE}/token`)
  assert.match(String(outputs.kmsKeyArn), /^arn:aws:kms:/)
  for (const absent of ['proxyCallbackUrl', 'privateKeySecretArn', 'flowTableName']) {
    assert.not.ok(absent in outputs, absent)
  }
  assert.equal(new URL(String(outputs.signInUrl)).searchParams.get('identity_provider'), 'Okta')
})

test('no /authorize or /callback route or permission', () => {
  const routes = session.resources
    .filter((resource) => resource.type === 'aws:apigatewayv2/route:Route')
    .map((route) => route.inputs.routeKey)
  assert.not.ok(routes.includes('GET /authorize') || routes.includes('GET /callback'))
  const permissions = session.resources
    .filter((resource) => resource.type === 'aws:lambda/permission:Permission')
    .map((permission) => String(permission.inputs.sourceArn))
  assert.not.ok(permissions.some((arn) => /\/(authorize|callback)$/.test(arn)))
})

test('the function runs the bundle the program built, in a content-hashed directory', async () => {
  const lambda = one(session, 'aws:lambda/function:Function', 'idp-proxy-proxy').inputs
  const path = await (lambda.code as { path: Promise<string> }).path
  assert.match(path, new RegExp(`^${DEFAULT_BUILD_ROOT}/[0-9a-f]{16}/all$`))
  assert.ok(existsSync(join(path, 'index.mjs')))
  assert.equal(lambda.runtime, 'nodejs24.x')
})

test('an old KMS stack is adopted; only its token function gives way to the single function', () => {
  const before = JSON.parse(
    readFileSync(new URL('./fixtures/urns-before-14.json', import.meta.url), 'utf8'),
  ) as Record<string, string[]>
  const urns = new Set(
    session.options.flatMap((options) => [
      urnOf(STACK, options),
      ...options.aliasNames.map((alias) => urnOf(STACK, options, alias)),
    ]),
  )
  const missing = before['kms-no-pkce']!.filter((urn) => !urns.has(urn))
  const component = 'urn:pulumi:dev::idp-proxy::idp-proxy:index:IdpProxy$'
  assert.equal(missing.sort(), [
    `${component}aws:apigatewayv2/integration:Integration::idp-proxy-dev-token`,
    `${component}aws:cloudwatch/logGroup:LogGroup::idp-proxy-dev-token`,
    `${component}aws:iam/role:Role::idp-proxy-dev-token`,
    `${component}aws:iam/rolePolicy:RolePolicy::idp-proxy-dev-token`,
    `${component}aws:lambda/function:Function::idp-proxy-dev-token`,
  ])
  // The key is kept, protected.
  const key = session.options.find((options) => options.type === 'aws:kms/key:Key')!
  assert.ok(key.protect)
  assert.ok(urns.has(`${component}aws:kms/key:Key::idp-proxy-dev-signing-key`))
})

test.run()
