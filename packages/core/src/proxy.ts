/**
 * createProxy: the whole proxy as one `(request: Request) => Promise<Response>` function.
 * Adapters (Lambda, Express) only convert their request and response types to and from these.
 */
import { randomToken } from './encoding.js'
import { isProxyError, ProxyError } from './errors.js'
import { idTokenVerifier } from './id-token.js'
import { type IdpMetadata, idpMetadataSource } from './idp-metadata.js'
import type { LogFields, Logger } from './logger.js'
import { jsonLogger } from './logger.js'
import { recordRequest } from './metrics.js'
import { instrument } from './metrics-instrument.js'
import {
  type ProxyOptions,
  type ResolvedOptions,
  ROUTE_REQUIREMENTS,
  type RouteName,
  resolveOptions,
} from './options.js'
import { errorPage, json, oauthError } from './responses.js'
import { authorize } from './routes/authorize.js'
import { callback } from './routes/callback.js'
import { token } from './routes/token.js'

export type { RouteName }

export interface Proxy {
  /** Serves one request. Never throws: every failure becomes an error response. */
  handle(request: Request): Promise<Response>
  /**
   * Resolves the IdP's endpoints (discovery) and imports the signing key, so a misconfigured
   * proxy fails at start-up rather than at the first sign-in. Servers await it before listening.
   */
  ready(): Promise<IdpMetadata>
  /** The configured public base URL, without a trailing slash (adapters mount under its path). */
  readonly baseUrl: string
  /** The URL to register at the IdP as the redirect URI (PKCE mode). */
  readonly callbackUrl: string
  /** The absolute URL of each route. */
  readonly urls: Readonly<Record<RouteName, string>>
}

// Browser-facing routes answer errors with a page; the others with OAuth JSON.
const BROWSER_ROUTES: ReadonlySet<RouteName> = new Set(['authorize', 'callback'])
// HEAD is answered only where it has no side effect (/authorize saves a flow).
const HEAD_ROUTES: ReadonlySet<RouteName> = new Set(['jwks', 'health'])
// Failures at the IdP's side that are refusals, not outages: logged at warn with their reason.
const REFUSALS: ReadonlySet<string> = new Set(['ERR_IDP_REFUSED', 'ERR_ID_TOKEN_INVALID'])
const METHODS: Record<RouteName, string> = {
  authorize: 'GET',
  callback: 'GET',
  token: 'POST',
  jwks: 'GET',
  health: 'GET',
}

/** Validates `options` (throwing ProxyError ERR_INVALID_OPTION) and returns the proxy. */
export function createProxy(options: ProxyOptions): Proxy {
  const resolved = resolveOptions(options)
  const logger: Logger = resolved.logger ?? jsonLogger()
  // With a metrics sink, the injected fetch is timed and the IdP's endpoints are watched.
  const { config, metrics, watch } = instrument(resolved, logger)
  const metadata = watch(idpMetadataSource(config))
  const verifyIdToken = idTokenVerifier(config)
  const base = `${config.baseUrl.origin}${config.baseUrl.pathname.replace(/\/+$/, '')}`
  const urls = Object.fromEntries(
    Object.entries(config.paths).map(([name, path]) => [name, base + path]),
  ) as Record<RouteName, string>

  async function dispatch(route: RouteName, request: Request): Promise<Response> {
    switch (route) {
      case 'authorize':
        return authorize(request, config, storeOf(config), metadata)
      case 'callback':
        return callback(request, config, storeOf(config), metadata)
      case 'token':
        return token(request, config, metadata, verifyIdToken)
      case 'jwks':
        return jwks(config)
      case 'health':
        return json({ status: 'ok' })
    }
  }

  async function handle(request: Request): Promise<Response> {
    const started = config.now()
    const requestId = requestIdOf(request)
    const route = routeOf(request, config)
    const fields: LogFields = { requestId, method: request.method, route: route ?? 'unknown' }
    let response: Response
    let failure: ProxyError | undefined
    try {
      if (!route) throw new ProxyError('ERR_NOT_FOUND', 'no such route')
      const head = request.method === 'HEAD' && HEAD_ROUTES.has(route)
      if (request.method !== METHODS[route] && !head) {
        throw new ProxyError('ERR_METHOD_NOT_ALLOWED', `${route} accepts ${METHODS[route]} only`, {
          error: 'invalid_request',
        })
      }
      response = await dispatch(route, request)
    } catch (thrown) {
      const error = asProxyError(thrown)
      failure = error
      fields.code = error.code
      if (error.status >= 500) {
        logger.log('error', 'request_failed', {
          ...fields,
          message: error.message,
          cause: causeOf(error),
        })
      } else if (REFUSALS.has(error.code)) {
        // The IdP said no, or its answer failed a check: worth a line, not an outage.
        logger.log('warn', 'idp_refused', { ...fields, message: error.message })
      }
      response =
        route && BROWSER_ROUTES.has(route) ? errorPage(error, requestId) : oauthError(error)
    }
    response.headers.set('x-request-id', requestId)
    if (metrics) await recordRequest(metrics, route ?? 'unknown', response, failure)
    const level = response.status >= 500 ? 'warn' : 'info'
    logger.log(level, 'request', { ...fields, status: response.status, ms: config.now() - started })
    return response
  }

  return {
    handle,
    async ready() {
      // A proxy without a signing route (a Lambda browser function) has no key to import, and
      // only the token route verifies id_tokens.
      const signs = [...config.routes].some((route) => ROUTE_REQUIREMENTS[route].includes('keys'))
      const verifies = config.verifyIdToken && config.routes.has('token')
      const idp = await metadata(verifies ? 'jwks' : undefined)
      if (verifies && !idp.jwksUri) {
        throw new ProxyError(
          'ERR_IDP_UNAVAILABLE',
          `discovery of ${config.idp.issuerId}: the document has no jwks_uri to verify id_tokens with (configure idp.jwksUri, or set verifyIdToken: false)`,
        )
      }
      if (signs) await config.keys.signer()
      return idp
    },
    baseUrl: base,
    callbackUrl: config.callbackUrl,
    urls,
  }
}

function storeOf(config: ResolvedOptions) {
  // resolveOptions guarantees a store in PKCE mode; routeOf hides these routes otherwise.
  if (!config.store) throw new ProxyError('ERR_NOT_FOUND', 'no such route')
  return config.store
}

/** The route a request is for, or undefined. The base URL's path (an API stage) is optional. */
export function routeOf(request: Request, config: ResolvedOptions): RouteName | undefined {
  let path = new URL(request.url).pathname
  const prefix = config.baseUrl.pathname.replace(/\/+$/, '')
  if (prefix && (path === prefix || path.startsWith(`${prefix}/`))) path = path.slice(prefix.length)
  if (path.length > 1) path = path.replace(/\/+$/, '')
  for (const [name, routePath] of Object.entries(config.paths) as [RouteName, string][]) {
    if (routePath !== path) continue
    if (!config.routes.has(name)) return undefined
    if (!config.pkce && BROWSER_ROUTES.has(name)) return undefined
    return name
  }
  return undefined
}

async function jwks(config: ResolvedOptions): Promise<Response> {
  let body: unknown
  try {
    body = await config.keys.publicJwks()
  } catch (cause) {
    throw new ProxyError('ERR_KEYS_UNAVAILABLE', 'the signing keys are unavailable', { cause })
  }
  return new Response(JSON.stringify(body), {
    headers: {
      // Not application/jwk-set+json: Glewlwyd (and every IdP on its JWT library) accepts only a
      // type containing application/json, as the large IdPs' own JWKS endpoints serve.
      'content-type': 'application/json',
      'cache-control': `public, max-age=${config.jwksMaxAge}`,
    },
  })
}

function requestIdOf(request: Request): string {
  const given = request.headers.get('x-request-id')
  return given && /^[\w.-]{1,128}$/.test(given) ? given : randomToken(12)
}

function asProxyError(thrown: unknown): ProxyError {
  if (isProxyError(thrown)) return thrown
  return new ProxyError('ERR_INTERNAL', 'internal error', { cause: thrown })
}

/** The cause's class and message for the log (not its stack, and never request data). */
function causeOf(error: ProxyError): string | undefined {
  const cause = error.cause as { name?: string; message?: string; code?: string } | undefined
  if (!cause) return undefined
  return [cause.name, cause.code, cause.message].filter(Boolean).join(': ').slice(0, 300)
}
