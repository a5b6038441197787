/**
 * The proxy's options: one typed object, validated once at creation. Every refusal is a
 * ProxyError ERR_INVALID_OPTION whose message starts with the option's name.
 */
import { invalidOption } from './errors.js'
import type { KeySource } from './keys/key-source.js'
import type { Logger } from './logger.js'
import type { MetricsSink } from './metrics.js'
import type { FlowStore } from './stores/flow-store.js'

export interface IdpOptions {
  /** The IdP's issuer identifier. Its discovery document fills in any endpoint not given. */
  issuer: string
  /** Explicit authorization endpoint (skips discovery for it). */
  authorizationEndpoint?: string
  /** Explicit token endpoint (skips discovery for it). */
  tokenEndpoint?: string
}

export interface RoutePaths {
  authorize: string
  callback: string
  token: string
  jwks: string
  health: string
}

export interface ProxyOptions {
  /**
   * The proxy's public base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/v1`.
   * The callback URL registered at the IdP is `baseUrl` + `paths.callback`. Configured, never
   * derived from `Host` or `X-Forwarded-*` headers.
   */
  baseUrl: string
  /** The client id registered at the IdP; Cognito is configured with the same id. */
  clientId: string
  /**
   * The secret Cognito presents at /token (its "client secret" for this IdP). Never sent to the
   * IdP. A function is called per check, so a cached secret fetched at run time fits.
   */
  clientSecret: string | (() => Promise<string>)
  /** Cognito's redirect URIs (`https://<domain>/oauth2/idpresponse`), matched exactly. */
  redirectUris: string[]
  idp: IdpOptions
  /** Signs the client assertions. */
  keys: KeySource
  /** Add PKCE (and route /authorize and /callback through the proxy). Default true. */
  pkce?: boolean
  /** Where flows live between requests. Required when `pkce` is on. */
  store?: FlowStore
  /** Extra authorization parameters, added or overriding Cognito's (e.g. `acr_values`). */
  authorizationParams?: Record<string, string>
  /** Add a random `nonce` when Cognito sends none (Login.gov requires one). Default true. */
  addNonce?: boolean
  assertion?: {
    /** `aud` of the client assertion: the token endpoint (default), the issuer, or a URL. */
    audience?: 'token_endpoint' | 'issuer' | (string & {})
    /** Assertion lifetime in seconds. Default 60. */
    lifetimeSeconds?: number
  }
  /** How long a sign-in at the IdP may take, in seconds. Default 600. */
  flowTtlSeconds?: number
  /** How long the proxy's code handle is valid for Cognito's token call. Default 120. */
  codeTtlSeconds?: number
  /** Timeout for each request to the IdP (discovery, token), in ms. Default 10 000. */
  idpTimeoutMs?: number
  /** Largest /token body accepted, in bytes. Default 16 384. */
  maxBodyBytes?: number
  /** `max-age` of the JWKS response, in seconds. Default 300. */
  jwksMaxAgeSeconds?: number
  paths?: Partial<RoutePaths>
  /** Allow `http:` IdP URLs (local development only). Default false. */
  allowInsecureHttp?: boolean
  fetch?: typeof fetch
  logger?: Logger
  /**
   * Receives sign-in counts, failures and the IdP's latency (Prometheus, CloudWatch EMF: see
   * the adapters). Default none: nothing is measured.
   */
  metrics?: MetricsSink
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

export interface ResolvedOptions {
  baseUrl: URL
  callbackUrl: string
  clientId: string
  clientSecret: () => Promise<string>
  redirectUris: ReadonlySet<string>
  /** `issuerId` is the issuer exactly as configured: `URL` would add a trailing slash. */
  idp: { issuer: URL; issuerId: string; authorizationEndpoint?: URL; tokenEndpoint?: URL }
  keys: KeySource
  pkce: boolean
  store: FlowStore | undefined
  authorizationParams: Readonly<Record<string, string>>
  addNonce: boolean
  audience: string
  assertionLifetime: number
  flowTtl: number
  codeTtl: number
  idpTimeoutMs: number
  maxBodyBytes: number
  jwksMaxAge: number
  paths: RoutePaths
  allowInsecureHttp: boolean
  fetch: typeof fetch
  logger: Logger | undefined
  metrics: MetricsSink | undefined
  now: () => number
}

export const DEFAULT_PATHS: RoutePaths = {
  authorize: '/authorize',
  callback: '/callback',
  token: '/token',
  jwks: '/.well-known/jwks.json',
  health: '/health',
}

/** Parameters the proxy owns on the way to the IdP; configuration cannot set them. */
export const RESERVED_AUTHORIZATION_PARAMS = [
  'client_id',
  'redirect_uri',
  'state',
  'response_type',
  'code_challenge',
  'code_challenge_method',
] as const

export function resolveOptions(options: ProxyOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', 'expected an object')
  }
  const allowInsecureHttp = options.allowInsecureHttp ?? false
  const baseUrl = url('baseUrl', options.baseUrl, allowInsecureHttp)
  if (baseUrl.search || baseUrl.hash)
    throw invalidOption('baseUrl', 'must have no query or fragment')
  const paths = resolvePaths(options.paths)
  const pkce = bool('pkce', options.pkce, true)
  if (pkce && !options.store)
    throw invalidOption('store', 'a flow store is required when pkce is on')
  if (!options.keys || typeof options.keys.signer !== 'function') {
    throw invalidOption('keys', 'a KeySource ({ signer(), publicJwks() }) is required')
  }
  const idp = resolveIdp(options.idp, allowInsecureHttp)
  const audience = resolveAudience(options.assertion?.audience, allowInsecureHttp)

  return {
    baseUrl,
    callbackUrl: joinPath(baseUrl, paths.callback),
    clientId: nonEmpty('clientId', options.clientId),
    clientSecret: resolveSecret(options.clientSecret),
    redirectUris: resolveRedirectUris(options.redirectUris, allowInsecureHttp),
    idp,
    keys: options.keys,
    pkce,
    store: options.store,
    authorizationParams: resolveAuthorizationParams(options.authorizationParams),
    addNonce: bool('addNonce', options.addNonce, true),
    audience,
    assertionLifetime: int(
      'assertion.lifetimeSeconds',
      options.assertion?.lifetimeSeconds,
      60,
      1,
      600,
    ),
    flowTtl: int('flowTtlSeconds', options.flowTtlSeconds, 600, 30, 3600),
    codeTtl: int('codeTtlSeconds', options.codeTtlSeconds, 120, 10, 600),
    idpTimeoutMs: int('idpTimeoutMs', options.idpTimeoutMs, 10_000, 100, 60_000),
    maxBodyBytes: int('maxBodyBytes', options.maxBodyBytes, 16_384, 1024, 1_048_576),
    jwksMaxAge: int('jwksMaxAgeSeconds', options.jwksMaxAgeSeconds, 300, 0, 86_400),
    paths,
    allowInsecureHttp,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    logger: options.logger,
    metrics: resolveMetrics(options.metrics),
    now: options.now ?? (() => Date.now()),
  }
}

/** `baseUrl` + `path` without doubling the slash (base `https://x/v1`, path `/callback`). */
export function joinPath(base: URL, path: string): string {
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}${path}`
}

export function nonEmpty(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidOption(option, 'is required')
  return value
}

export function url(option: string, value: unknown, allowHttp: boolean): URL {
  const text = nonEmpty(option, value)
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    throw invalidOption(option, `"${text}" is not an absolute URL`)
  }
  if (parsed.protocol !== 'https:' && !(allowHttp && parsed.protocol === 'http:')) {
    throw invalidOption(option, `must be an https URL (got ${parsed.protocol})`)
  }
  return parsed
}

export function bool(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw invalidOption(option, 'must be true or false')
  return value
}

export function int(
  option: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidOption(option, `must be a whole number from ${min} to ${max}`)
  }
  return value
}

function resolveMetrics(value: unknown): MetricsSink | undefined {
  if (value === undefined) return undefined
  const sink = value as Partial<MetricsSink> | null
  if (typeof sink?.count !== 'function' || typeof sink.observe !== 'function') {
    throw invalidOption('metrics', 'must be a MetricsSink ({ count(), observe() })')
  }
  return sink as MetricsSink
}

function resolvePaths(paths: Partial<RoutePaths> | undefined): RoutePaths {
  const resolved = { ...DEFAULT_PATHS, ...paths }
  for (const [name, path] of Object.entries(resolved)) {
    if (typeof path !== 'string' || !/^\/[A-Za-z0-9._~\-/]*$/.test(path)) {
      throw invalidOption(`paths.${name}`, 'must be a path starting with "/"')
    }
  }
  if (new Set(Object.values(resolved)).size !== Object.keys(resolved).length) {
    throw invalidOption('paths', 'every route needs its own path')
  }
  return resolved
}

function resolveSecret(value: ProxyOptions['clientSecret']): () => Promise<string> {
  if (typeof value === 'function') return value
  const secret = nonEmpty('clientSecret', value)
  if (secret.length < 16) throw invalidOption('clientSecret', 'must be at least 16 characters')
  return async () => secret
}

/** True for URLs on this machine (127.0.0.1, [::1], localhost). */
export function isLoopbackUrl(text: unknown): boolean {
  try {
    return ['127.0.0.1', '[::1]', 'localhost'].includes(new URL(String(text)).hostname)
  } catch {
    return false
  }
}

// Cognito's redirect URIs are https; with allowInsecureHttp, a local stand-in on loopback may be http.
function resolveRedirectUris(value: unknown, allowInsecureHttp: boolean): ReadonlySet<string> {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidOption('redirectUris', "list at least one of Cognito's redirect URIs")
  }
  for (const uri of value) {
    const parsed = url('redirectUris', uri, allowInsecureHttp && isLoopbackUrl(uri))
    if (parsed.hash) throw invalidOption('redirectUris', `"${uri}" must have no fragment`)
  }
  return new Set(value as string[])
}

function resolveIdp(value: IdpOptions | undefined, allowHttp: boolean): ResolvedOptions['idp'] {
  if (typeof value !== 'object' || value === null) throw invalidOption('idp.issuer', 'is required')
  return {
    issuer: url('idp.issuer', value.issuer, allowHttp),
    issuerId: value.issuer.trim(),
    ...(value.authorizationEndpoint === undefined
      ? {}
      : {
          authorizationEndpoint: url(
            'idp.authorizationEndpoint',
            value.authorizationEndpoint,
            allowHttp,
          ),
        }),
    ...(value.tokenEndpoint === undefined
      ? {}
      : { tokenEndpoint: url('idp.tokenEndpoint', value.tokenEndpoint, allowHttp) }),
  }
}

function resolveAudience(value: unknown, allowHttp: boolean): string {
  if (value === undefined || value === 'token_endpoint' || value === 'issuer') {
    return value ?? 'token_endpoint'
  }
  return url('assertion.audience', value, allowHttp).href
}

function resolveAuthorizationParams(value: unknown): Record<string, string> {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidOption('authorizationParams', 'must be an object of string values')
  }
  const params: Record<string, string> = {}
  for (const [name, param] of Object.entries(value)) {
    if ((RESERVED_AUTHORIZATION_PARAMS as readonly string[]).includes(name)) {
      throw invalidOption(
        `authorizationParams.${name}`,
        'is set by the proxy and cannot be configured',
      )
    }
    if (typeof param !== 'string')
      throw invalidOption(`authorizationParams.${name}`, 'must be a string')
    params[name] = param
  }
  return params
}
