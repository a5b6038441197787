/**
 * createProxy: the whole proxy as one `(request: Request) => Promise<Response>` function.
 * Adapters (Lambda, Express) only convert their request and response types to and from these.
 */
import { randomToken } from './encoding.js'
import { isProxyError, ProxyError } from './errors.js'
import { createDpopNonceCache } from './fapi/dpop.js'
import { toPublicEncryptionJwks } from './fapi/jwe.js'
import { idTokenVerifier } from './id-token.js'
import { assertionSigner, decryptersOf, type ProxyState } from './idp-client.js'
import { type IdpMetadata, idpMetadataSource } from './idp-metadata.js'
import type { Jwks, PublishedJwk } from './keys/key-source.js'
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
import { userinfo } from './routes/userinfo.js'

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
const METHODS: Record<RouteName, readonly string[]> = {
  authorize: ['GET'],
  callback: ['GET'],
  token: ['POST'],
  jwks: ['GET'],
  health: ['GET'],
  // RFC 6750 / OIDC Core 5.3.1: userinfo accepts both.
  userinfo: ['GET', 'POST'],
}

/** Validates `options` (throwing ProxyError ERR_INVALID_OPTION) and returns the proxy. */
export function createProxy(options: ProxyOptions): Proxy {
  const resolved = resolveOptions(options)
  const logger: Logger = resolved.logger ?? jsonLogger()
  // With a metrics sink, the injected fetch is timed and the IdP's endpoints are watched.
  const { config, metrics, watch } = instrument(resolved, logger)
  const metadata = watch(idpMetadataSource(config))
  const verifyIdToken = idTokenVerifier(config)
  // One DPoP nonce cache per proxy: nonces are the IdP's, shared by every sign-in.
  let atHashNoted = false
  const state: ProxyState = {
    nonces: createDpopNonceCache(),
    noteAtHash() {
      if (atHashNoted) return
      atHashNoted = true
      // docs/fapi.md, "Access token given to Cognito": whether Cognito checks at_hash against
      // the handle is not confirmed; say so once, never with the token.
      logger.log('warn', 'id_token_at_hash', {
        message:
          'the ID token carries at_hash and Cognito gets an access-token handle: see docs/fapi.md',
      })
    },
  }
  logStartup(config, logger)
  const base = `${config.baseUrl.origin}${config.baseUrl.pathname.replace(/\/+$/, '')}`
  const urls = Object.fromEntries(
    Object.entries(config.paths).map(([name, path]) => [name, base + path]),
  ) as Record<RouteName, string>

  const routeFor = router(config)

  async function dispatch(route: RouteName, request: Request, url: URL): Promise<Response> {
    switch (route) {
      case 'authorize':
        return authorize(url, config, storeOf(config), metadata, state, logger)
      case 'callback':
        return callback(request, config, storeOf(config), metadata)
      case 'token':
        return token(request, config, metadata, verifyIdToken, state)
      case 'jwks':
        return jwks(config)
      case 'health':
        return json({ status: 'ok' })
      case 'userinfo':
        return userinfo(request, config, storeOf(config), metadata, state, verifyIdToken)
    }
  }

  async function handle(request: Request): Promise<Response> {
    const started = config.now()
    const requestId = requestIdOf(request)
    // Parsed once here and shared with the route (each parse of a Cognito-sized URL is ~1 µs).
    const url = new URL(request.url)
    const route = routeFor(url.pathname)
    const fields: LogFields = { requestId, method: request.method, route: route ?? 'unknown' }
    let response: Response
    let failure: ProxyError | undefined
    try {
      if (!route) throw new ProxyError('ERR_NOT_FOUND', 'no such route')
      const head = request.method === 'HEAD' && HEAD_ROUTES.has(route)
      if (!METHODS[route].includes(request.method) && !head) {
        throw new ProxyError(
          'ERR_METHOD_NOT_ALLOWED',
          `${route} accepts ${METHODS[route].join(' and ')} only`,
          { error: 'invalid_request' },
        )
      }
      response = await dispatch(route, request, url)
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
    // The request's own fields object, completed: no copy for the one line every request writes.
    fields.status = response.status
    fields.ms = config.now() - started
    logger.log(level, 'request', fields)
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
      // The IdP's keys too, beside the signing key: the first /token then verifies at once (on
      // Lambda this is the init phase). Best effort: an IdP whose JWKS is down now is asked
      // again by the first /token, which reports the failure.
      const jwksFetched =
        verifies && idp.jwksUri
          ? verifyIdToken.keys?.(idp.jwksUri).then(
              () => undefined,
              () => undefined,
            )
          : undefined
      // A key the IdP (its profile) would refuse fails here, not at the first sign-in.
      if (signs) {
        // The key source's own refusal (a key that does not import) first, as it is.
        await config.keys.signer()
        await assertionSigner(config)
      }
      if (config.requireEncryptedIdToken && config.routes.has('token')) {
        if ((await decryptersOf(config)).length === 0) {
          throw new ProxyError(
            'ERR_INVALID_KEY',
            'requireEncryptedIdToken is on but the key source has no decryption key (a private JWK with "use": "enc")',
          )
        }
      }
      const pushes = config.par === 'always' || (config.par === 'auto' && idp.requirePar)
      // PAR signs at /authorize: a browser-only function needs the signing key then.
      if (pushes && config.routes.has('authorize') && !signs) await assertionSigner(config)
      if (config.par === 'always' && config.routes.has('authorize') && !idp.parEndpoint) {
        throw new ProxyError(
          'ERR_IDP_UNAVAILABLE',
          `par is "always" but ${config.idp.issuerId} has no pushed_authorization_request_endpoint (configure idp.parEndpoint)`,
        )
      }
      await jwksFetched
      return idp
    },
    baseUrl: base,
    callbackUrl: config.callbackUrl,
    urls,
  }
}

function storeOf(config: ResolvedOptions) {
  // resolveOptions guarantees a store in PKCE mode; the router hides these routes otherwise.
  if (!config.store) throw new ProxyError('ERR_NOT_FOUND', 'no such route')
  return config.store
}

/**
 * The route a request's path is for, or undefined: a lookup built once from the configuration.
 * The base URL's path (an API stage) is optional.
 */
export function router(config: ResolvedOptions): (pathname: string) => RouteName | undefined {
  const prefix = config.baseUrl.pathname.replace(/\/+$/, '')
  const served = new Map<string, RouteName>()
  for (const [name, routePath] of Object.entries(config.paths) as [RouteName, string][]) {
    if (!config.routes.has(name)) continue
    if (!config.pkce && BROWSER_ROUTES.has(name)) continue
    if (name === 'userinfo' && !config.userinfo) continue
    served.set(routePath, name)
  }
  return (pathname) => {
    let path = pathname
    if (prefix && (path === prefix || path.startsWith(`${prefix}/`)))
      path = path.slice(prefix.length)
    if (path.length > 1 && path.endsWith('/')) path = path.replace(/\/+$/, '')
    return served.get(path)
  }
}

async function jwks(config: ResolvedOptions): Promise<Response> {
  let published: Jwks<PublishedJwk>
  try {
    published = await config.keys.publicJwks()
  } catch (cause) {
    throw new ProxyError('ERR_KEYS_UNAVAILABLE', 'the signing keys are unavailable', { cause })
  }
  // Encryption keys next to the signing keys, `use: "enc"` (FAPI IdPs encrypt ID tokens to them).
  // The key sources of this repository list them in publicJwks() already; a KeySource that only
  // implements decrypters() gets them published here, each kid once.
  const listed = new Set(published.keys.map((key) => `${key.use ?? 'sig'}:${key.kid}`))
  const encryption = toPublicEncryptionJwks(await decryptersOf(config)).keys.filter(
    (key) => !listed.has(`enc:${key.kid}`),
  )
  const body = { ...published, keys: [...published.keys, ...encryption] }
  return new Response(JSON.stringify(body), {
    headers: {
      // Not application/jwk-set+json: Glewlwyd (and every IdP on its JWT library) accepts only a
      // type containing application/json, as the large IdPs' own JWKS endpoints serve.
      'content-type': 'application/json',
      'cache-control': `public, max-age=${config.jwksMaxAge}`,
    },
  })
}

/** One line at creation: the IdP profile in force and the options that override it. */
function logStartup(config: ResolvedOptions, logger: Logger): void {
  if (!config.profile) return
  logger.log('info', 'idp_profile', {
    profile: config.profile.name,
    overrides: config.profile.overrides.join(',') || 'none',
    par: config.par,
    dpop: config.dpop,
    userinfo: config.userinfo,
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
