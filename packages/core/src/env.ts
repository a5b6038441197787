/**
 * The environment layer: the proxy's options from environment variables, for every runtime
 * (Lambda, the standalone server, the local run, your own code). Which variables exist, how each
 * is parsed and documented is in settings/table.ts; this module turns a reading of them into
 * `createProxy` options. Problems are collected, each naming its variable, and thrown at once.
 * Adapters add what only they know (a DynamoDB table, a secret ARN, a KMS key) to the same
 * reading before it is checked.
 */
import { fapiOptionsFrom } from './env-fapi.js'
import type { KeySource } from './keys/key-source.js'
import type { ParseKeysOptions } from './keys/private-jwk.js'
import { staticKeySource } from './keys/static-key-source.js'
import { jsonLogger } from './logger.js'
import type { ProxyOptions, RoutePaths } from './options.js'
import { createProxy, type Proxy as IdpProxy } from './proxy.js'
import { type Env, readSettings, type SettingsReading, settingsOf } from './settings/read.js'
import type { Runtime } from './settings/setting.js'
import { SETTINGS, type SettingName } from './settings/table.js'
import type { FlowStore } from './stores/flow-store.js'
import { createMemoryStore } from './stores/memory-store.js'
import { createSealedStore } from './stores/sealed-store.js'

export type { Env }

/** What the environment configures; `keys`/`clientSecret` come from an adapter when absent. */
export type EnvOptions = ProxyOptions

/** The variables `optionsFromEnv(env)` reads, with their documentation (see SETTINGS for all). */
export const ENV_VARIABLES: Readonly<Record<string, string>> = Object.fromEntries(
  settingsOf('core').map((name) => [name, SETTINGS[name].doc]),
)

/**
 * Reads the proxy's options from environment variables as `runtime` reads them (default: the
 * proxy's own settings, `core`). Throws one ProxyError ERR_INVALID_OPTION whose `problems` name
 * every variable that is missing or malformed.
 */
export function optionsFromEnv(env: Env, runtime: Runtime = 'core'): EnvOptions {
  const reading = readSettings(env, runtime)
  const options = proxyOptionsFrom(reading)
  reading.check()
  return options
}

const PKCE_OFF =
  'has no effect with PKCE=false: Cognito then sends the authorization request to the IdP without the proxy'

/**
 * The `createProxy` options in `reading`. Problems (a setting that cannot apply, a key that
 * does not parse, a store without its keys) are added to the reading, not thrown.
 */
export function proxyOptionsFrom(reading: SettingsReading): EnvOptions {
  const { values, given } = reading
  const options: EnvOptions = {
    baseUrl: values.PROXY_BASE_URL ?? '',
    clientId: values.IDP_CLIENT_ID ?? '',
    redirectUris: values.COGNITO_REDIRECT_URIS ?? [],
    idp: {
      issuer: values.IDP_ISSUER ?? '',
      ...(values.IDP_AUTHORIZATION_ENDPOINT
        ? { authorizationEndpoint: values.IDP_AUTHORIZATION_ENDPOINT }
        : {}),
      ...(values.IDP_TOKEN_ENDPOINT ? { tokenEndpoint: values.IDP_TOKEN_ENDPOINT } : {}),
      ...(values.IDP_JWKS_URI ? { jwksUri: values.IDP_JWKS_URI } : {}),
    },
    allowInsecureHttp: values.ALLOW_INSECURE_HTTP ?? false,
    logger: jsonLogger({ level: values.LOG_LEVEL ?? 'info' }),
  }
  if (values.COGNITO_CLIENT_SECRET !== undefined)
    options.clientSecret = values.COGNITO_CLIENT_SECRET
  if (values.PKCE !== undefined) options.pkce = values.PKCE
  if (values.ADD_NONCE !== undefined) options.addNonce = values.ADD_NONCE
  if (values.AUTHORIZATION_PARAMS) options.authorizationParams = values.AUTHORIZATION_PARAMS
  refuseWithoutPkce(reading)
  if (values.ASSERTION_AUDIENCE || values.ASSERTION_LIFETIME_SECONDS !== undefined) {
    options.assertion = {
      ...(values.ASSERTION_AUDIENCE ? { audience: values.ASSERTION_AUDIENCE } : {}),
      ...(values.ASSERTION_LIFETIME_SECONDS !== undefined
        ? { lifetimeSeconds: values.ASSERTION_LIFETIME_SECONDS }
        : {}),
    }
  }
  if (values.FLOW_TTL_SECONDS !== undefined) options.flowTtlSeconds = values.FLOW_TTL_SECONDS
  if (values.CODE_TTL_SECONDS !== undefined) options.codeTtlSeconds = values.CODE_TTL_SECONDS
  if (values.IDP_TIMEOUT_MS !== undefined) options.idpTimeoutMs = values.IDP_TIMEOUT_MS
  if (values.JWKS_MAX_AGE_SECONDS !== undefined) {
    options.jwksMaxAgeSeconds = values.JWKS_MAX_AGE_SECONDS
  }
  const bounds = {
    maxIdpTokenBytes: values.IDP_MAX_TOKEN_BYTES,
    maxIdpMetadataBytes: values.IDP_MAX_METADATA_BYTES,
    maxStateBytes: values.MAX_STATE_BYTES,
    maxParamBytes: values.MAX_PARAM_BYTES,
    maxQueryBytes: values.MAX_QUERY_BYTES,
  } as const
  for (const [option, value] of Object.entries(bounds) as [
    keyof typeof bounds,
    number | undefined,
  ][]) {
    if (value !== undefined) options[option] = value
  }
  if (values.VERIFY_ID_TOKEN !== undefined) options.verifyIdToken = values.VERIFY_ID_TOKEN
  if (values.ROUTE_PATHS) options.paths = values.ROUTE_PATHS as Partial<RoutePaths>
  if (given.has('PRIVATE_KEY') && values.PRIVATE_KEY) {
    const keys = keysFromText(reading, values.PRIVATE_KEY, 'PRIVATE_KEY')
    if (keys) options.keys = keys
  }
  const store = storeFrom(reading)
  if (store) options.store = store
  fapiOptionsFrom(reading, options)
  return options
}

/**
 * With `PKCE=false` Cognito sends the browser to the IdP itself, so settings that shape the
 * authorization request could not apply: a non-empty `AUTHORIZATION_PARAMS` and `ADD_NONCE=true`
 * are reported instead of silently ignored.
 */
export function refuseWithoutPkce(reading: SettingsReading): void {
  const { values } = reading
  if (values.PKCE !== false) return
  if (Object.keys(values.AUTHORIZATION_PARAMS ?? {}).length > 0) {
    reading.report('AUTHORIZATION_PARAMS', PKCE_OFF)
  }
  if (values.ADD_NONCE === true) reading.report('ADD_NONCE', PKCE_OFF)
}

/**
 * Builds the proxy from a reading: throws every problem found so far at once, then runs
 * `createProxy` and reports what it refuses under the variables that feed those options.
 */
export function createProxyFrom(reading: SettingsReading, options: ProxyOptions): IdpProxy {
  reading.check()
  const proxy = reading.attempt('PROXY_BASE_URL', () => createProxy(options))
  reading.check()
  return proxy as IdpProxy
}

/** `ACTIVE_KID` and `KEY_ALG`: how to read a private key set, wherever it comes from. */
export function keyOptionsFrom(reading: SettingsReading): ParseKeysOptions {
  const { ACTIVE_KID: activeKid, KEY_ALG: defaultAlg } = reading.values
  return { ...(activeKid ? { activeKid } : {}), ...(defaultAlg ? { defaultAlg } : {}) }
}

/**
 * A static key source from key text (a JWK or JWKS) that `setting` holds (`PRIVATE_KEY`, or the
 * text of the file `PRIVATE_KEY_FILE` names). A problem is reported under `setting`.
 */
export function keysFromText(
  reading: SettingsReading,
  text: string,
  setting: SettingName,
): KeySource | undefined {
  try {
    return staticKeySource(text, keyOptionsFrom(reading))
  } catch (error) {
    // The key parser's message never contains key material.
    reading.report(setting, (error as Error).message)
    return undefined
  }
}

/** `PRIVATE_KEY` (with `ACTIVE_KID`, `KEY_ALG`) as a static key source, when set. */
export function keysFromEnv(env: Env): KeySource | undefined {
  const reading = readSettings(env, 'core', { only: ['PRIVATE_KEY', 'ACTIVE_KID', 'KEY_ALG'] })
  const text = reading.values.PRIVATE_KEY
  const keys = text ? keysFromText(reading, text, 'PRIVATE_KEY') : undefined
  reading.check()
  return keys
}

/**
 * The stores core builds: `STORE=memory` (default) and `STORE=sealed` with `SEALING_KEYS`. For
 * any other kind (`redis://…`, `dynamodb`) the adapter builds the store: undefined here.
 */
export function storeFrom(reading: SettingsReading): FlowStore | undefined {
  const kind = reading.values.STORE ?? (reading.given.has('STORE') ? undefined : 'memory')
  if (kind === 'memory') {
    const maxCodes = reading.values.MEMORY_STORE_MAX_CODES
    return createMemoryStore(maxCodes === undefined ? {} : { maxCodes })
  }
  if (kind !== 'sealed') return undefined
  const keys = reading.values.SEALING_KEYS
  if (!keys?.length) {
    if (!reading.given.has('SEALING_KEYS'))
      reading.report('SEALING_KEYS', 'is required when STORE=sealed')
    return undefined
  }
  try {
    return createSealedStore({ keys })
  } catch (error) {
    reading.report('SEALING_KEYS', (error as Error).message.replace(/^sealed store: /, ''))
    return undefined
  }
}
