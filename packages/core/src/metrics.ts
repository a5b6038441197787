/**
 * What operators count: sign-ins started and completed, failures by route and code, and the
 * IdP's latency per endpoint. Core only calls a `MetricsSink` (injected like the logger; none by
 * default, and then nothing here runs); the adapters turn the calls into Prometheus series or
 * CloudWatch Embedded Metric Format lines. The table below is the one definition of every
 * metric, its labels and its meaning: both adapters build from it.
 */
import type { ProxyError } from './errors.js'

export type MetricLabels = Readonly<Record<string, string>>

/** Receives the proxy's measurements. Both methods must be cheap and must never throw. */
export interface MetricsSink {
  /** Adds one to the counter `name`. */
  count(name: CounterName, labels: MetricLabels): void
  /** Records one observation of the histogram `name`, in milliseconds. */
  observe(name: HistogramName, valueMs: number, labels: MetricLabels): void
}

export interface MetricDefinition {
  kind: 'counter' | 'histogram'
  /** Label names, in the order adapters declare them. */
  labels: readonly string[]
  help: string
}

/** Every metric the proxy reports. Names are snake_case without unit or `_total` suffix. */
export const METRICS = {
  signins_started: {
    kind: 'counter',
    labels: [],
    help: 'Sign-ins sent on to the IdP (/authorize answered with a redirect)',
  },
  signins_completed: {
    kind: 'counter',
    labels: [],
    help: "Sign-ins completed (/token answered 200 with the IdP's tokens)",
  },
  failures: {
    kind: 'counter',
    labels: ['route', 'code', 'error'],
    help: 'Requests that ended in an error, by route, error code (ERR_* or IDP_ERROR when the IdP refused) and OAuth error',
  },
  idp_request_duration: {
    kind: 'histogram',
    labels: ['endpoint', 'outcome'],
    help: "Time to the IdP's response headers, by endpoint and outcome (status class or error)",
  },
} as const satisfies Record<string, MetricDefinition>

export type MetricName = keyof typeof METRICS
export type CounterName = {
  [N in MetricName]: (typeof METRICS)[N]['kind'] extends 'counter' ? N : never
}[MetricName]
export type HistogramName = {
  [N in MetricName]: (typeof METRICS)[N]['kind'] extends 'histogram' ? N : never
}[MetricName]

/**
 * The route name as a label: a route the proxy serves, or `unknown` for any other path. Passed
 * in by proxy.ts, which owns the route table.
 */
export type RouteLabel = string

/** The `code` label of a failure the IdP decided (an error redirect, a refused token request). */
export const IDP_ERROR_CODE = 'IDP_ERROR'

/**
 * OAuth and OpenID error codes an IdP may send (RFC 6749 4.1.2.1 and 5.2, OIDC Core 3.1.2.6,
 * RFC 9126, RFC 9449). Anything else is reported as `other`: an error string from outside never
 * becomes a label value of its own, so a hostile IdP cannot grow the series without bound.
 */
const KNOWN_OAUTH_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'invalid_scope',
  'access_denied',
  'server_error',
  'temporarily_unavailable',
  'interaction_required',
  'login_required',
  'account_selection_required',
  'consent_required',
  'invalid_request_uri',
  'invalid_request_object',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
  'invalid_dpop_proof',
  'use_dpop_nonce',
])

export function oauthErrorLabel(value: unknown): string {
  return typeof value === 'string' && KNOWN_OAUTH_ERRORS.has(value) ? value : 'other'
}

/**
 * The one classification of a request's outcome: `started` (/authorize sent the browser to the
 * IdP), `completed` (/token answered 200), `failed` (with its code and OAuth error), or nothing
 * worth counting (a /callback that sent Cognito its code, /health, the JWKS).
 */
export type Outcome =
  | { kind: 'started' }
  | { kind: 'completed' }
  | { kind: 'failed'; code: string; error: string }
  | { kind: 'none' }

/**
 * Classifies what `handle` produced: the ProxyError it rendered, or the response a route
 * returned. Reads nothing but the status, the `Location` of a /callback redirect and, for a
 * refused /token, a copy of the small JSON body (the IdP's error).
 */
export async function classifyOutcome(
  route: RouteLabel,
  response: Response,
  error: ProxyError | undefined,
): Promise<Outcome> {
  if (error) return { kind: 'failed', code: error.code, error: error.error }
  if ((route === 'authorize' || route === 'callback') && response.status === 302) {
    // A redirect to Cognito with an error: a refused or failed PAR at /authorize, the IdP's
    // error passed on at /callback.
    const location = response.headers.get('location')
    const idpError = location ? new URL(location).searchParams.get('error') : null
    if (idpError !== null)
      return { kind: 'failed', code: IDP_ERROR_CODE, error: oauthErrorLabel(idpError) }
    return route === 'authorize' ? { kind: 'started' } : { kind: 'none' }
  }
  if (route === 'token') {
    if (response.status === 200) return { kind: 'completed' }
    // The IdP refused and its answer goes back to Cognito as it is.
    return { kind: 'failed', code: IDP_ERROR_CODE, error: await idpErrorOf(response) }
  }
  return { kind: 'none' }
}

async function idpErrorOf(response: Response): Promise<string> {
  try {
    const body = (await response.clone().json()) as { error?: unknown } | null
    return oauthErrorLabel(body?.error)
  } catch {
    return 'other'
  }
}

/**
 * The sink as the proxy calls it: a sink that throws (a bug in it) loses that measurement and
 * is reported once through `onError`, never failing the request it measures.
 */
export function guardedSink(sink: MetricsSink, onError: (cause: unknown) => void): MetricsSink {
  let reported = false
  const guard = (call: () => void) => {
    try {
      call()
    } catch (cause) {
      if (!reported) onError(cause)
      reported = true
    }
  }
  return {
    count: (name, labels) => guard(() => sink.count(name, labels)),
    observe: (name, valueMs, labels) => guard(() => sink.observe(name, valueMs, labels)),
  }
}

/** Classifies one request's outcome and counts it. */
export async function recordRequest(
  sink: MetricsSink,
  route: RouteLabel,
  response: Response,
  failure: ProxyError | undefined,
): Promise<void> {
  recordOutcome(sink, route, await classifyOutcome(route, response, failure))
}

/** Counts one request's outcome. */
export function recordOutcome(sink: MetricsSink, route: RouteLabel, outcome: Outcome): void {
  if (outcome.kind === 'started') sink.count('signins_started', {})
  else if (outcome.kind === 'completed') sink.count('signins_completed', {})
  else if (outcome.kind === 'failed') {
    sink.count('failures', { route, code: outcome.code, error: outcome.error })
  }
}

/**
 * Counts a failure an adapter answered itself, before the proxy saw the request (a malformed
 * Lambda event, a proxy that failed to start): route `unknown`, like a path no route serves.
 */
export function recordAdapterFailure(sink: MetricsSink, error: ProxyError): void {
  recordOutcome(sink, 'unknown', { kind: 'failed', code: error.code, error: error.error })
}
