import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createProxy,
  createProxyFrom,
  ENV_VARIABLES,
  isProxyError,
  optionsFromEnv,
  type ProxyError,
  type ProxyOptions,
  proxyOptionsFrom,
  readSettings,
  staticKeySource,
  timingSafeEqual,
  withSettingsTable,
} from '../src/index.js'
import { privateJwk, proxyOptions } from './support/fixtures.js'

const jwk = await privateJwk()
const keysOf = (key: typeof jwk) => staticKeySource(key)

function refusal(fn: () => unknown): ProxyError {
  try {
    fn()
  } catch (error) {
    assert.ok(isProxyError(error), String(error))
    return error
  }
  throw new Error('expected a refusal')
}

/** The variable a refusal names; fails unless it is the only problem. */
function refusedVariable(fn: () => unknown): string {
  const error = refusal(fn)
  assert.is(error.code, 'ERR_INVALID_OPTION')
  assert.is(error.problems.length, 1, error.message)
  return error.option as string
}

function refusedOption(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    assert.ok(isProxyError(error), String(error))
    assert.is((error as { code: string }).code, 'ERR_INVALID_OPTION')
    return (error as { option: string }).option
  }
  throw new Error('expected ERR_INVALID_OPTION')
}

test('createProxy refuses bad options and names the option', () => {
  const cases: [Partial<ProxyOptions> | Record<string, unknown>, string][] = [
    [{ baseUrl: 'not a url' }, 'baseUrl'],
    [{ baseUrl: 'http://proxy.example.com' }, 'baseUrl'],
    [{ baseUrl: 'https://proxy.example.com/?x=1' }, 'baseUrl'],
    [{ clientId: '' }, 'clientId'],
    [{ clientSecret: 'short' }, 'clientSecret'],
    [{ redirectUris: [] }, 'redirectUris'],
    [{ redirectUris: ['http://cognito.example.com/oauth2/idpresponse'] }, 'redirectUris'],
    [{ idp: { issuer: 'ftp://idp' } }, 'idp.issuer'],
    [{ idp: { issuer: 'https://idp', tokenEndpoint: 'nope' } }, 'idp.tokenEndpoint'],
    [{ store: undefined }, 'store'],
    [{ keys: undefined as never }, 'keys'],
    [{ authorizationParams: { state: 'x' } }, 'authorizationParams.state'],
    [{ authorizationParams: { acr_values: 1 as never } }, 'authorizationParams.acr_values'],
    [{ assertion: { lifetimeSeconds: 0 } }, 'assertion.lifetimeSeconds'],
    [{ assertion: { audience: 'not-a-url' } }, 'assertion.audience'],
    [{ idpTimeoutMs: 5 }, 'idpTimeoutMs'],
    [{ paths: { token: 'token' } }, 'paths.token'],
    [{ paths: { token: '/same', jwks: '/same' } }, 'paths'],
    [{ pkce: 'yes' as never }, 'pkce'],
  ]
  for (const [override, option] of cases) {
    assert.is(
      refusedOption(() => createProxy(proxyOptions(jwk, override as Partial<ProxyOptions>))),
      option,
      JSON.stringify(override),
    )
  }
  // http is allowed for local development only when asked for.
  createProxy(
    proxyOptions(jwk, {
      baseUrl: 'http://127.0.0.1:3000',
      idp: { issuer: 'http://127.0.0.1:4000' },
      allowInsecureHttp: true,
    }),
  )
})

const env = {
  PROXY_BASE_URL: 'https://proxy.example.com/v1',
  IDP_ISSUER: 'https://idp.example.com',
  IDP_CLIENT_ID: 'client',
  COGNITO_REDIRECT_URIS:
    'https://a.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse, https://b.example.com/oauth2/idpresponse',
  COGNITO_CLIENT_SECRET: 'a-long-enough-shared-secret-0123456789',
}

test('optionsFromEnv reads the schema', async () => {
  const options = optionsFromEnv({
    ...env,
    AUTHORIZATION_PARAMS: 'acr_values=urn:acr:1&prompt=login',
    ASSERTION_AUDIENCE: 'issuer',
    ASSERTION_LIFETIME_SECONDS: '30',
    IDP_TIMEOUT_MS: '2500',
    PRIVATE_KEY: JSON.stringify(jwk),
    ROUTE_PATHS: '{"token":"/oauth/token"}',
  })
  assert.is(options.baseUrl, 'https://proxy.example.com/v1')
  assert.equal(options.redirectUris, [
    'https://a.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse',
    'https://b.example.com/oauth2/idpresponse',
  ])
  assert.is(options.pkce, undefined)
  assert.equal(options.authorizationParams, { acr_values: 'urn:acr:1', prompt: 'login' })
  assert.equal(options.assertion, { audience: 'issuer', lifetimeSeconds: 30 })
  assert.is(options.idpTimeoutMs, 2500)
  assert.equal(options.paths, { token: '/oauth/token' })
  assert.is((await options.keys?.signer())?.kid, 'key-RS256')
  assert.ok(options.store, 'memory store by default')
  const proxy = createProxy({
    ...options,
    keys: options.keys!,
    clientSecret: options.clientSecret!,
  })
  assert.is(proxy.urls.token, 'https://proxy.example.com/v1/oauth/token')
  assert.equal(
    optionsFromEnv({ ...env, AUTHORIZATION_PARAMS: '{"acr_values":"x y"}' }).authorizationParams,
    { acr_values: 'x y' },
  )
})

test('optionsFromEnv names the variable at fault', () => {
  const cases: [Record<string, string>, string][] = [
    [{ PROXY_BASE_URL: '' }, 'PROXY_BASE_URL'],
    [{ IDP_ISSUER: 'idp.example.com' }, 'IDP_ISSUER'],
    [{ IDP_CLIENT_ID: ' ' }, 'IDP_CLIENT_ID'],
    [{ COGNITO_REDIRECT_URIS: '' }, 'COGNITO_REDIRECT_URIS'],
    [{ COGNITO_REDIRECT_URIS: 'not-a-url' }, 'COGNITO_REDIRECT_URIS'],
    [{ COGNITO_CLIENT_SECRET: 'short' }, 'COGNITO_CLIENT_SECRET'],
    [{ COGNITO_CLIENT_SECRET: 'sixteen-chars-ok' }, 'COGNITO_CLIENT_SECRET'],
    [{ AUTHORIZATION_PARAMS: 'response_type=token' }, 'AUTHORIZATION_PARAMS'],
    [{ PKCE: 'false', AUTHORIZATION_PARAMS: 'acr_values=x' }, 'AUTHORIZATION_PARAMS'],
    [{ PKCE: 'false', ADD_NONCE: 'true' }, 'ADD_NONCE'],
    [{ ROUTE_PATHS: '{"token":"token"}' }, 'ROUTE_PATHS'],
    [{ PKCE: 'maybe' }, 'PKCE'],
    [{ IDP_TIMEOUT_MS: '10s' }, 'IDP_TIMEOUT_MS'],
    [{ FLOW_TTL_SECONDS: '5' }, 'FLOW_TTL_SECONDS'],
    [{ AUTHORIZATION_PARAMS: '{bad json' }, 'AUTHORIZATION_PARAMS'],
    [{ ASSERTION_AUDIENCE: 'somewhere' }, 'ASSERTION_AUDIENCE'],
    [{ PRIVATE_KEY: '{"kty":"RSA"}' }, 'PRIVATE_KEY'],
    [{ KEY_ALG: 'HS256' }, 'KEY_ALG'],
    [{ STORE: 'sealed' }, 'SEALING_KEYS'],
    [{ STORE: 'sealed', SEALING_KEYS: 'abc' }, 'SEALING_KEYS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ]
  for (const [override, variable] of cases) {
    const withKey = 'KEY_ALG' in override ? { PRIVATE_KEY: JSON.stringify(jwk) } : {}
    const build = () => {
      // ROUTE_PATHS is checked by createProxy: its refusal is mapped back to the variable.
      const reading = readSettings({ ...env, ...withKey, ...override }, 'core')
      const options = proxyOptionsFrom(reading)
      return createProxyFrom(reading, { ...options, keys: options.keys ?? keysOf(jwk) })
    }
    assert.is(refusedVariable(build), variable, JSON.stringify(override))
  }
  // With PKCE off, ADD_NONCE=false and an empty parameter set say nothing that could not apply.
  optionsFromEnv({ ...env, PKCE: 'false', ADD_NONCE: 'false', AUTHORIZATION_PARAMS: '{}' })
})

test('a bad configuration reports every problem at once, each naming its variable', () => {
  const error = refusal(() =>
    optionsFromEnv({
      IDP_ISSUER: 'ftp://idp',
      PKCE: 'maybe',
      IDP_TIMEOUT_MS: '5',
      COGNITO_CLIENT_SECRET: 'short',
    }),
  )
  assert.is(error.code, 'ERR_INVALID_OPTION')
  const names = error.problems.map((problem) => problem.name).sort()
  assert.equal(names, [
    'COGNITO_CLIENT_SECRET',
    'COGNITO_REDIRECT_URIS',
    'IDP_CLIENT_ID',
    'IDP_ISSUER',
    'IDP_TIMEOUT_MS',
    'PKCE',
    'PROXY_BASE_URL',
  ])
  for (const name of names) assert.match(error.message, new RegExp(`^  ${name}: `, 'm'))
  assert.not.match(error.message, 'short', 'the secret is never echoed')
})

test('createProxy reports every bad option at once, and refuses options PKCE off cannot apply', () => {
  const error = refusal(() =>
    createProxy(proxyOptions(jwk, { clientId: '', idpTimeoutMs: 5, paths: { token: 'x' } })),
  )
  assert.equal(
    error.problems.map((problem) => problem.name),
    ['paths.token', 'clientId', 'idpTimeoutMs'],
  )
  const pkceOff = refusal(() =>
    createProxy(
      proxyOptions(jwk, { pkce: false, authorizationParams: { acr_values: 'x' }, addNonce: true }),
    ),
  )
  assert.equal(
    pkceOff.problems.map((problem) => problem.name),
    ['authorizationParams', 'addNonce'],
  )
  assert.match(pkceOff.message, 'pkce: false')
  createProxy(proxyOptions(jwk, { pkce: false, addNonce: false, authorizationParams: {} }))
})

test('a proxy for some routes needs only their options and answers 404 on the others', async () => {
  const {
    keys: _keys,
    clientSecret: _secret,
    ...browser
  } = proxyOptions(jwk, {
    // Explicit endpoints: ready() needs no discovery here.
    idp: {
      issuer: 'https://idp.example.com',
      authorizationEndpoint: 'https://idp.example.com/authorize',
      tokenEndpoint: 'https://idp.example.com/token',
    },
  })
  assert.equal(
    refusal(() => createProxy(browser)).problems.map((p) => p.name),
    ['keys', 'clientSecret'],
  )
  const proxy = createProxy({ ...browser, routes: ['authorize'] })
  await proxy.ready()
  const jwks = await proxy.handle(new Request(proxy.urls.jwks))
  assert.is(jwks.status, 404)
  const token = await proxy.handle(new Request(proxy.urls.token, { method: 'POST' }))
  assert.is(token.status, 404)
  const jwksOnly = createProxy({ ...browser, keys: keysOf(jwk), routes: ['jwks', 'health'] })
  assert.is((await jwksOnly.handle(new Request(jwksOnly.urls.jwks))).status, 200)
  assert.is(refusal(() => createProxy({ ...browser, routes: ['nope' as never] })).option, 'routes')
})

test('optionsFromEnv never echoes a secret in its errors', () => {
  const secret = 'short!'
  try {
    optionsFromEnv({ ...env, COGNITO_CLIENT_SECRET: secret })
  } catch (error) {
    assert.not.ok((error as Error).message.includes(secret))
  }
  try {
    optionsFromEnv({ ...env, PRIVATE_KEY: JSON.stringify({ ...jwk, kid: undefined }) })
  } catch (error) {
    assert.not.ok((error as Error).message.includes(jwk.d as string))
  }
})

test('a Pulumi reading: the same parsers by config key, problems named by key', () => {
  const reading = readSettings(
    {
      issuer: 'https://idp.example.com',
      clientId: 'client',
      pkce: 'false',
      // Core refuses response_type: so does Pulumi's validation, from the same rule.
      authorizationParams: 'response_type=token',
      idpMaxTokenBytes: '12',
      logLevel: 'loud',
    },
    'pulumi',
  )
  proxyOptionsFrom(reading)
  assert.equal(reading.problems.map((problem) => problem.name).sort(), [
    'authorizationParams',
    'idpMaxTokenBytes',
    'logLevel',
  ])
  assert.equal(
    readSettings({ pkce: 'false', authorizationParams: 'acr_values=x' }, 'pulumi').problems,
    [],
  )
  const pkceOff = readSettings({ pkce: 'false', authorizationParams: 'acr_values=x' }, 'pulumi')
  proxyOptionsFrom(pkceOff)
  assert.equal(
    pkceOff.problems.map((problem) => problem.name),
    ['authorizationParams'],
  )
})

test('docs/configuration.md holds the current settings table (pnpm docs:config writes it)', () => {
  const document = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8')
  assert.ok(
    document === withSettingsTable(document),
    'docs/configuration.md is stale: run pnpm docs:config',
  )
  for (const name of Object.keys(ENV_VARIABLES)) assert.ok(document.includes(`\`${name}\``), name)
})

test('timingSafeEqual: equal only when the bytes and lengths are', () => {
  const secret = 'shared-secret-between-cognito-and-proxy'
  assert.ok(timingSafeEqual(secret, secret))
  for (const other of [
    '',
    'x',
    secret.slice(0, -1),
    `${secret}x`,
    secret + secret,
    secret.replace('s', 'S'),
  ]) {
    assert.not.ok(timingSafeEqual(other, secret), other)
  }
  assert.not.ok(timingSafeEqual('', ''), 'an empty expected value never matches')
  assert.ok(timingSafeEqual('ünïcödé', 'ünïcödé'))
})

test.run()
