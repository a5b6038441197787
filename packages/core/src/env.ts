/**
 * One environment-variable schema for every runtime (Lambda, the standalone server, the local
 * run). Errors name the variable. Adapters add what only they know (a DynamoDB table, a secret
 * ARN, a KMS key) on top of what this returns.
 */
import { invalidOption } from './errors.js'
import type { KeySource } from './keys/key-source.js'
import { isSigningAlgorithm } from './keys/key-source.js'
import type { ParseKeysOptions } from './keys/private-jwk.js'
import { staticKeySource } from './keys/static-key-source.js'
import { isLogLevel, jsonLogger } from './logger.js'
import {
  bool,
  int,
  isLoopbackUrl,
  nonEmpty,
  type ProxyOptions,
  type RoutePaths,
  url,
} from './options.js'
import { createMemoryStore } from './stores/memory-store.js'
import { createSealedStore } from './stores/sealed-store.js'

export type Env = Readonly<Record<string, string | undefined>>

/** What the environment alone can configure; adapters supply `keys`/`clientSecret`/`store` when absent. */
export type EnvOptions = Omit<ProxyOptions, 'keys' | 'clientSecret'> & {
  keys?: KeySource
  clientSecret?: string
}

/**
 * The variables, for docs and for `--help`. Required ones must be set; the rest have defaults.
 * Keep README.md's table in step with this list (a test checks it).
 */
export const ENV_VARIABLES = {
  PROXY_BASE_URL: 'required. Public base URL of the proxy; the IdP callback is <this>/callback',
  IDP_ISSUER: "required. The IdP's issuer; endpoints come from its discovery document",
  IDP_CLIENT_ID: 'required. Client id registered at the IdP (Cognito uses the same id)',
  COGNITO_REDIRECT_URIS:
    'required. Comma-separated Cognito redirect URIs (https://<domain>/oauth2/idpresponse)',
  COGNITO_CLIENT_SECRET:
    'The secret Cognito sends at /token (16+ characters); the Lambda adapter can read it from Secrets Manager instead',
  IDP_AUTHORIZATION_ENDPOINT: 'Explicit authorization endpoint (skips discovery for it)',
  IDP_TOKEN_ENDPOINT: 'Explicit token endpoint (skips discovery for it)',
  PKCE: 'true (default) or false: with false only /token goes through the proxy',
  AUTHORIZATION_PARAMS:
    'Extra authorization parameters: a JSON object or a query string (acr_values=...&prompt=login)',
  ADD_NONCE: 'true (default): add a nonce when Cognito sends none',
  ASSERTION_AUDIENCE: 'token_endpoint (default), issuer, or a URL: the aud of the client assertion',
  ASSERTION_LIFETIME_SECONDS: 'Client assertion lifetime (default 60)',
  FLOW_TTL_SECONDS: 'How long a sign-in at the IdP may take (default 600)',
  CODE_TTL_SECONDS: "How long the proxy's code is valid for Cognito's token call (default 120)",
  IDP_TIMEOUT_MS: 'Timeout of each request to the IdP (default 10000)',
  JWKS_MAX_AGE_SECONDS: 'Cache-Control max-age of the JWKS route (default 300)',
  ROUTE_PATHS:
    'Route paths as JSON, e.g. {"token":"/oauth/token"} (defaults /authorize, /callback, /token, /.well-known/jwks.json, /health)',
  PRIVATE_KEY: 'Private signing key inline: a JWK or a JWKS {"keys":[...],"active_kid":"..."}',
  ACTIVE_KID: 'Which kid signs (default: the JWKS active_kid, else its first key)',
  KEY_ALG: 'Algorithm for keys without "alg" (RS256 default for RSA; PS256 possible)',
  STORE: 'memory (default), sealed, or an adapter store (redis://..., dynamodb)',
  SEALING_KEYS: 'With STORE=sealed: comma-separated 32-byte base64url keys, newest first',
  ALLOW_INSECURE_HTTP: 'true allows http: IdP and base URLs (local development only)',
  LOG_LEVEL: 'debug, info (default), warn or error',
} as const

export type EnvVariable = keyof typeof ENV_VARIABLES

function optional(env: Env, name: EnvVariable): string | undefined {
  const value = env[name]?.trim()
  return value ? value : undefined
}

function boolEnv(env: Env, name: EnvVariable): boolean | undefined {
  const value = optional(env, name)
  if (value === undefined) return undefined
  if (/^(true|1|yes|on)$/i.test(value)) return true
  if (/^(false|0|no|off)$/i.test(value)) return false
  return bool(name, value, false)
}

function intEnv(env: Env, name: EnvVariable, min: number, max: number): number | undefined {
  const value = optional(env, name)
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value))
    throw invalidOption(name, `must be a whole number from ${min} to ${max}`)
  return int(name, Number(value), 0, min, max)
}

function listEnv(env: Env, name: EnvVariable): string[] | undefined {
  const value = optional(env, name)
  return value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}

/** Parses `AUTHORIZATION_PARAMS`: a JSON object, or `a=1&b=2` query-string form. */
export function parseParams(name: string, text: string): Record<string, string> {
  if (text.startsWith('{')) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw invalidOption(name, 'is not valid JSON')
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalidOption(name, 'must be a JSON object')
    }
    for (const [key, param] of Object.entries(value)) {
      if (typeof param !== 'string') throw invalidOption(name, `"${key}" must be a string`)
    }
    return value as Record<string, string>
  }
  return Object.fromEntries(new URLSearchParams(text))
}

/**
 * Reads the proxy's options from environment variables (see ENV_VARIABLES). Throws a
 * ProxyError ERR_INVALID_OPTION naming the variable when one is missing or malformed.
 */
export function optionsFromEnv(env: Env): EnvOptions {
  const allowInsecureHttp = boolEnv(env, 'ALLOW_INSECURE_HTTP') ?? false
  const required = (name: EnvVariable) => nonEmpty(name, env[name])
  // Validated as a URL but passed on as written: `URL.href` would add a trailing slash to an
  // issuer, and issuers are compared as exact strings.
  const urlEnv = (name: EnvVariable) => {
    url(name, env[name], allowInsecureHttp)
    return (env[name] as string).trim()
  }

  const logLevel = optional(env, 'LOG_LEVEL') ?? 'info'
  if (!isLogLevel(logLevel)) throw invalidOption('LOG_LEVEL', 'must be debug, info, warn or error')

  const redirectUris = listEnv(env, 'COGNITO_REDIRECT_URIS') ?? []
  if (redirectUris.length === 0) required('COGNITO_REDIRECT_URIS')
  for (const uri of redirectUris) {
    url('COGNITO_REDIRECT_URIS', uri, allowInsecureHttp && isLoopbackUrl(uri))
  }

  const secret = optional(env, 'COGNITO_CLIENT_SECRET')
  if (secret !== undefined && secret.length < 16) {
    throw invalidOption('COGNITO_CLIENT_SECRET', 'must be at least 16 characters')
  }

  const audience = optional(env, 'ASSERTION_AUDIENCE')
  if (audience && audience !== 'token_endpoint' && audience !== 'issuer') {
    url('ASSERTION_AUDIENCE', audience, allowInsecureHttp)
  }
  const lifetimeSeconds = intEnv(env, 'ASSERTION_LIFETIME_SECONDS', 1, 600)
  const params = optional(env, 'AUTHORIZATION_PARAMS')
  const paths = optional(env, 'ROUTE_PATHS')
  const authorizationEndpoint = optional(env, 'IDP_AUTHORIZATION_ENDPOINT')
  const tokenEndpoint = optional(env, 'IDP_TOKEN_ENDPOINT')

  const options: EnvOptions = {
    baseUrl: urlEnv('PROXY_BASE_URL'),
    clientId: required('IDP_CLIENT_ID'),
    redirectUris,
    idp: {
      issuer: urlEnv('IDP_ISSUER'),
      ...(authorizationEndpoint
        ? { authorizationEndpoint: urlEnv('IDP_AUTHORIZATION_ENDPOINT') }
        : {}),
      ...(tokenEndpoint ? { tokenEndpoint: urlEnv('IDP_TOKEN_ENDPOINT') } : {}),
    },
    allowInsecureHttp,
    logger: jsonLogger({ level: logLevel }),
  }
  if (secret !== undefined) options.clientSecret = secret
  const pkce = boolEnv(env, 'PKCE')
  if (pkce !== undefined) options.pkce = pkce
  const addNonce = boolEnv(env, 'ADD_NONCE')
  if (addNonce !== undefined) options.addNonce = addNonce
  if (params) options.authorizationParams = parseParams('AUTHORIZATION_PARAMS', params)
  if (audience || lifetimeSeconds !== undefined) {
    options.assertion = {
      ...(audience ? { audience } : {}),
      ...(lifetimeSeconds !== undefined ? { lifetimeSeconds } : {}),
    }
  }
  const numbers = [
    ['flowTtlSeconds', intEnv(env, 'FLOW_TTL_SECONDS', 30, 3600)],
    ['codeTtlSeconds', intEnv(env, 'CODE_TTL_SECONDS', 10, 600)],
    ['idpTimeoutMs', intEnv(env, 'IDP_TIMEOUT_MS', 100, 60_000)],
    ['jwksMaxAgeSeconds', intEnv(env, 'JWKS_MAX_AGE_SECONDS', 0, 86_400)],
  ] as const
  for (const [option, value] of numbers) if (value !== undefined) options[option] = value
  if (paths) options.paths = parseParams('ROUTE_PATHS', paths) as Partial<RoutePaths>

  const keys = keysFromEnv(env)
  if (keys) options.keys = keys
  const store = storeFromEnv(env)
  if (store) options.store = store
  return options
}

/**
 * `ACTIVE_KID` and `KEY_ALG`: how to read a private key set, wherever it comes from (inline,
 * a file, Secrets Manager). Throws naming `KEY_ALG` when it is not a signing algorithm.
 */
export function keyOptionsFromEnv(env: Env): ParseKeysOptions {
  const activeKid = optional(env, 'ACTIVE_KID')
  const alg = optional(env, 'KEY_ALG')
  if (alg !== undefined && !isSigningAlgorithm(alg)) {
    throw invalidOption('KEY_ALG', `"${alg}" is not a supported algorithm`)
  }
  return { ...(activeKid ? { activeKid } : {}), ...(alg ? { defaultAlg: alg } : {}) }
}

/**
 * A static key source from key text (a JWK or JWKS) read from `variable` (`PRIVATE_KEY` by
 * default; adapters pass the text of a file or a secret). Errors name `variable`.
 */
export function keysFromText(env: Env, text: string, variable = 'PRIVATE_KEY'): KeySource {
  const options = keyOptionsFromEnv(env)
  try {
    return staticKeySource(text, options)
  } catch (error) {
    // Name the variable; the key parser's message never contains key material.
    throw invalidOption(variable, (error as Error).message)
  }
}

/** `PRIVATE_KEY` (+ `ACTIVE_KID`, `KEY_ALG`) as a static key source, when set. */
export function keysFromEnv(env: Env): KeySource | undefined {
  const privateKey = optional(env, 'PRIVATE_KEY')
  return privateKey ? keysFromText(env, privateKey) : undefined
}

/** The stores core can build: `STORE=memory` (default) or `STORE=sealed` with `SEALING_KEYS`. */
export function storeFromEnv(env: Env) {
  const store = optional(env, 'STORE') ?? 'memory'
  if (store === 'memory') return createMemoryStore()
  if (store === 'sealed') {
    const keys = listEnv(env, 'SEALING_KEYS')
    if (!keys?.length) throw invalidOption('SEALING_KEYS', 'is required when STORE=sealed')
    try {
      return createSealedStore({ keys })
    } catch (error) {
      throw invalidOption('SEALING_KEYS', (error as Error).message)
    }
  }
  // Anything else is an adapter's store (redis://…, dynamodb): the adapter builds it.
  return undefined
}
