// loadConfig: defaults, parsing, and refusals that name the key.
import * as pulumi from '@pulumi/pulumi'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadConfig } from '../config.js'
import { PROJECT, settle } from './helpers/mocks.js'

const REQUIRED = {
  issuer: 'https://idp.example.gov/',
  clientId: 'client-1',
  domainPrefix: 'my-proxy',
  callbackUrls: JSON.stringify(['https://app.example.com/cb']),
}

function load(values: Record<string, string>, secretKeys: string[] = []) {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(values).map(([key, value]) => [`${PROJECT}:${key}`, value])),
    secretKeys.map((key) => `${PROJECT}:${key}`),
  )
  return loadConfig(new pulumi.Config(PROJECT))
}

function refuses(values: Record<string, string>, key: string, problem: RegExp) {
  assert.throws(
    () => load(values),
    (error: Error) =>
      error instanceof pulumi.RunError &&
      error.message.includes(`${PROJECT}:${key}`) &&
      problem.test(error.message),
    `${key} ${problem}`,
  )
}

test('defaults: PKCE on, DynamoDB, Secrets Manager key, generated shared secret', () => {
  const config = load(REQUIRED)
  assert.equal(config.pkce, true)
  assert.equal(config.store, 'dynamodb')
  assert.equal(config.keyMode, 'secretsmanager')
  assert.equal(config.sharedSecret, undefined)
  assert.equal(config.privateKeyJwk, undefined)
  assert.equal(config.idpScopes, ['openid', 'email', 'profile'])
  assert.equal(config.attributeMapping, { email: 'email', username: 'sub' })
  assert.equal(config.authorizationParams, {})
  assert.equal(config.endpoints, {})
  assert.equal(config.stageName, 'v1')
  assert.equal(config.logRetentionDays, 30)
  assert.equal(config.lambdaTimeoutSeconds, 15)
})

test('required keys are named when missing', () => {
  for (const key of ['issuer', 'clientId', 'domainPrefix'] as const) {
    const { [key]: _, ...rest } = REQUIRED
    refuses(rest, key, /is required/)
  }
  const { callbackUrls: _, ...rest } = REQUIRED
  refuses(rest, 'callbackUrls', /at least one URL/)
})

test('authorization parameters: query-string or JSON form; the proxy-owned ones refused', () => {
  assert.equal(
    load({ ...REQUIRED, authorizationParams: 'acr_values=urn:a b&prompt=login' })
      .authorizationParams,
    {
      acr_values: 'urn:a b',
      prompt: 'login',
    },
  )
  assert.equal(
    load({ ...REQUIRED, authorizationParams: '{"acr_values":"x"}' }).authorizationParams,
    {
      acr_values: 'x',
    },
  )
  refuses(
    { ...REQUIRED, authorizationParams: '{"acr_values":1}' },
    'authorizationParams',
    /must be a string/,
  )
  refuses(
    { ...REQUIRED, authorizationParams: 'state=x' },
    'authorizationParams',
    /the proxy sets it/,
  )
})

test('Cognito domain prefix rules', () => {
  refuses({ ...REQUIRED, domainPrefix: 'My_Proxy' }, 'domainPrefix', /lowercase/)
  refuses({ ...REQUIRED, domainPrefix: 'my-cognito-proxy' }, 'domainPrefix', /reserved/)
})

test('URLs must be https', () => {
  refuses({ ...REQUIRED, issuer: 'http://idp.example.gov/' }, 'issuer', /https/)
  refuses({ ...REQUIRED, idpJwksUri: 'not a url' }, 'idpJwksUri', /absolute URL/)
  refuses(
    { ...REQUIRED, callbackUrls: JSON.stringify(['/relative']) },
    'callbackUrls',
    /not an absolute URL/,
  )
})

test('the sealed store is refused on Lambda, with the reason in the docs', () => {
  refuses({ ...REQUIRED, store: 'sealed' }, 'store', /must be "dynamodb" on Lambda/)
})

test('enumerations and ranges name the key', () => {
  assert.throws(() => load({ ...REQUIRED, keyMode: 'hsm' }), /idp-proxy:keyMode/)
  assert.throws(
    () => load({ ...REQUIRED, lambdaTimeoutSeconds: '30' }),
    /idp-proxy:lambdaTimeoutSeconds/,
  )
  refuses({ ...REQUIRED, logRetentionDays: '10' }, 'logRetentionDays', /must be one of/)
  refuses({ ...REQUIRED, idpScopes: JSON.stringify(['email']) }, 'idpScopes', /openid/)
})

test('secrets stay secret Outputs; a short shared secret is refused without echoing it', async () => {
  const config = load(
    {
      ...REQUIRED,
      sharedSecret: ' 0123456789abcdef0123456789abcdef ',
      privateKeyJwk: '{"kty":"EC"}',
    },
    ['sharedSecret', 'privateKeyJwk'],
  )
  const shared = await settle(config.sharedSecret!)
  assert.equal(shared, { value: '0123456789abcdef0123456789abcdef', secret: true })
  assert.equal((await settle(config.privateKeyJwk!)).secret, true)
  assert.throws(
    () => load({ ...REQUIRED, sharedSecret: 'too-short-secret' }, ['sharedSecret']),
    (error: Error) =>
      /at least 32 characters/.test(error.message) && !error.message.includes('too-short-secret'),
  )
})

test('a private key in config does not fit KMS mode', () => {
  refuses({ ...REQUIRED, keyMode: 'kms', privateKeyJwk: '{"kty":"EC"}' }, 'privateKeyJwk', /kms/)
})

test('PKCE off, KMS, explicit endpoints', () => {
  const config = load({
    ...REQUIRED,
    pkce: 'false',
    keyMode: 'kms',
    kmsKeySpec: 'ECC_NIST_P256',
    idpAuthorizationEndpoint: 'https://idp.example.gov/authorize',
    idpTokenEndpoint: 'https://idp.example.gov/token',
  })
  assert.equal(config.pkce, false)
  assert.equal(config.keyMode, 'kms')
  assert.equal(config.kmsKeySpec, 'ECC_NIST_P256')
  assert.equal(config.endpoints, {
    authorizationEndpoint: 'https://idp.example.gov/authorize',
    tokenEndpoint: 'https://idp.example.gov/token',
  })
})

test.run()
