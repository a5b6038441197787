import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEFAULT_PORTS, optionsFromSettings } from '../src/start.js'

test('defaults: PKCE on, memory store, fixed ports, no extra parameters', () => {
  const options = optionsFromSettings({})
  assert.is(options.pkce, true)
  assert.is(options.store, 'memory')
  assert.equal(options.ports, DEFAULT_PORTS)
  assert.is(options.authorizationParams, undefined)
  assert.is(options.idpRequireAcr, undefined)
})

test('PKCE=false, STORE=sealed and port overrides', () => {
  const options = optionsFromSettings({ PKCE: 'false', STORE: 'sealed', PROXY_PORT: '9401' })
  assert.is(options.pkce, false)
  assert.is(options.store, 'sealed')
  assert.is(options.ports?.proxy, 9401)
})

test('IDP_REQUIRE_ACR alone makes the proxy send that acr; AUTHORIZATION_PARAMS overrides', () => {
  const acr = 'urn:example:loa:2'
  assert.equal(optionsFromSettings({ IDP_REQUIRE_ACR: acr }).authorizationParams, {
    acr_values: acr,
  })
  assert.equal(
    optionsFromSettings({ IDP_REQUIRE_ACR: acr, AUTHORIZATION_PARAMS: '{}' }).authorizationParams,
    {},
  )
  assert.equal(
    optionsFromSettings({ AUTHORIZATION_PARAMS: 'acr_values=a+b&prompt=login' })
      .authorizationParams,
    {
      acr_values: 'a b',
      prompt: 'login',
    },
  )
})

test('PKCE=false refuses AUTHORIZATION_PARAMS, which could not apply; several problems at once', () => {
  assert.throws(
    () => optionsFromSettings({ PKCE: 'false', AUTHORIZATION_PARAMS: 'acr_values=x' }),
    (error: Error) =>
      error.message.startsWith('AUTHORIZATION_PARAMS: has no effect with PKCE=false'),
  )
  // IDP_REQUIRE_ACR alone is the IdP's rule, not the proxy's: it stays allowed.
  assert.is(
    optionsFromSettings({ PKCE: 'false', IDP_REQUIRE_ACR: 'x' }).authorizationParams,
    undefined,
  )
  assert.throws(
    () => optionsFromSettings({ PKCE: 'maybe', IDP_PORT: 'eighty' }),
    (error: { problems?: { name: string }[] }) =>
      error.problems?.map((problem) => problem.name).join() === 'PKCE,IDP_PORT',
  )
})

test('a bad setting is refused with its name', () => {
  for (const [name, value] of [
    ['PKCE', 'maybe'],
    ['STORE', 'dynamodb'],
    ['IDP_PORT', 'eighty'],
    ['AUTHORIZATION_PARAMS', '{"acr_values":1}'],
    ['LOG_LEVEL', 'loud'],
  ] as const) {
    assert.throws(
      () => optionsFromSettings({ [name]: value }),
      (error: Error) => error.message.startsWith(`${name}:`),
    )
  }
})

test.run()
