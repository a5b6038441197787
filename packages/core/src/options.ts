/**
 * The proxy's options: one typed object, validated once at creation. Every refusal is a
 * ProxyError ERR_INVALID_OPTION whose message starts with the option's name.
 */
import {
  type ConfigProblem,
  invalidOption,
  invalidOptions,
  isProxyError,
  ProxyError,
} from './errors.js'
import { CONTENT_ENCRYPTION_ALGORITHMS, type ContentEncryptionAlgorithm } from './fapi/jwe.js'
import type { KeySource } from './keys/key-source.js'
import { type SignatureCheck, webCryptoSignatureCheck } from './keys/signature-check.js'
import type { Logger } from './logger.js'
import type { MetricsSink } from './metrics.js'
import {
  IDP_PROFILE_NAMES,
  IDP_PROFILES,
  type IdpProfile,
  type IdpProfileName,
  isIdpProfileName,
  type ProfileDefaults,
  type ProfileLimits,
} from './profiles.js'
import { isLoopbackUrl, parseUrl, SettingProblem } from './settings/parsers.js'
import type { FlowStore } from './stores/flow-store.js'

export { isLoopbackUrl }

export interface IdpOptions {
  /** The IdP's issuer identifier. Its discovery document fills in any endpoint not given. */
  issuer: string
  /** Explicit authorization endpoint (skips discovery for it). */
  authorizationEndpoint?: string
  /** Explicit token endpoint (skips discovery for it). */
  tokenEndpoint?: string
  /**
   * The IdP's JWKS URL, for verifying its id_tokens. Default: `jwks_uri` from discovery (with
   * both endpoints given, discovery then runs only for it, at start-up and at /token).
   */
  jwksUri?: string
  /**
   * The IdP's pushed authorization request endpoint (RFC 9126). Default:
   * `pushed_authorization_request_endpoint` from discovery.
   */
  parEndpoint?: string
  /**
   * The IdP's userinfo endpoint, for /userinfo. Default: `userinfo_endpoint` from discovery.
   * With both endpoints above given, discovery does not run for it: give it here, or /userinfo
   * answers with the ID token's claims (as for an IdP without userinfo). The same holds for
   * `parEndpoint`, and `par: 'auto'` then never pushes.
   */
  userinfoEndpoint?: string
}

export interface RoutePaths {
  authorize: string
  callback: string
  token: string
  jwks: string
  health: string
  userinfo: string
}

export type RouteName = keyof RoutePaths

/** Every route, in the order they are documented. */
export const ROUTE_NAMES: readonly RouteName[] = [
  'authorize',
  'callback',
  'token',
  'jwks',
  'health',
  'userinfo',
]

/**
 * The shortest client secret Cognito may share with the proxy. 32 characters: the secret is a
 * bearer credential checked at /token, and 32 characters carry at least 128 bits even when they
 * are hex (4 bits each); the Pulumi program generates 48. Applies to every source of the secret
 * (an option, COGNITO_CLIENT_SECRET, a Secrets Manager secret, Pulumi's sharedSecret).
 */
export const MIN_CLIENT_SECRET_LENGTH = 32

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
   * Required when the proxy serves /token.
   */
  clientSecret?: string | (() => Promise<string>)
  /** Cognito's redirect URIs (`https://<domain>/oauth2/idpresponse`), matched exactly. */
  redirectUris: string[]
  idp: IdpOptions
  /** Signs the client assertions. Required when the proxy serves /token or the JWKS. */
  keys?: KeySource
  /**
   * The routes this proxy serves (default: all). The others answer 404, and options only they
   * need are not required: a proxy for `['authorize']` needs no `keys` and no `clientSecret`
   * (each Lambda function serves its own routes).
   */
  routes?: readonly RouteName[]
  /** Add PKCE (and route /authorize and /callback through the proxy). Default true. */
  pkce?: boolean
  /** Where flows live between requests. Required when `pkce` is on. */
  store?: FlowStore
  /**
   * Extra authorization parameters, added or overriding Cognito's (e.g. `acr_values`). Refused
   * with `pkce: false`: the authorization request then goes to the IdP without the proxy.
   */
  authorizationParams?: Record<string, string>
  /**
   * Add a random `nonce` when Cognito sends none (Login.gov requires one). Default true with
   * PKCE; `true` is refused with `pkce: false` (the proxy is not on the authorization path).
   */
  addNonce?: boolean
  assertion?: {
    /** `aud` of the client assertion: the token endpoint (default), the issuer, or a URL. */
    audience?: 'token_endpoint' | 'issuer' | (string & {})
    /** Assertion lifetime in seconds. Default 60 (a profile may cap it: Singpass 120). */
    lifetimeSeconds?: number
    /**
     * The algorithms the IdP accepts for assertions: a signing key with another is refused at
     * start-up (`ready()`) and at /token. Default: any (a profile may set it: Singpass ES*).
     */
    algorithms?: readonly string[]
  }
  /**
   * An IdP profile (`singpass`, `corppass`, `login-gov`, `nhs-login`, `govuk-one-login`, `okta`,
   * `entra-id`, `keycloak`, `auth0`, `helseid`): that IdP's documented defaults (profiles.ts).
   * Explicit options override them, within the profile's limits.
   */
  profile?: IdpProfileName
  /**
   * Pushed authorization requests (RFC 9126): `always`, `never`, or `auto` (default): when the
   * IdP's discovery says `require_pushed_authorization_requests`.
   */
  par?: 'auto' | 'always' | 'never'
  /**
   * DPoP (RFC 9449): a key per sign-in, proofs at PAR (or `dpop_jkt`), token and userinfo, one
   * retry on `use_dpop_nonce`. Cognito gets a Bearer handle, never the DPoP-bound token, so
   * this needs the userinfo route. Default false.
   */
  dpop?: boolean
  /** Adds `exp` = `iat` + this to every DPoP proof (Singpass: at most 120). Default: no `exp`. */
  dpopProofLifetimeSeconds?: number
  /**
   * Refuse ID tokens that are not encrypted (JWE) to one of the key source's `decrypters()`.
   * Encrypted ID tokens are decrypted whenever they come. Default false.
   */
  requireEncryptedIdToken?: boolean
  /** JWE `enc` values accepted (ID tokens, userinfo). Default: all of CONTENT_ENCRYPTION_ALGORITHMS. */
  contentEncryptionAlgorithms?: readonly ContentEncryptionAlgorithm[]
  /**
   * Serve /userinfo: Cognito gets a Bearer handle in place of the IdP's access token and calls
   * the proxy for userinfo. Default: on when `dpop`, `requireEncryptedIdToken` or `par: 'always'`
   * is on, else off.
   */
  userinfo?: boolean
  /**
   * Longest life of an access-token handle, in seconds; it never outlives the IdP's token
   * (`expires_in`). Cognito calls userinfo right after /token. Default 300.
   */
  accessTokenTtlSeconds?: number
  /** How long a sign-in at the IdP may take, in seconds. Default 600. */
  flowTtlSeconds?: number
  /** How long the proxy's code handle is valid for Cognito's token call. Default 120. */
  codeTtlSeconds?: number
  /** Timeout for each request to the IdP (discovery, token), in ms. Default 10 000. */
  idpTimeoutMs?: number
  /** Largest /token body accepted, in bytes. Default 16 384. */
  maxBodyBytes?: number
  /**
   * Largest token answer read from the IdP, in bytes after decompression. A token answer is a
   * few KB; past the bound the read stops and Cognito gets 502. Default 65 536.
   */
  maxIdpTokenBytes?: number
  /** Largest discovery document or JWKS read from the IdP, in bytes. Default 262 144. */
  maxIdpMetadataBytes?: number
  /**
   * Longest `state` accepted at /authorize, in bytes. Cognito's is about 1–1.5 KB; the cap bounds
   * what each unauthenticated /authorize request makes the store hold. Default 2 048.
   */
  maxStateBytes?: number
  /** Longest value of any other parameter at /authorize and /callback, in bytes. Default 1 024. */
  maxParamBytes?: number
  /** Longest query string at /authorize and /callback, in bytes. Default 8 192. */
  maxQueryBytes?: number
  /**
   * Verify the IdP's id_token at /token (signature against the IdP's JWKS, iss, aud, exp and, in
   * PKCE mode, the nonce) before Cognito sees it. Default true.
   */
  verifyIdToken?: boolean
  /** `max-age` of the JWKS response, in seconds. Default 300. */
  jwksMaxAgeSeconds?: number
  paths?: Partial<RoutePaths>
  /** Allow `http:` IdP URLs (local development only). Default false. */
  allowInsecureHttp?: boolean
  fetch?: typeof fetch
  /**
   * The signature step of id_token verification. Default Web Crypto; on Node pass
   * `nodeSignatureCheck` from `@idp-proxy/core/node` (the adapters do), which verifies without a
   * round trip through the thread pool.
   */
  signatureCheck?: SignatureCheck
  logger?: Logger
  /**
   * Receives sign-in counts, failures and the IdP's latency (Prometheus, CloudWatch EMF: see
   * the adapters). Default none: nothing is measured.
   */
  metrics?: MetricsSink
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

/**
 * The options the given routes need besides those every proxy needs (base URL, client id,
 * redirect URIs, IdP). One place, so that adding a route-specific option is one line.
 */
export const ROUTE_REQUIREMENTS: Readonly<
  Record<RouteName, readonly ('keys' | 'clientSecret' | 'store')[]>
> = {
  authorize: ['store'],
  callback: ['store'],
  token: ['keys', 'clientSecret', 'store'],
  jwks: ['keys'],
  health: [],
  userinfo: ['keys', 'store'],
}

export interface ResolvedOptions {
  baseUrl: URL
  /** The routes served; the others are 404. */
  routes: ReadonlySet<RouteName>
  callbackUrl: string
  clientId: string
  clientSecret: () => Promise<string>
  redirectUris: ReadonlySet<string>
  /** `issuerId` is the issuer exactly as configured: `URL` would add a trailing slash. */
  idp: {
    issuer: URL
    issuerId: string
    authorizationEndpoint?: URL
    tokenEndpoint?: URL
    jwksUri?: URL
    parEndpoint?: URL
    userinfoEndpoint?: URL
  }
  keys: KeySource
  pkce: boolean
  store: FlowStore | undefined
  authorizationParams: Readonly<Record<string, string>>
  addNonce: boolean
  audience: string
  assertionLifetime: number
  /** Undefined: any algorithm. */
  assertionAlgorithms: readonly string[] | undefined
  /** The profile in force and the options that override its defaults (the start-up log). */
  profile: { name: IdpProfileName; overrides: readonly string[] } | undefined
  requireX5tS256: boolean
  par: 'auto' | 'always' | 'never'
  dpop: boolean
  dpopProofLifetime: number | undefined
  requireEncryptedIdToken: boolean
  contentEncryption: readonly ContentEncryptionAlgorithm[]
  userinfo: boolean
  accessTokenTtl: number
  flowTtl: number
  codeTtl: number
  idpTimeoutMs: number
  maxBodyBytes: number
  maxIdpTokenBytes: number
  maxIdpMetadataBytes: number
  maxStateBytes: number
  maxParamBytes: number
  maxQueryBytes: number
  verifyIdToken: boolean
  jwksMaxAge: number
  paths: RoutePaths
  allowInsecureHttp: boolean
  fetch: typeof fetch
  signatureCheck: SignatureCheck
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
  userinfo: '/userinfo',
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

/**
 * Validates every option and returns them resolved. Every problem is collected and thrown at
 * once: one ProxyError ERR_INVALID_OPTION whose `problems` name each option. To add an option:
 * declare it in ProxyOptions (documented, with its default), resolve it in the object below with
 * `check(() => ...)`, and, when the environment sets it, add its setting to settings/table.ts.
 */
export function resolveOptions(options: ProxyOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', 'expected an object')
  }
  const problems: ConfigProblem[] = []
  // Runs one option's validation; a refusal is recorded and the others still run.
  const check = <T>(resolve: () => T): T => {
    try {
      return resolve()
    } catch (error) {
      if (!isProxyError(error) || error.code !== 'ERR_INVALID_OPTION') throw error
      problems.push(...error.problems)
      // Never returned: resolveOptions throws below when any problem was recorded.
      return undefined as T
    }
  }
  const allowInsecureHttp = check(() => bool('allowInsecureHttp', options.allowInsecureHttp, false))
  const routes = check(() => resolveRoutes(options.routes))
  const needs = (what: 'keys' | 'clientSecret' | 'store') =>
    [...(routes ?? [])].some((route) => ROUTE_REQUIREMENTS[route].includes(what))
  const baseUrl = check(() => resolveBaseUrl(options.baseUrl, allowInsecureHttp))
  const paths = check(() => resolvePaths(options.paths))
  const pkce = check(() => bool('pkce', options.pkce, true))
  if (pkce && needs('store') && !options.store) {
    problems.push({ name: 'store', message: 'a flow store is required when pkce is on' })
  }
  // /authorize signs too when it pushes authorization requests (PAR's client assertion).
  const pushes =
    routes?.has('authorize') &&
    (options.par === 'always' || profileOf(options)?.defaults.par === 'always')
  const keys = check(() => resolveKeys(options.keys, needs('keys') || pushes === true))
  const clientSecret = check(() => resolveSecret(options.clientSecret, needs('clientSecret')))
  if (pkce === false) check(() => refuseWithoutPkce(options))
  const verifyIdToken = check(() => bool('verifyIdToken', options.verifyIdToken, true))
  const { audienceOption, ...fapi } = check(() => resolveFapi(options, pkce)) ?? {}
  if (fapi.userinfo && !options.store && (routes?.has('token') || routes?.has('userinfo'))) {
    problems.push({
      name: 'store',
      message:
        'a flow store is required for the userinfo route (it holds the access-token handles)',
    })
  }

  const resolved: ResolvedOptions = {
    baseUrl,
    routes,
    callbackUrl: baseUrl && paths ? joinPath(baseUrl, paths.callback) : '',
    clientId: check(() => nonEmpty('clientId', options.clientId)),
    clientSecret,
    redirectUris: check(() => resolveRedirectUris(options.redirectUris, allowInsecureHttp)),
    idp: check(() => resolveIdp(options.idp, allowInsecureHttp)),
    keys,
    pkce,
    store: options.store,
    authorizationParams: check(() =>
      resolveAuthorizationParams({
        ...profileOf(options)?.defaults.authorizationParams,
        ...options.authorizationParams,
      }),
    ),
    ...(fapi as Omit<FapiOptions, 'audienceOption'>),
    audience: check(() => resolveAudience(audienceOption, allowInsecureHttp)),
    flowTtl: check(() => int('flowTtlSeconds', options.flowTtlSeconds, 600, 30, 3600)),
    codeTtl: check(() => int('codeTtlSeconds', options.codeTtlSeconds, 120, 10, 600)),
    idpTimeoutMs: check(() => int('idpTimeoutMs', options.idpTimeoutMs, 10_000, 100, 60_000)),
    maxBodyBytes: check(() => int('maxBodyBytes', options.maxBodyBytes, 16_384, 1024, 1_048_576)),
    maxIdpTokenBytes: check(() =>
      int('maxIdpTokenBytes', options.maxIdpTokenBytes, 65_536, 4096, 4_194_304),
    ),
    maxIdpMetadataBytes: check(() =>
      int('maxIdpMetadataBytes', options.maxIdpMetadataBytes, 262_144, 4096, 4_194_304),
    ),
    maxStateBytes: check(() => int('maxStateBytes', options.maxStateBytes, 2048, 256, 8192)),
    maxParamBytes: check(() => int('maxParamBytes', options.maxParamBytes, 1024, 64, 8192)),
    maxQueryBytes: check(() => int('maxQueryBytes', options.maxQueryBytes, 8192, 1024, 16_384)),
    verifyIdToken,
    jwksMaxAge: check(() => int('jwksMaxAgeSeconds', options.jwksMaxAgeSeconds, 300, 0, 86_400)),
    paths,
    allowInsecureHttp,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    signatureCheck: check(() =>
      fn('signatureCheck', options.signatureCheck, webCryptoSignatureCheck),
    ),
    logger: options.logger,
    metrics: resolveMetrics(options.metrics),
    now: options.now ?? (() => Date.now()),
  }
  if (problems.length > 0) throw invalidOptions(problems)
  return resolved
}

function resolveBaseUrl(value: unknown, allowInsecureHttp: boolean): URL {
  const baseUrl = url('baseUrl', value, allowInsecureHttp)
  if (baseUrl.search || baseUrl.hash)
    throw invalidOption('baseUrl', 'must have no query or fragment')
  return baseUrl
}

function resolveRoutes(value: unknown): ReadonlySet<RouteName> {
  if (value === undefined) return new Set(ROUTE_NAMES)
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidOption('routes', `list one or more of ${ROUTE_NAMES.join(', ')}`)
  }
  for (const route of value) {
    if (!(ROUTE_NAMES as readonly unknown[]).includes(route)) {
      throw invalidOption('routes', `"${String(route)}" is not one of ${ROUTE_NAMES.join(', ')}`)
    }
  }
  return new Set(value as RouteName[])
}

function resolveKeys(value: unknown, needed: boolean): KeySource {
  if (value === undefined && !needed) return absentKeys
  if (!value || typeof (value as KeySource).signer !== 'function') {
    throw invalidOption('keys', 'a KeySource ({ signer(), publicJwks() }) is required')
  }
  return value as KeySource
}

/**
 * With PKCE off Cognito sends the browser to the IdP itself: the proxy never sees the
 * authorization request, so options that shape it would be silently ignored. Refuse them.
 */
function refuseWithoutPkce(options: ProxyOptions): void {
  const problems: ConfigProblem[] = []
  const why =
    'cannot apply with pkce: false (Cognito then sends the authorization request to the IdP without the proxy)'
  if (options.authorizationParams && Object.keys(options.authorizationParams).length > 0) {
    problems.push({ name: 'authorizationParams', message: why })
  }
  if (options.addNonce === true) problems.push({ name: 'addNonce', message: why })
  if (problems.length > 0) throw invalidOptions(problems)
}

// Stands in where no served route needs keys: never reached, since the routes that would use
// it answer 404 (proxy.ts) and ready() does not sign.
const absentKeys: KeySource = {
  async signer() {
    throw new ProxyError('ERR_INTERNAL', 'this proxy serves no route that signs')
  },
  async publicJwks() {
    throw new ProxyError('ERR_INTERNAL', 'this proxy serves no JWKS route')
  },
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
  try {
    return parseUrl(text, allowHttp)
  } catch (error) {
    if (error instanceof SettingProblem) throw invalidOption(option, error.message)
    throw error
  }
}

function fn<T extends (...args: never[]) => unknown>(
  option: string,
  value: unknown,
  fallback: T,
): T {
  if (value === undefined) return fallback
  if (typeof value !== 'function') throw invalidOption(option, 'must be a function')
  return value as T
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

function resolveSecret(
  value: ProxyOptions['clientSecret'] | undefined,
  needed: boolean,
): () => Promise<string> {
  if (typeof value === 'function') return value
  if (value === undefined && !needed) return absentSecret
  const secret = nonEmpty('clientSecret', value)
  if (secret.length < MIN_CLIENT_SECRET_LENGTH) {
    throw invalidOption('clientSecret', `must be at least ${MIN_CLIENT_SECRET_LENGTH} characters`)
  }
  return async () => secret
}

async function absentSecret(): Promise<string> {
  throw new ProxyError('ERR_INTERNAL', 'this proxy serves no route that checks a client secret')
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
    ...(value.jwksUri === undefined
      ? {}
      : { jwksUri: url('idp.jwksUri', value.jwksUri, allowHttp) }),
    ...(value.parEndpoint === undefined
      ? {}
      : { parEndpoint: url('idp.parEndpoint', value.parEndpoint, allowHttp) }),
    ...(value.userinfoEndpoint === undefined
      ? {}
      : { userinfoEndpoint: url('idp.userinfoEndpoint', value.userinfoEndpoint, allowHttp) }),
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

function profileOf(options: ProxyOptions): IdpProfile | undefined {
  return isIdpProfileName(options.profile) ? IDP_PROFILES[options.profile] : undefined
}

type FapiOptions = Pick<
  ResolvedOptions,
  | 'addNonce'
  | 'assertionLifetime'
  | 'assertionAlgorithms'
  | 'profile'
  | 'requireX5tS256'
  | 'par'
  | 'dpop'
  | 'dpopProofLifetime'
  | 'requireEncryptedIdToken'
  | 'contentEncryption'
  | 'userinfo'
  | 'accessTokenTtl'
> & { audienceOption: string | undefined }

const PAR_MODES = ['auto', 'always', 'never'] as const

/**
 * What the FAPI options of `options` resolve to, the profile's defaults and limits applied: a
 * deployment decides routes and IAM from it (PAR signs at /authorize; /userinfo is served).
 * Throws ERR_INVALID_OPTION with every problem, as createProxy would.
 */
export function resolveFapiOptions(
  options: Pick<
    ProxyOptions,
    | 'profile'
    | 'pkce'
    | 'par'
    | 'dpop'
    | 'requireEncryptedIdToken'
    | 'userinfo'
    | 'assertion'
    | 'addNonce'
    | 'authorizationParams'
    | 'dpopProofLifetimeSeconds'
    | 'contentEncryptionAlgorithms'
    | 'accessTokenTtlSeconds'
  >,
): Pick<FapiOptions, 'par' | 'dpop' | 'requireEncryptedIdToken' | 'userinfo' | 'profile'> {
  const { par, dpop, requireEncryptedIdToken, userinfo, profile } = resolveFapi(
    options as ProxyOptions,
    options.pkce ?? true,
  )
  return { par, dpop, requireEncryptedIdToken, userinfo, profile }
}

/**
 * The options an IdP profile shapes, resolved: explicit ones win over the profile's defaults
 * (and are listed as overrides), within the profile's limits; then the FAPI switches' rules.
 */
function resolveFapi(options: ProxyOptions, pkce: boolean): FapiOptions {
  if (options.profile !== undefined && !isIdpProfileName(options.profile)) {
    throw invalidOption('profile', `must be one of ${IDP_PROFILE_NAMES.join(', ')}`)
  }
  const name = options.profile
  const profile = profileOf(options)
  const defaults: ProfileDefaults = profile?.defaults ?? {}
  const limits: ProfileLimits = profile?.limits ?? {}
  const overrides: string[] = []
  const problems: ConfigProblem[] = []
  const fromProfile = `the ${profile?.title ?? ''} profile`
  // The explicit value, else the profile's; an explicit value that differs is an override.
  const pick = <T>(option: string, explicit: T | undefined, fallback: T | undefined) => {
    if (explicit !== undefined && fallback !== undefined) {
      if (JSON.stringify(explicit) !== JSON.stringify(fallback)) overrides.push(option)
    }
    return explicit ?? fallback
  }
  const attempt = <T>(resolve: () => T, fallback: T): T => {
    try {
      return resolve()
    } catch (error) {
      if (!isProxyError(error) || error.code !== 'ERR_INVALID_OPTION') throw error
      problems.push(...error.problems)
      return fallback
    }
  }
  const required = (option: 'dpop' | 'requireEncryptedIdToken' | 'addNonce', value: boolean) => {
    if (!value && limits.required?.includes(option)) {
      problems.push({ name: option, message: `${fromProfile} requires it on` })
    }
    return value
  }

  const audienceOption = pick(
    'assertion.audience',
    options.assertion?.audience,
    defaults.assertionAudience,
  )
  const maxLifetime = limits.maxAssertionLifetimeSeconds ?? 600
  const lifetime = pick(
    'assertion.lifetimeSeconds',
    options.assertion?.lifetimeSeconds,
    defaults.assertionLifetimeSeconds,
  )
  const assertionLifetime = attempt(() => {
    if (profile && typeof lifetime === 'number' && lifetime > maxLifetime && lifetime <= 600) {
      throw invalidOption(
        'assertion.lifetimeSeconds',
        `${fromProfile} allows at most ${maxLifetime} seconds (the IdP refuses longer assertions)`,
      )
    }
    return int('assertion.lifetimeSeconds', lifetime, 60, 1, Math.min(600, maxLifetime))
  }, 60)
  const assertionAlgorithms = attempt(
    () => resolveAlgorithms(options.assertion?.algorithms, limits, fromProfile),
    undefined,
  )
  const par = attempt(() => {
    const value = pick('par', options.par, defaults.par) ?? 'auto'
    if (!(PAR_MODES as readonly unknown[]).includes(value)) {
      throw invalidOption('par', `must be one of ${PAR_MODES.join(', ')}`)
    }
    if (value === 'never' && limits.requirePar) {
      throw invalidOption('par', `${fromProfile} requires pushed authorization requests`)
    }
    return value
  }, 'auto' as const)
  const dpop = required(
    'dpop',
    attempt(() => bool('dpop', pick('dpop', options.dpop, defaults.dpop), false), false),
  )
  const dpopProofLifetime = attempt(() => {
    const value = pick(
      'dpopProofLifetimeSeconds',
      options.dpopProofLifetimeSeconds,
      defaults.dpopProofLifetimeSeconds,
    )
    return value === undefined ? undefined : int('dpopProofLifetimeSeconds', value, 0, 1, 300)
  }, undefined)
  const requireEncryptedIdToken = required(
    'requireEncryptedIdToken',
    attempt(
      () =>
        bool(
          'requireEncryptedIdToken',
          pick(
            'requireEncryptedIdToken',
            options.requireEncryptedIdToken,
            defaults.requireEncryptedIdToken,
          ),
          false,
        ),
      false,
    ),
  )
  const addNonce = required(
    'addNonce',
    attempt(
      () => bool('addNonce', pick('addNonce', options.addNonce, defaults.addNonce), true),
      true,
    ),
  )
  const contentEncryption = attempt(
    () => resolveContentEncryption(options.contentEncryptionAlgorithms),
    CONTENT_ENCRYPTION_ALGORITHMS,
  )
  const fapiOn = dpop || requireEncryptedIdToken || par === 'always'
  const userinfo = attempt(
    () => bool('userinfo', pick('userinfo', options.userinfo, defaults.userinfo), fapiOn),
    fapiOn,
  )
  if (dpop && !userinfo) {
    problems.push({
      name: 'userinfo',
      message:
        'cannot be off with dpop on: Cognito gets a handle, not the DPoP-bound token, and must call the proxy for userinfo',
    })
  }
  if (!pkce) {
    const why = 'needs pkce: true (the proxy must be on the authorization path)'
    if (dpop) problems.push({ name: 'dpop', message: why })
    if (par === 'always') problems.push({ name: 'par', message: why })
    if (defaults.authorizationParams) problems.push({ name: 'profile', message: why })
  }
  for (const param of Object.keys(defaults.authorizationParams ?? {})) {
    const explicit = options.authorizationParams?.[param]
    if (explicit !== undefined && explicit !== defaults.authorizationParams?.[param]) {
      overrides.push(`authorizationParams.${param}`)
    }
  }
  const accessTokenTtl = attempt(
    () => int('accessTokenTtlSeconds', options.accessTokenTtlSeconds, 300, 30, 3600),
    300,
  )
  if (problems.length > 0) throw invalidOptions(problems)
  return {
    audienceOption,
    addNonce,
    assertionLifetime,
    assertionAlgorithms,
    profile: name === undefined ? undefined : { name, overrides },
    requireX5tS256: limits.requireX5tS256 ?? false,
    par,
    dpop,
    dpopProofLifetime,
    requireEncryptedIdToken,
    contentEncryption,
    userinfo,
    accessTokenTtl,
  }
}

function resolveAlgorithms(
  value: unknown,
  limits: ProfileLimits,
  fromProfile: string,
): readonly string[] | undefined {
  if (value === undefined) return limits.assertionAlgorithms
  if (!Array.isArray(value) || value.length === 0 || value.some((a) => typeof a !== 'string')) {
    throw invalidOption('assertion.algorithms', 'must list one or more JWS algorithms')
  }
  const allowed = limits.assertionAlgorithms
  const outside = allowed ? value.filter((alg) => !allowed.includes(alg)) : []
  if (outside.length > 0) {
    throw invalidOption(
      'assertion.algorithms',
      `${fromProfile} accepts only ${allowed?.join(', ')}, not ${outside.join(', ')}`,
    )
  }
  return value as string[]
}

function resolveContentEncryption(value: unknown): readonly ContentEncryptionAlgorithm[] {
  if (value === undefined) return CONTENT_ENCRYPTION_ALGORITHMS
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.some((enc) => !(CONTENT_ENCRYPTION_ALGORITHMS as readonly unknown[]).includes(enc))
  ) {
    throw invalidOption(
      'contentEncryptionAlgorithms',
      `list one or more of ${CONTENT_ENCRYPTION_ALGORITHMS.join(', ')}`,
    )
  }
  return value as ContentEncryptionAlgorithm[]
}
