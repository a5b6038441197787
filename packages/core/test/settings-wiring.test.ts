// The settings added for the hardening options (issue 12) reach the options they name in the
// table, and each numeric setting's range is the range createProxy itself accepts.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  type CodeFlow,
  createProxy,
  isProxyError,
  optionsFromEnv,
  type ProxyOptions,
  SETTINGS,
  type SettingName,
  settingsOf,
} from '../src/index.js'
import { LIMIT_SETTINGS } from '../src/settings/limit-settings.js'
import { PROXY_SETTINGS } from '../src/settings/proxy-settings.js'
import { privateJwk, proxyOptions } from './support/fixtures.js'

const jwk = await privateJwk()
const env = {
  PROXY_BASE_URL: 'https://proxy.example.com/v1',
  IDP_ISSUER: 'https://idp.example.com',
  IDP_CLIENT_ID: 'client',
  COGNITO_REDIRECT_URIS: 'https://a.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse',
  COGNITO_CLIENT_SECRET: 'a-long-enough-shared-secret-0123456789',
}

/** The value at `path` (`idp.jwksUri`) of an options object. */
function at(options: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((value, key) => (value as Record<string, unknown>)?.[key], options)
}

/** Options with `path` set to `value` (a copy, nested objects copied on the way). */
function withOption(options: ProxyOptions, path: string, value: unknown): ProxyOptions {
  const [head, ...rest] = path.split('.') as [string, ...string[]]
  const record = options as unknown as Record<string, unknown>
  if (rest.length === 0) return { ...options, [head]: value }
  return {
    ...options,
    [head]: withOption((record[head] ?? {}) as ProxyOptions, rest.join('.'), value),
  } as ProxyOptions
}

// A valid text for each setting of the hardening group: inside every range, not the default.
const SAMPLES: Record<keyof typeof LIMIT_SETTINGS, string> = {
  IDP_MAX_TOKEN_BYTES: '100000',
  IDP_MAX_METADATA_BYTES: '500000',
  MAX_STATE_BYTES: '4000',
  MAX_PARAM_BYTES: '2000',
  MAX_QUERY_BYTES: '12000',
  VERIFY_ID_TOKEN: 'false',
  IDP_JWKS_URI: 'https://idp.example.com/keys',
  MEMORY_STORE_MAX_CODES: '2',
}

test('each proxy setting of the hardening group reaches the createProxy option the table names', () => {
  for (const [name, text] of Object.entries(SAMPLES) as [keyof typeof LIMIT_SETTINGS, string][]) {
    const setting = LIMIT_SETTINGS[name]
    assert.ok(settingsOf('core').includes(name), `${name} is read by optionsFromEnv`)
    if (name === 'MEMORY_STORE_MAX_CODES') continue // a store option: below
    const options = optionsFromEnv({ ...env, [name]: text })
    const option = setting.options?.[0] as string
    assert.equal(at(options, option), setting.parse(text, { allowInsecureHttp: false }), name)
    assert.equal(at(optionsFromEnv(env), option), undefined, `${name} unset: the option's default`)
  }
})

test('a bad value is refused under its variable, with the range', () => {
  for (const name of [
    'IDP_MAX_TOKEN_BYTES',
    'MAX_STATE_BYTES',
    'VERIFY_ID_TOKEN',
    'IDP_JWKS_URI',
  ]) {
    try {
      optionsFromEnv({ ...env, [name]: name === 'IDP_JWKS_URI' ? 'http://idp.example.com/k' : '7' })
      assert.unreachable(name)
    } catch (error) {
      assert.ok(isProxyError(error), name)
      assert.equal(
        error.problems.map((problem) => problem.name),
        [name],
      )
    }
  }
})

test("MEMORY_STORE_MAX_CODES bounds the memory store's issued codes", async () => {
  const { store } = optionsFromEnv({ ...env, MEMORY_STORE_MAX_CODES: '2' })
  const code = (n: number) =>
    ({ kind: 'code', code: `c${n}`, verifier: 'v', redirectUri: 'r' }) as const
  const handles = [
    await store!.save(code(1), 60),
    await store!.save(code(2), 60),
    await store!.save(code(3), 60),
  ]
  // The oldest code made room for the third; the two newest are still there.
  assert.is(await store!.take(handles[0]!, 'code'), undefined)
  assert.equal(((await store!.take(handles[1]!, 'code')) as CodeFlow | undefined)?.code, 'c2')
  assert.equal(((await store!.take(handles[2]!, 'code')) as CodeFlow | undefined)?.code, 'c3')
})

test("every numeric proxy setting has createProxy's own range: its ends pass, one past them is refused", async () => {
  const base = proxyOptions(jwk)
  const settings = { ...PROXY_SETTINGS, ...LIMIT_SETTINGS } as Record<SettingName, unknown>
  let checked = 0
  for (const name of Object.keys(settings) as SettingName[]) {
    const setting = SETTINGS[name] as {
      parse: { min?: number; max?: number }
      options?: readonly string[]
    }
    const { min, max } = setting.parse
    if (min === undefined || max === undefined || name === 'MEMORY_STORE_MAX_CODES') continue
    const option = setting.options?.[0] as string
    for (const value of [min, max]) createProxy(withOption(base, option, value))
    for (const value of [min - 1, max + 1]) {
      assert.throws(
        () => createProxy(withOption(base, option, value)),
        (error: unknown) =>
          isProxyError(error) && error.problems.some((problem) => problem.name === option),
        `${name} (${option}) = ${value}`,
      )
    }
    checked++
  }
  assert.ok(checked >= 9, `${checked} numeric settings checked`)
})

test.run()
