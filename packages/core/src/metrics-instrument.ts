/**
 * Metrics wiring for `createProxy`: the injected fetch timed once, each IdP request labelled
 * by endpoint (matched by URL against the IdP's metadata), the sink guarded. Kept apart from
 * proxy.ts so the proxy only asks `instrument` and `recordRequest`.
 */
import type { IdpMetadata, IdpMetadataSource } from './idp-metadata.js'
import type { Logger } from './logger.js'
import { guardedSink, type MetricsSink } from './metrics.js'
import type { ResolvedOptions } from './options.js'

/** The IdP endpoints latency is reported for; anything else the proxy fetches is `other`. */
export type IdpEndpoint = 'discovery' | 'token' | 'jwks' | 'par' | 'userinfo' | 'other'

/**
 * What `createProxy` needs for metrics, or nothing when no sink is configured (then the options
 * are returned as they are and no code below runs). With a sink: the sink guarded, the injected
 * fetch timed once (so every route's IdP calls are measured alike), and `watch`, which records
 * the IdP's metadata as it is resolved so each IdP request is labelled by endpoint.
 */
export function instrument(
  resolved: ResolvedOptions,
  logger: Logger,
): {
  config: ResolvedOptions
  metrics: MetricsSink | undefined
  watch: (source: IdpMetadataSource) => IdpMetadataSource
} {
  if (!resolved.metrics) return { config: resolved, metrics: undefined, watch: (source) => source }
  const metrics = guardedSink(resolved.metrics, (cause) =>
    logger.log('error', 'metrics_failed', { cause: (cause as Error)?.name }),
  )
  let known: IdpMetadata | undefined
  const idp: IdpEndpoints = { issuer: resolved.idp.issuer, endpoints: () => endpointsOf(known) }
  const fetch = timedFetch(resolved.fetch, metrics, resolved.now, (url) => idpEndpointOf(url, idp))
  return {
    config: { ...resolved, fetch },
    metrics,
    watch: (source) => async () => {
      known = await source()
      return known
    },
  }
}

/** The IdP's endpoints as far as known yet (the options' and discovery's, merged). */
function* endpointsOf(
  known: IdpMetadata | undefined,
): Iterable<readonly [IdpEndpoint, string | undefined]> {
  if (!known) return
  const { server } = known
  yield ['token', known.tokenEndpoint]
  yield ['jwks', server.jwks_uri]
  yield ['par', server.pushed_authorization_request_endpoint]
  yield ['userinfo', server.userinfo_endpoint]
}

/** Where a request to the IdP goes, from its URL and what the proxy knows of the IdP. */
export interface IdpEndpoints {
  /** The issuer as configured: its discovery document lives below it. */
  issuer: URL
  /** Known endpoint URLs (from options and discovery); later entries do not override earlier. */
  endpoints: () => Iterable<readonly [IdpEndpoint, string | undefined]>
}

export function idpEndpointOf(url: string, idp: IdpEndpoints): IdpEndpoint {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return 'other'
  }
  const bare = `${target.origin}${target.pathname}`
  for (const [name, endpoint] of idp.endpoints()) {
    if (endpoint && bare === stripQuery(endpoint)) return name
  }
  if (
    target.origin === idp.issuer.origin &&
    /\/\.well-known\/(openid-configuration|oauth-authorization-server)(\/|$)/.test(target.pathname)
  ) {
    return 'discovery'
  }
  return 'other'
}

function stripQuery(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return url
  }
}

/**
 * `fetch` that reports how long each IdP request took until its response headers arrived,
 * labelled by endpoint and by outcome (`2xx`…`5xx`, or `error` for a network failure or a
 * timeout). Wraps the injected fetch once, so every route's IdP calls are measured alike.
 */
export function timedFetch(
  fetchImpl: typeof fetch,
  sink: MetricsSink,
  now: () => number,
  endpointOf: (url: string) => IdpEndpoint,
): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const endpoint = endpointOf(url)
    const started = now()
    let outcome = 'error'
    try {
      const response = await fetchImpl(input, init)
      outcome = `${Math.floor(response.status / 100)}xx`
      return response
    } finally {
      sink.observe('idp_request_duration', now() - started, { endpoint, outcome })
    }
  }
}
