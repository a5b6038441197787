// IdpProxy under Pulumi mocks: the resources, the Cognito provider's endpoints, IAM scoping and
// the Lambda environment, with PKCE on (function per route, Secrets Manager key), off (KMS key),
// and the default single function; resource options (protection, replacement order).
import { optionsFromEnv } from '@idp-proxy/core'
import * as pulumi from '@pulumi/pulumi'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ACCOUNT,
  actionsOf,
  drain,
  FIXTURE_BUNDLES,
  isSecretBox,
  one,
  parsePolicy,
  REGION,
  type RecordedResource,
  resourcesOf,
  reveal,
  settle,
  stringsIn,
  useMocks,
} from './helpers/mocks.js'

const session = await useMocks({})
const { IdpProxy } = await import('../src/idp-proxy.js')

const IDP = {
  issuer: 'https://idp.example.gov/',
  clientId: 'urn:example:client',
  endpoints: {
    authorizationEndpoint: 'https://idp.example.gov/openid_connect/authorize',
    tokenEndpoint: 'https://idp.example.gov/api/openid_connect/token',
    userinfoEndpoint: 'https://idp.example.gov/api/openid_connect/userinfo',
    jwksUri: 'https://idp.example.gov/api/openid_connect/certs',
  },
}
const SHARED_SECRET = 'shared-secret-for-the-component-test-0123456789'

const recorded = { transformations: [session.transformation] }
const on = new IdpProxy(
  'on',
  {
    idp: { ...IDP, scopes: ['openid', 'email'] },
    authorizationParams: { acr_values: 'http://idmanagement.gov/ns/assurance/ial/1' },
    cognito: { domainPrefix: 'proxy-on', callbackUrls: ['https://app.example.com/cb'] },
    sharedSecret: pulumi.secret(SHARED_SECRET),
    functions: 'per-route',
    throttle: {
      browser: { rateLimit: 5, burstLimit: 10 },
      token: { rateLimit: 50, burstLimit: 100 },
    },
    bundleDir: FIXTURE_BUNDLES,
  },
  recorded,
)
const off = new IdpProxy(
  'off',
  {
    idp: IDP,
    pkce: false,
    keyMode: 'kms',
    kmsKeySpec: 'ECC_NIST_P256',
    kmsKeyKid: 'kms-key-1',
    functions: 'per-route',
    protection: 'retain',
    cognito: { domainPrefix: 'proxy-off', callbackUrls: ['https://app.example.com/cb'] },
    bundleDir: FIXTURE_BUNDLES,
  },
  recorded,
)
// The defaults: one function for every route, protection on.
const single = new IdpProxy(
  'single',
  {
    idp: IDP,
    keyMode: 'kms',
    cognito: { domainPrefix: 'proxy-single', callbackUrls: ['https://app.example.com/cb'] },
    bundleDir: FIXTURE_BUNDLES,
    resources: {
      function: { reservedConcurrentExecutions: 7 },
      flowTable: { tags: { team: 'identity' } },
    },
  },
  recorded,
)
const unprotected = new IdpProxy(
  'unprotected',
  {
    idp: IDP,
    protection: 'none',
    cognito: { domainPrefix: 'proxy-none', callbackUrls: ['https://app.example.com/cb'] },
    bundleDir: FIXTURE_BUNDLES,
  },
  recorded,
)
const renamed = new IdpProxy(
  'renamed',
  {
    idp: IDP,
    cognito: { domainPrefix: 'proxy-renamed', callbackUrls: ['https://app.example.com/cb'] },
    bundleDir: FIXTURE_BUNDLES,
  },
  { ...recorded, aliases: [{ name: 'renamed-before' }] },
)
for (const proxy of [on, off, single, unprotected, renamed]) await settle(proxy.signInUrl)
await drain()

const mine = (prefix: string) =>
  session.resources.filter(
    (resource) => resource.name === prefix || resource.name.startsWith(`${prefix}-`),
  )
const typed = (prefix: string, type: string) =>
  mine(prefix).filter((resource) => resource.type === type)
const names = (resources: RecordedResource[]) => resources.map((resource) => resource.name).sort()
const env = (prefix: string, fn: string) =>
  reveal(one(session, 'aws:lambda/function:Function', `${prefix}-${fn}`).inputs.environment) as {
    variables: Record<string, string>
  }
const providerDetails = (prefix: string) =>
  reveal(
    one(session, 'aws:cognito/identityProvider:IdentityProvider', `${prefix}-idp`).inputs
      .providerDetails,
  ) as Record<string, string>
const BASE = (prefix: string) => `https://${prefix}-api-id.execute-api.${REGION}.amazonaws.com/v1`

test('PKCE on: three functions, a flow table and the five routes', () => {
  assert.equal(names(typed('on', 'aws:lambda/function:Function')), [
    'on-authorize',
    'on-callback',
    'on-token',
  ])
  assert.equal(typed('on', 'aws:dynamodb/table:Table').length, 1)
  assert.equal(
    typed('on', 'aws:apigatewayv2/route:Route')
      .map((route) => route.inputs.routeKey)
      .sort(),
    ['GET /.well-known/jwks.json', 'GET /authorize', 'GET /callback', 'GET /health', 'POST /token'],
  )
  assert.equal(typed('on', 'aws:iam/role:Role').length, 3, 'one role per function')
  assert.equal(typed('on', 'aws:lambda/permission:Permission').length, 5)
  assert.equal(typed('on', 'aws:cognito/userPool:UserPool').length, 1)
  assert.equal(
    typed('on', 'aws:cognito/userPoolDomain:UserPoolDomain')[0]?.inputs.domain,
    'proxy-on',
  )
  assert.equal(typed('on', 'aws:kms/key:Key').length, 0)
  assert.equal(
    typed('on', 'aws:secretsmanager/secret:Secret').length,
    2,
    'private key + shared secret',
  )
})

test('PKCE off: only the token function, no table, no /authorize or /callback route', () => {
  assert.equal(names(typed('off', 'aws:lambda/function:Function')), ['off-token'])
  assert.equal(typed('off', 'aws:dynamodb/table:Table').length, 0)
  assert.equal(
    typed('off', 'aws:apigatewayv2/route:Route')
      .map((route) => route.inputs.routeKey)
      .sort(),
    ['GET /.well-known/jwks.json', 'GET /health', 'POST /token'],
  )
  assert.equal(typed('off', 'aws:iam/role:Role').length, 1)
})

test('the Cognito provider: proxy /authorize and /token with PKCE, the IdP for the rest', async () => {
  const details = providerDetails('on')
  assert.equal(details.authorize_url, `${BASE('on')}/authorize`)
  assert.equal(details.token_url, `${BASE('on')}/token`)
  assert.equal(details.oidc_issuer, IDP.issuer)
  assert.equal(details.jwks_uri, IDP.endpoints.jwksUri)
  assert.equal(details.attributes_url, IDP.endpoints.userinfoEndpoint)
  assert.equal(details.client_id, IDP.clientId)
  assert.equal(details.client_secret, SHARED_SECRET)
  assert.equal(details.authorize_scopes, 'openid email')
  assert.equal(details.attributes_request_method, 'GET')
  assert.equal(details.attributes_url_add_attributes, 'false', 'the key Cognito adds, set')
  const idp = one(session, 'aws:cognito/identityProvider:IdentityProvider', 'on-idp')
  assert.equal(idp.inputs.providerType, 'OIDC')
  // What the component hands Pulumi: a plain map in which only the client secret is a secret
  // Output. (The mocks' own deserialization lifts a nested secret to the whole map, so the
  // recorded inputs cannot show this; the arguments before serialization can.)
  const given = session.options.find(
    (o) => o.type === 'aws:cognito/identityProvider:IdentityProvider' && o.name === 'on-idp',
  )!.props.providerDetails as Record<string, unknown>
  assert.not.ok(pulumi.Output.isInstance(given), 'a map, not one Output')
  const secretKeys: string[] = []
  for (const [key, value] of Object.entries(given)) {
    if (pulumi.Output.isInstance(value) && (await pulumi.isSecret(value))) secretKeys.push(key)
  }
  assert.equal(secretKeys, ['client_secret'], 'only the client secret is secret')
})

test('the Cognito provider without PKCE: the IdP authorize endpoint, the proxy /token', () => {
  const details = providerDetails('off')
  assert.equal(details.authorize_url, IDP.endpoints.authorizationEndpoint)
  assert.equal(details.token_url, `${BASE('off')}/token`)
  assert.equal(details.jwks_uri, IDP.endpoints.jwksUri)
  assert.equal(details.oidc_issuer, IDP.issuer)
})

test('the app client: code grant, callback URLs, only the federated provider', () => {
  const client = one(session, 'aws:cognito/userPoolClient:UserPoolClient', 'on-client').inputs
  assert.equal(client.allowedOauthFlows, ['code'])
  assert.equal(client.allowedOauthFlowsUserPoolClient, true)
  assert.equal(client.callbackUrls, ['https://app.example.com/cb'])
  assert.equal(client.supportedIdentityProviders, ['IdP'])
  assert.equal(client.allowedOauthScopes, ['openid', 'email', 'profile'])
})

test('the flow table: pk hash key, TTL on expiresAt, on-demand, encrypted', () => {
  const table = typed('on', 'aws:dynamodb/table:Table')[0]!.inputs
  assert.equal(table.hashKey, 'pk')
  assert.equal(table.attributes, [{ name: 'pk', type: 'S' }])
  assert.equal(table.ttl, { attributeName: 'expiresAt', enabled: true })
  assert.equal(table.billingMode, 'PAY_PER_REQUEST')
  assert.equal(table.serverSideEncryption, { enabled: true })
  assert.equal(table.pointInTimeRecovery, { enabled: false })
})

test('Lambda functions: Node.js 24 on arm64 from the adapter bundles, logs to their own group', async () => {
  for (const lambda of session.resources.filter((r) => r.type === 'aws:lambda/function:Function')) {
    assert.equal(lambda.inputs.runtime, 'nodejs24.x', lambda.name)
    assert.equal(lambda.inputs.architectures, ['arm64'], lambda.name)
  }
  for (const fn of ['authorize', 'callback', 'token']) {
    const lambda = one(session, 'aws:lambda/function:Function', `on-${fn}`).inputs
    assert.equal(lambda.architectures, ['arm64'])
    assert.equal(lambda.handler, 'index.handler')
    assert.instance(lambda.code, pulumi.asset.FileArchive)
    assert.equal(await (lambda.code as pulumi.asset.FileArchive).path, `${FIXTURE_BUNDLES}/${fn}`)
    const logging = lambda.loggingConfig as { logGroup: string }
    assert.equal(logging.logGroup, `on-${fn}-generated`)
    assert.equal(
      one(session, 'aws:cloudwatch/logGroup:LogGroup', `on-${fn}`).inputs.retentionInDays,
      30,
    )
  }
})

test('API: HTTP API, JSON access logs without query strings, AWS_PROXY 2.0 integrations', () => {
  assert.equal(one(session, 'aws:apigatewayv2/api:Api', 'on-api').inputs.protocolType, 'HTTP')
  const stage = one(session, 'aws:apigatewayv2/stage:Stage', 'on-stage').inputs
  assert.equal(stage.name, 'v1')
  assert.equal(stage.defaultRouteSettings, { throttlingRateLimit: 5, throttlingBurstLimit: 10 })
  assert.equal(stage.routeSettings, [
    { routeKey: 'POST /token', throttlingRateLimit: 50, throttlingBurstLimit: 100 },
  ])
  assert.equal(stage.autoDeploy, true)
  const access = stage.accessLogSettings as { destinationArn: string; format: string }
  assert.match(access.destinationArn, /:log-group:on-api-access-generated$/)
  const format = JSON.parse(access.format) as Record<string, string>
  assert.equal(format.routeKey, '$context.routeKey')
  assert.not.ok(
    Object.values(format).some((value) => /querystring|path/i.test(value)),
    'no query string logged',
  )
  assert.equal(
    one(session, 'aws:cloudwatch/logGroup:LogGroup', 'on-api-access').inputs.retentionInDays,
    30,
  )
  for (const integration of typed('on', 'aws:apigatewayv2/integration:Integration')) {
    assert.equal(integration.inputs.integrationType, 'AWS_PROXY')
    assert.equal(integration.inputs.payloadFormatVersion, '2.0')
  }
})

test('Lambda permissions are scoped to the API, stage, method and path', () => {
  const arns = typed('on', 'aws:lambda/permission:Permission')
    .map((permission) => permission.inputs.sourceArn as string)
    .sort()
  const prefix = `arn:aws:execute-api:${REGION}:${ACCOUNT}:on-api-id/v1`
  assert.equal(arns, [
    `${prefix}/GET/.well-known/jwks.json`,
    `${prefix}/GET/authorize`,
    `${prefix}/GET/callback`,
    `${prefix}/GET/health`,
    `${prefix}/POST/token`,
  ])
})

const policyOf = (prefix: string, fn: string) =>
  parsePolicy(one(session, 'aws:iam/rolePolicy:RolePolicy', `${prefix}-${fn}`))
const tableArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/on-flows-generated`

test('IAM: /authorize and /callback may only write and take flows in the table', () => {
  assert.equal(actionsOf(policyOf('on', 'authorize')).sort(), [
    'dynamodb:PutItem',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
  ])
  assert.equal(actionsOf(policyOf('on', 'callback')).sort(), [
    'dynamodb:DeleteItem',
    'dynamodb:PutItem',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
  ])
  for (const fn of ['authorize', 'callback']) {
    const policy = policyOf('on', fn)
    assert.not.ok(
      actionsOf(policy).some((action) => /^(secretsmanager|kms):/.test(action)),
      fn,
    )
    const table = policy.Statement.find((statement) => statement.Sid === 'FlowTable')!
    assert.equal([table.Resource].flat(), [tableArn])
  }
})

test('IAM: only /token reads the two secrets (Secrets Manager mode)', () => {
  const policy = policyOf('on', 'token')
  const read = policy.Statement.find((statement) => statement.Sid === 'ReadSecrets')!
  assert.equal([read.Action].flat(), ['secretsmanager:GetSecretValue'])
  assert.equal([read.Resource].flat().sort(), [
    `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:on-private-key-AbCdEf`,
    `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:on-shared-secret-AbCdEf`,
  ])
  assert.equal(
    actionsOf(policy).filter((action) => action.startsWith('dynamodb:')),
    ['dynamodb:DeleteItem'],
  )
  assert.not.ok(actionsOf(policy).some((action) => action.startsWith('kms:')))
})

test('IAM: KMS mode lets /token sign with and read the public half of that key only', () => {
  const policy = policyOf('off', 'token')
  const kms = policy.Statement.find((statement) => statement.Sid === 'SignWithKmsKey')!
  assert.equal([kms.Action].flat(), ['kms:GetPublicKey', 'kms:Sign'])
  assert.equal([kms.Resource].flat(), [`arn:aws:kms:${REGION}:${ACCOUNT}:key/off-signing-key-id`])
  const read = policy.Statement.find((statement) => statement.Sid === 'ReadSecrets')!
  assert.equal([read.Resource].flat(), [
    `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:off-shared-secret-AbCdEf`,
  ])
  assert.not.ok(
    actionsOf(policy).some((action) => action.startsWith('dynamodb:')),
    'no table without PKCE',
  )
})

test('IAM: no "*" resource anywhere; logs only to the function\'s own group', () => {
  for (const resource of session.resources.filter(
    (r) => r.type === 'aws:iam/rolePolicy:RolePolicy',
  )) {
    const policy = parsePolicy(resource)
    assert.not.ok(resourcesOf(policy).includes('*'), resource.name)
    assert.not.ok(
      actionsOf(policy).some((action) => action.includes('*')),
      resource.name,
    )
    const logs = policy.Statement.find((statement) => statement.Sid === 'WriteOwnLogs')!
    assert.equal([logs.Resource].flat(), [
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${resource.name}-generated:log-stream:*`,
    ])
  }
  for (const role of session.resources.filter((r) => r.type === 'aws:iam/role:Role')) {
    const trust = JSON.parse(role.inputs.assumeRolePolicy as string)
    assert.equal(trust.Statement[0].Principal, { Service: 'lambda.amazonaws.com' })
    assert.not.ok(
      role.inputs.managedPolicyArns,
      'no managed policies (AWSLambdaBasicExecutionRole is logs:* on *)',
    )
  }
})

test('KMS mode: an asymmetric signing key, its ARN in the environment, no key secret', () => {
  const key = typed('off', 'aws:kms/key:Key')[0]!.inputs
  assert.equal(key.keyUsage, 'SIGN_VERIFY')
  assert.equal(key.customerMasterKeySpec, 'ECC_NIST_P256')
  const variables = env('off', 'token').variables
  assert.equal(variables.KMS_KEY_ID, `arn:aws:kms:${REGION}:${ACCOUNT}:key/off-signing-key-id`)
  assert.equal(variables.KMS_KEY_KID, 'kms-key-1')
  assert.not.ok('PRIVATE_KEY_SECRET_ARN' in variables)
  assert.equal(names(typed('off', 'aws:secretsmanager/secret:Secret')), ['off-shared-secret'])
})

test('Lambda environment: the agreed variables, ARNs instead of secrets', () => {
  const token = env('on', 'token').variables
  assert.equal(token.PROXY_BASE_URL, BASE('on'))
  assert.equal(
    token.COGNITO_REDIRECT_URIS,
    `https://proxy-on.auth.${REGION}.amazoncognito.com/oauth2/idpresponse`,
  )
  assert.equal(token.IDP_ISSUER, IDP.issuer)
  assert.equal(token.IDP_CLIENT_ID, IDP.clientId)
  assert.equal(token.STORE, 'dynamodb')
  assert.equal(token.FLOW_TABLE_NAME, 'on-flows-generated')
  assert.equal(token.PKCE, 'true')
  assert.match(token.CLIENT_SECRET_ARN!, /:secret:on-shared-secret-/)
  assert.match(token.PRIVATE_KEY_SECRET_ARN!, /:secret:on-private-key-/)
  assert.not.ok('COGNITO_CLIENT_SECRET' in token, 'the shared secret is never in the environment')
  const authorize = env('on', 'authorize').variables
  assert.equal(JSON.parse(authorize.AUTHORIZATION_PARAMS!), {
    acr_values: 'http://idmanagement.gov/ns/assurance/ial/1',
  })
  for (const fn of ['authorize', 'callback']) {
    const variables = env('on', fn).variables
    assert.not.ok('CLIENT_SECRET_ARN' in variables || 'PRIVATE_KEY_SECRET_ARN' in variables, fn)
  }
  const offToken = env('off', 'token').variables
  assert.equal(offToken.PKCE, 'false')
  assert.not.ok('STORE' in offToken || 'FLOW_TABLE_NAME' in offToken)
})

test("every function's environment is valid for core's optionsFromEnv", () => {
  for (const [prefix, fns] of [
    ['on', ['authorize', 'callback', 'token']],
    ['off', ['token']],
  ] as const) {
    for (const fn of fns) {
      const options = optionsFromEnv(env(prefix, fn).variables)
      assert.equal(options.baseUrl, BASE(prefix))
      assert.equal(options.pkce, prefix === 'on')
      // STORE=dynamodb is left to the adapter; without PKCE no store is ever used.
      if (prefix === 'on') assert.equal(options.store, undefined)
    }
  }
})

test('the shared secret is only in its secret version and the Cognito provider, both secret', () => {
  const holders = session.resources.flatMap((resource) =>
    stringsIn(resource.inputs)
      .filter((found) => found.text.includes(SHARED_SECRET))
      .map((found) => ({ resource: `${resource.type} ${resource.name}`, ...found })),
  )
  assert.equal(holders.map((holder) => holder.resource).sort(), [
    'aws:cognito/identityProvider:IdentityProvider on-idp',
    'aws:secretsmanager/secretVersion:SecretVersion on-shared-secret',
  ])
  assert.ok(
    holders.every((holder) => holder.secret),
    'marked secret, so encrypted in the state',
  )
  for (const lambda of session.resources.filter((r) => r.type === 'aws:lambda/function:Function')) {
    const text = JSON.stringify(reveal(lambda.inputs))
    assert.not.ok(text.includes(SHARED_SECRET), lambda.name)
    assert.not.ok(text.includes('generated-shared-secret'), lambda.name)
  }
})

test('a generated shared secret (RandomPassword) is secret and kept out of the functions', () => {
  const version = one(
    session,
    'aws:secretsmanager/secretVersion:SecretVersion',
    'off-shared-secret',
  )
  assert.ok(isSecretBox(version.inputs.secretString))
  assert.equal(
    reveal(version.inputs.secretString),
    'generated-shared-secret-0123456789abcdefghijklmnop',
  )
  const password = one(
    session,
    'random:index/randomPassword:RandomPassword',
    'off-shared-secret',
  ).inputs
  assert.equal(password.length, 48)
  assert.equal(password.special, false)
})

test('outputs: URLs to register at the IdP, Cognito ids, the ARNs', async () => {
  assert.equal((await settle(on.idpRedirectUri)).value, `${BASE('on')}/callback`)
  assert.equal(
    (await settle(off.idpRedirectUri)).value,
    `https://proxy-off.auth.${REGION}.amazoncognito.com/oauth2/idpresponse`,
  )
  assert.equal((await settle(on.jwksUrl)).value, `${BASE('on')}/.well-known/jwks.json`)
  assert.equal((await settle(on.userPoolId)).value, 'on-pool-id')
  assert.equal((await settle(on.userPoolClientId)).value, 'on-client-id')
  const signIn = new URL((await settle(on.signInUrl)).value)
  assert.equal(signIn.origin, `https://proxy-on.auth.${REGION}.amazoncognito.com`)
  assert.equal(signIn.searchParams.get('identity_provider'), 'IdP')
  assert.equal(signIn.searchParams.get('redirect_uri'), 'https://app.example.com/cb')
  assert.equal(on.kmsKeyArn, undefined)
  assert.equal(off.privateKeySecretArn, undefined)
  assert.equal(off.flowTableName, undefined)
})

test('a missing Lambda bundle stops before anything is registered, naming the path', () => {
  const before = session.resources.length
  for (const [functions, bundle] of [
    ['single', 'all'],
    ['per-route', 'authorize'],
  ] as const) {
    assert.throws(
      () =>
        new IdpProxy('nobundle', {
          idp: IDP,
          functions,
          cognito: { domainPrefix: 'nobundle', callbackUrls: ['https://app.example.com/cb'] },
          bundleDir: '/nonexistent/dist',
        }),
      (error: Error) =>
        error instanceof pulumi.RunError &&
        error.message.includes(`/nonexistent/dist/${bundle}/index.mjs does not exist`),
    )
  }
  assert.equal(session.resources.length, before)
})

test('single function (the default): every route, one role with the union of the rights', () => {
  assert.equal(names(typed('single', 'aws:lambda/function:Function')), ['single-proxy'])
  assert.equal(typed('single', 'aws:iam/role:Role').length, 1)
  const routes = typed('single', 'aws:apigatewayv2/route:Route')
  assert.equal(routes.map((route) => route.inputs.routeKey).sort(), [
    'GET /.well-known/jwks.json',
    'GET /authorize',
    'GET /callback',
    'GET /health',
    'POST /token',
  ])
  assert.equal(new Set(routes.map((route) => route.inputs.target)).size, 1, 'one integration')
  const lambda = one(session, 'aws:lambda/function:Function', 'single-proxy').inputs
  assert.equal(lambda.reservedConcurrentExecutions, 7, 'resources.function override applied')
  const variables = env('single', 'proxy').variables
  assert.equal(variables.STORE, 'dynamodb')
  assert.match(variables.KMS_KEY_ID!, /:key\/single-signing-key-id$/)
  assert.match(variables.CLIENT_SECRET_ARN!, /:secret:single-shared-secret-/)
  const policy = policyOf('single', 'proxy')
  assert.equal(actionsOf(policy).sort(), [
    'dynamodb:DeleteItem',
    'dynamodb:PutItem',
    'kms:GetPublicKey',
    'kms:Sign',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'secretsmanager:GetSecretValue',
  ])
  assert.equal(
    [policy.Statement.find((statement) => statement.Sid === 'FlowTable')!.Resource].flat(),
    [`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/single-flows-generated`],
  )
  assert.equal(
    typed('single', 'aws:dynamodb/table:Table')[0]!.inputs.tags,
    { team: 'identity' },
    'resources.flowTable override applied',
  )
})

test('KMS key policy, set at creation: the account root administers, only the token role signs', () => {
  for (const [prefix, signer] of [
    ['off', 'off-token'],
    ['single', 'single-proxy'],
  ] as const) {
    assert.equal(typed(prefix, 'aws:kms/keyPolicy:KeyPolicy'), [], 'the key is created with it')
    const key = one(session, 'aws:kms/key:Key', `${prefix}-signing-key`).inputs
    const policy = JSON.parse(reveal(key.policy) as string) as {
      Statement: { Sid: string; Principal: { AWS: string }; Action: string[] }[]
    }
    const users = policy.Statement.filter((statement) =>
      statement.Action.some((action) => action === 'kms:Sign' || action === 'kms:GetPublicKey'),
    )
    assert.equal(
      users.map((statement) => statement.Principal.AWS),
      [`arn:aws:iam::${ACCOUNT}:role/${signer}-generated`],
    )
    assert.equal(users[0]!.Action.sort(), ['kms:GetPublicKey', 'kms:Sign'])
    const admin = policy.Statement.find((statement) => statement.Sid === 'AccountRootAdministers')!
    assert.equal(admin.Principal.AWS, `arn:aws:iam::${ACCOUNT}:root`)
    assert.not.ok(
      admin.Action.some((action) => /^kms:(Sign|Verify|GetPublicKey|Get\*|\*)$/.test(action)),
      'administration only',
    )
    for (const action of ['kms:Put*', 'kms:ScheduleKeyDeletion', 'kms:Disable*']) {
      assert.ok(admin.Action.includes(action), action)
    }
  }
})

const optionsOf = (type: string, name: string) => {
  const found = session.options.find((options) => options.type === type && options.name === name)
  if (!found) throw new Error(`no options recorded for ${type} ${name}`)
  return found
}
const STATEFUL: [string, string][] = [
  ['aws:cognito/userPool:UserPool', 'pool'],
  ['aws:dynamodb/table:Table', 'flows'],
  ['aws:secretsmanager/secret:Secret', 'private-key'],
]

test('protection: pool, table, key secret and KMS key protected by default; retain and none on request', () => {
  for (const [type, suffix] of [
    ...STATEFUL,
    ['aws:kms/key:Key', 'signing-key'] as [string, string],
  ]) {
    const prefix = suffix === 'signing-key' ? 'single' : 'on'
    const options = optionsOf(type, `${prefix}-${suffix}`)
    assert.ok(options.protect, `${prefix}-${suffix} protected`)
    assert.not.ok(options.retainOnDelete)
  }
  const retained = optionsOf('aws:kms/key:Key', 'off-signing-key')
  assert.ok(retained.retainOnDelete && !retained.protect, 'retain: left in AWS on delete')
  for (const [type, suffix] of STATEFUL) {
    const options = optionsOf(type, `unprotected-${suffix}`)
    assert.not.ok(options.protect || options.retainOnDelete, `unprotected-${suffix}`)
  }
  // Only the stateful resources: functions, roles and routes are replaceable at will.
  const guarded = session.options
    .filter((options) => options.name.startsWith('on-') && options.protect)
    .map((options) => options.type)
    .sort()
  assert.equal(guarded, [
    'aws:cognito/userPool:UserPool',
    'aws:dynamodb/table:Table',
    'aws:secretsmanager/secret:Secret',
  ])
})

test('the user pool domain is deleted before its replacement is created', () => {
  for (const prefix of ['on', 'off', 'single']) {
    assert.ok(
      optionsOf('aws:cognito/userPoolDomain:UserPoolDomain', `${prefix}-domain`)
        .deleteBeforeReplace,
    )
  }
})

test('a renamed component keeps its children: each gets its old name as an alias', () => {
  const children = session.options.filter((options) => options.name.startsWith('renamed-'))
  assert.ok(children.length > 15, 'every child')
  for (const options of children) {
    assert.equal(
      options.aliasNames,
      [`renamed-before${options.name.slice('renamed'.length)}`],
      options.name,
    )
  }
  assert.equal(optionsOf('idp-proxy:index:IdpProxy', 'renamed').aliasNames, ['renamed-before'])
  for (const options of session.options.filter((o) => o.name.startsWith('single-'))) {
    assert.equal(options.aliasNames, [], `${options.name}: no alias without a renamed parent`)
  }
})

test.run()
