// IdpProxy for FAPI 2.0 IdPs under Pulumi mocks: the /userinfo routes on the token budget,
// Cognito's attributes_url at the proxy, each function's environment and IAM per layout (the
// authorize function signs PAR; /token saves the access-token record; the KMS decryption key
// for the token role only), and profile conflicts refused.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ACCOUNT,
  actionsOf,
  drain,
  FIXTURE_BUNDLES,
  one,
  parsePolicy,
  REGION,
  resourcesOf,
  reveal,
  settle,
  useMocks,
} from './helpers/mocks.js'

const session = await useMocks({})
const { IdpProxy } = await import('../src/idp-proxy.js')

const IDP = {
  issuer: 'https://id.singpass.example/',
  clientId: 'fapi-client',
  endpoints: {
    authorizationEndpoint: 'https://id.singpass.example/auth',
    tokenEndpoint: 'https://id.singpass.example/token',
    userinfoEndpoint: 'https://id.singpass.example/userinfo',
    jwksUri: 'https://id.singpass.example/jwks',
  },
}
const base = (prefix: string) => ({
  idp: IDP,
  cognito: { domainPrefix: prefix, callbackUrls: ['https://app.example.com/cb'] },
  bundleDir: FIXTURE_BUNDLES,
})
const recorded = { transformations: [session.transformation] }
// Singpass per route, encryption key in the key secret.
const perRoute = new IdpProxy(
  'sp',
  { ...base('fapi-sp'), idpProfile: 'singpass', functions: 'per-route' },
  recorded,
)
// Singpass in one function, KMS signing key and a KMS decryption key.
const single = new IdpProxy(
  'spk',
  {
    ...base('fapi-spk'),
    idpProfile: 'singpass',
    keyMode: 'kms',
    kmsKeySpec: 'ECC_NIST_P256',
    kmsDecryptionKeySpec: 'RSA_2048',
  },
  recorded,
)
// Per route with PAR and a KMS signing key: both signing roles in the key policy.
const parKms = new IdpProxy(
  'pk',
  { ...base('fapi-pk'), par: 'always', keyMode: 'kms', functions: 'per-route' },
  recorded,
)
// A plain IdP: Cognito calls the IdP's userinfo, no /userinfo route.
const plain = new IdpProxy('plain', { ...base('fapi-plain'), functions: 'per-route' }, recorded)
for (const proxy of [perRoute, single, parKms, plain]) await settle(proxy.signInUrl)
await drain()

const routesOf = (prefix: string) =>
  session.resources
    .filter((r) => r.type === 'aws:apigatewayv2/route:Route' && r.name.startsWith(`${prefix}-`))
    .map((r) => reveal(r.inputs.routeKey) as string)
    .sort()
const providerDetails = (prefix: string) =>
  reveal(
    one(session, 'aws:cognito/identityProvider:IdentityProvider', `${prefix}-idp`).inputs
      .providerDetails,
  ) as Record<string, string>
const env = (prefix: string, fn: string) =>
  (
    reveal(one(session, 'aws:lambda/function:Function', `${prefix}-${fn}`).inputs.environment) as {
      variables: Record<string, string>
    }
  ).variables
const policyOf = (prefix: string, fn: string) =>
  parsePolicy(one(session, 'aws:iam/rolePolicy:RolePolicy', `${prefix}-${fn}`))
const BASE = (prefix: string) => `https://${prefix}-api-id.execute-api.${REGION}.amazonaws.com/v1`
const secretArn = (name: string) =>
  `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}-generated`
const statement = (prefix: string, fn: string, sid: string) =>
  policyOf(prefix, fn).Statement.find((s) => s.Sid === sid)

test('/userinfo: GET and POST to the token function (or the single one), on the token budget', () => {
  assert.equal(routesOf('plain').includes('GET /userinfo'), false)
  for (const [prefix, fn] of [
    ['sp', 'token'],
    ['spk', 'proxy'],
  ] as const) {
    assert.ok(routesOf(prefix).includes('GET /userinfo'), prefix)
    assert.ok(routesOf(prefix).includes('POST /userinfo'), prefix)
    // Both methods reach the function's one integration (the mock's id is `<name>-id`).
    for (const method of ['GET', 'POST']) {
      const route = session.resources.find(
        (r) =>
          r.type === 'aws:apigatewayv2/route:Route' &&
          r.inputs.routeKey === `${method} /userinfo` &&
          r.name.startsWith(`${prefix}-`),
      )
      assert.is(reveal(route?.inputs.target), `integrations/${prefix}-${fn}-id`, method)
    }
    const stage = one(session, 'aws:apigatewayv2/stage:Stage', `${prefix}-stage`)
    const keys = (reveal(stage.inputs.routeSettings) as { routeKey: string }[]).map(
      (s) => s.routeKey,
    )
    assert.equal(keys.sort(), ['GET /userinfo', 'POST /token', 'POST /userinfo'])
  }
  const plainStage = one(session, 'aws:apigatewayv2/stage:Stage', 'plain-stage')
  assert.equal(
    (reveal(plainStage.inputs.routeSettings) as { routeKey: string }[]).map((s) => s.routeKey),
    ['POST /token'],
  )
})

test("Cognito's attributes_url: the proxy's /userinfo when it fronts userinfo, else the IdP's", () => {
  assert.is(providerDetails('sp').attributes_url, `${BASE('sp')}/userinfo`)
  assert.is(providerDetails('spk').attributes_url, `${BASE('spk')}/userinfo`)
  assert.is(providerDetails('plain').attributes_url, IDP.endpoints.userinfoEndpoint)
})

test('environment: the profile to every function; the signing key to /authorize only with PAR', () => {
  for (const fn of ['authorize', 'callback', 'token'])
    assert.is(env('sp', fn).IDP_PROFILE, 'singpass')
  assert.is(env('sp', 'authorize').PRIVATE_KEY_SECRET_ARN, secretArn('sp-private-key'))
  assert.not.ok('PRIVATE_KEY_SECRET_ARN' in env('sp', 'callback'))
  assert.not.ok('CLIENT_SECRET_ARN' in env('sp', 'authorize'), 'no client secret at /authorize')
  assert.is(
    env('pk', 'authorize').KMS_KEY_ID,
    `arn:aws:kms:${REGION}:${ACCOUNT}:key/pk-signing-key-id`,
  )
  assert.is(env('pk', 'authorize').PAR, 'always')
  // Without PAR the authorize function carries no key setting at all.
  for (const name of ['PRIVATE_KEY_SECRET_ARN', 'KMS_KEY_ID', 'ASSERTION_AUDIENCE']) {
    assert.not.ok(name in env('plain', 'authorize'), name)
  }
  assert.is(
    env('spk', 'proxy').KMS_DECRYPTION_KEY_IDS,
    `arn:aws:kms:${REGION}:${ACCOUNT}:key/spk-decryption-key-id`,
  )
  assert.not.ok('KMS_DECRYPTION_KEY_IDS' in env('sp', 'token'), 'no KMS decryption key asked for')
})

test('IAM per route: /authorize reads only the key secret with PAR; /token saves the access record', () => {
  const read = statement('sp', 'authorize', 'ReadSecrets')!
  assert.equal([read.Resource].flat(), [secretArn('sp-private-key')])
  assert.equal([read.Action].flat(), ['secretsmanager:GetSecretValue'])
  assert.equal(
    actionsOf(policyOf('sp', 'callback')).filter((a) => /^(secretsmanager|kms):/.test(a)),
    [],
  )
  assert.equal(
    actionsOf(policyOf('sp', 'token'))
      .filter((a) => a.startsWith('dynamodb:'))
      .sort(),
    ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
  )
  // A plain IdP: /token only takes, /authorize touches no secret.
  assert.equal(
    actionsOf(policyOf('plain', 'token')).filter((a) => a.startsWith('dynamodb:')),
    ['dynamodb:DeleteItem'],
  )
  assert.equal(statement('plain', 'authorize', 'ReadSecrets'), undefined)
  // KMS mode with PAR: /authorize signs with that key, and the key policy names both roles.
  const sign = statement('pk', 'authorize', 'SignWithKmsKey')!
  assert.equal([sign.Action].flat(), ['kms:GetPublicKey', 'kms:Sign'])
  assert.equal([sign.Resource].flat(), [`arn:aws:kms:${REGION}:${ACCOUNT}:key/pk-signing-key-id`])
  const keyPolicy = JSON.parse(
    reveal(one(session, 'aws:kms/key:Key', 'pk-signing-key').inputs.policy) as string,
  ) as { Statement: { Sid: string; Principal: { AWS: string | string[] } }[] }
  const signers = keyPolicy.Statement.find((s) => s.Sid === 'TokenFunctionSigns')!
  assert.equal([signers.Principal.AWS].flat().sort(), [
    roleArn('pk-authorize'),
    roleArn('pk-token'),
  ])
})

test('IAM single function: the KMS decryption key, RSA kms:Decrypt, for its role only; no "*"', () => {
  const decrypt = statement('spk', 'proxy', 'DecryptWithKmsKey')!
  assert.equal([decrypt.Action].flat(), ['kms:GetPublicKey', 'kms:Decrypt'])
  assert.equal([decrypt.Resource].flat(), [
    `arn:aws:kms:${REGION}:${ACCOUNT}:key/spk-decryption-key-id`,
  ])
  const key = one(session, 'aws:kms/key:Key', 'spk-decryption-key')
  assert.is(key.inputs.keyUsage, 'ENCRYPT_DECRYPT')
  assert.is(key.inputs.customerMasterKeySpec, 'RSA_2048')
  const policy = JSON.parse(reveal(key.inputs.policy) as string) as {
    Statement: { Sid: string; Principal: { AWS: string }; Action: string[] }[]
  }
  const use = policy.Statement.find((s) => s.Sid === 'TokenFunctionDecrypts')!
  assert.is(use.Principal.AWS, roleArn('spk-proxy'))
  assert.equal(use.Action, ['kms:GetPublicKey', 'kms:Decrypt'])
  for (const prefix of ['sp', 'spk', 'pk']) {
    for (const fn of prefix === 'spk' ? ['proxy'] : ['authorize', 'callback', 'token']) {
      assert.not.ok(resourcesOf(policyOf(prefix, fn)).includes('*'), `${prefix}-${fn}`)
    }
  }
})

test('a profile conflict stops the component before anything is registered, naming the argument', () => {
  const before = session.resources.length
  assert.throws(
    () =>
      new IdpProxy('bad', { ...base('fapi-bad'), idpProfile: 'singpass', dpop: false }, recorded),
    /IdpProxy bad: dpop .*Singpass/,
  )
  assert.throws(
    () => new IdpProxy('bad2', { ...base('fapi-bad2'), pkce: false, dpop: true }, recorded),
    /IdpProxy bad2: dpop needs pkce/,
  )
  assert.is(session.resources.length, before)
})

test.run()
