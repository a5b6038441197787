// loadConfig: defaults, parsing, and refusals that name the key.
import { fileURLToPath } from 'node:url'
import { SETTINGS, SettingProblem, settingsOf } from '@idp-proxy/core'
import * as pulumi from '@pulumi/pulumi'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { loadConfig } from '../config.js'
import { PROJECT } from './helpers/mocks.js'

const REQUIRED = {
  issuer: 'https://idp.example.gov/',
  clientId: 'client-1',
  domainPrefix: 'my-proxy',
  callbackUrls: JSON.stringify(['https://app.example.com/cb']),
}

function load(values: Record<string, string>, secretKeys: string[] = [], projectRoot?: string) {
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(values).map(([key, value]) => [`${PROJECT}:${key}`, value])),
    secretKeys.map((key) => `${PROJECT}:${key}`),
  )
  return loadConfig(new pulumi.Config(PROJECT), projectRoot)
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

test('FAPI keys: the profile and switches as set; a profile conflict is refused under its key', () => {
  const config = load({ ...REQUIRED, idpProfile: 'singpass', par: 'always', userinfo: 'true' })
  assert.is(config.idpProfile, 'singpass')
  assert.is(config.par, 'always')
  assert.is(config.userinfo, true)
  assert.is(config.dpop, undefined, 'left to the profile')
  // Singpass requires DPoP and encrypted ID tokens: switching either off is a config error.
  refuses(
    { ...REQUIRED, idpProfile: 'singpass', dpop: 'false' },
    'dpop',
    /Singpass.*requires it on/,
  )
  refuses(
    { ...REQUIRED, idpProfile: 'singpass', idTokenEncryptionRequired: 'false' },
    'idTokenEncryptionRequired',
    /requires it on/,
  )
  refuses({ ...REQUIRED, idpProfile: 'singpass', par: 'never' }, 'par', /./)
  refuses({ ...REQUIRED, dpop: 'true', userinfo: 'false' }, 'userinfo', /cannot be off with dpop/)
  refuses({ ...REQUIRED, pkce: 'false', dpop: 'true' }, 'dpop', /needs pkce/)
})

test('kmsDecryptionKeySpec: RSA ENCRYPT_DECRYPT specs only', () => {
  assert.is(
    load({ ...REQUIRED, kmsDecryptionKeySpec: 'RSA_3072' }).kmsDecryptionKeySpec,
    'RSA_3072',
  )
  assert.is(load(REQUIRED).kmsDecryptionKeySpec, undefined)
  refuses(
    { ...REQUIRED, kmsDecryptionKeySpec: 'ECC_NIST_P256' },
    'kmsDecryptionKeySpec',
    /RSA_2048/,
  )
})

test('defaults: PKCE on, DynamoDB, Secrets Manager key, one function, protected', () => {
  const config = load(REQUIRED)
  assert.equal(config.pkce, true)
  assert.equal(config.store, 'dynamodb')
  assert.equal(config.keyMode, 'secretsmanager')
  assert.equal(config.lambdaFunctions, 'single')
  assert.equal(config.protection, 'protect')
  assert.equal(config.sharedSecretRotation, 0)
  assert.equal(config.tokenThrottleRateLimit, 20)
  assert.equal(config.tokenThrottleBurstLimit, 40)
  assert.equal(config.lambdaBundleDir, undefined, 'pulumi up builds the bundles')
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
  for (const name of ['state', 'response_type', 'code_challenge', 'redirect_uri']) {
    refuses(
      { ...REQUIRED, authorizationParams: `${name}=x` },
      'authorizationParams',
      new RegExp(`cannot set "${name}": the proxy sets it`),
    )
  }
})

/** The table parser's message for `text`, or undefined when the parser takes it. */
function tableMessage(
  parse: (text: string, context: { allowInsecureHttp: boolean }) => unknown,
  text: string,
) {
  try {
    parse(text, { allowInsecureHttp: false })
    return undefined
  } catch (error) {
    if (error instanceof SettingProblem) return error.message
    throw error
  }
}

test("every key that is a proxy setting is refused with the table's own message, under its key", () => {
  const candidates = ['maybe', 'http://idp.example.gov/x', '12', 'state=x']
  let checked = 0
  for (const name of settingsOf('pulumi')) {
    const { parse, pulumiKey } = SETTINGS[name] as {
      parse: (text: string, context: { allowInsecureHttp: boolean }) => unknown
      pulumiKey: string
    }
    const bad = candidates.find((text) => tableMessage(parse, text) !== undefined)
    if (bad === undefined) continue // free text (clientId, kmsKeyKid, metricsNamespace)
    const message = tableMessage(parse, bad) as string
    assert.throws(
      () => load({ ...REQUIRED, [pulumiKey]: bad }),
      (error: Error) =>
        error instanceof pulumi.RunError &&
        error.message.includes(`Configuration ${PROJECT}:${pulumiKey} ${message}`),
      `${pulumiKey}=${bad}: ${message}`,
    )
    checked++
  }
  assert.ok(checked >= 10, `${checked} keys checked`)
})

test('every bad proxy setting is reported at once, each under its key', () => {
  assert.throws(
    () =>
      load({
        ...REQUIRED,
        logLevel: 'loud',
        idpMaxTokenBytes: '12',
        pkce: 'false',
        authorizationParams: 'acr_values=x',
      }),
    (error: Error) =>
      [
        `${PROJECT}:logLevel`,
        `${PROJECT}:idpMaxTokenBytes`,
        `${PROJECT}:authorizationParams`,
      ].every((key) => error.message.includes(key)),
  )
})

test('the new keys: defaults from the table, values read, prometheus refused on Lambda', () => {
  const defaults = load(REQUIRED)
  assert.equal(
    [
      defaults.verifyIdToken,
      defaults.idpMaxTokenBytes,
      defaults.idpMaxMetadataBytes,
      defaults.metrics,
    ],
    [
      SETTINGS.VERIFY_ID_TOKEN.default === 'true',
      Number(SETTINGS.IDP_MAX_TOKEN_BYTES.default),
      Number(SETTINGS.IDP_MAX_METADATA_BYTES.default),
      'off',
    ],
  )
  const set = load({
    ...REQUIRED,
    verifyIdToken: 'false',
    idpMaxTokenBytes: '100000',
    idpMaxMetadataBytes: '500000',
    metrics: 'emf',
    metricsNamespace: 'LoginProxy',
  })
  assert.equal(
    [
      set.verifyIdToken,
      set.idpMaxTokenBytes,
      set.idpMaxMetadataBytes,
      set.metrics,
      set.metricsNamespace,
    ],
    [false, 100_000, 500_000, 'emf', 'LoginProxy'],
  )
  refuses({ ...REQUIRED, metrics: 'prometheus' }, 'metrics', /off or emf on Lambda/)
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

test('no secret is taken from config: sharedSecret and privateKeyJwk are refused, secret or not', () => {
  for (const key of ['sharedSecret', 'privateKeyJwk']) {
    for (const secretKeys of [[], [key]]) {
      const value = key === 'sharedSecret' ? 'x'.repeat(40) : '{"kty":"EC","d":"private-d"}'
      assert.throws(
        () => load({ ...REQUIRED, [key]: value }, secretKeys),
        (error: Error) =>
          error instanceof pulumi.RunError &&
          error.message.includes(`${PROJECT}:${key} is no longer read`) &&
          error.message.includes(`pulumi config rm ${key}`) &&
          !error.message.includes(value),
        `${key} ${secretKeys.length ? 'secret' : 'plain'}`,
      )
    }
  }
})

test('a relative lambdaBundleDir is resolved against the project root, not pulumi/', () => {
  const relative = load({ ...REQUIRED, lambdaBundleDir: 'build/lambda' }, [], '/srv/project')
  assert.equal(relative.lambdaBundleDir, '/srv/project/build/lambda')
  const absolute = load({ ...REQUIRED, lambdaBundleDir: '/opt/bundles' }, [], '/srv/project')
  assert.equal(absolute.lambdaBundleDir, '/opt/bundles')
  const root = load({ ...REQUIRED, lambdaBundleDir: 'x' })
  assert.equal(root.lambdaBundleDir, fileURLToPath(new URL('../../x', import.meta.url)))
})

test('function layout, protection and the per-route throttles', () => {
  const config = load({
    ...REQUIRED,
    lambdaFunctions: 'per-route',
    protection: 'retain',
    tokenThrottleRateLimit: '100',
    tokenThrottleBurstLimit: '200',
    sharedSecretRotation: '3',
  })
  assert.equal(config.lambdaFunctions, 'per-route')
  assert.equal(config.protection, 'retain')
  assert.equal([config.tokenThrottleRateLimit, config.tokenThrottleBurstLimit], [100, 200])
  assert.equal(config.sharedSecretRotation, 3)
  refuses({ ...REQUIRED, lambdaFunctions: 'three' }, 'lambdaFunctions', /single/)
  refuses({ ...REQUIRED, protection: 'maybe' }, 'protection', /protect/)
  refuses({ ...REQUIRED, tokenThrottleRateLimit: '0' }, 'tokenThrottleRateLimit', /./)
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
