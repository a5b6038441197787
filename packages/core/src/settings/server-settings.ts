/**
 * The standalone server's timeouts and connection limits, and the metrics settings of the server
 * (Prometheus at `/metrics`) and of Lambda (CloudWatch EMF lines). Part of the settings table
 * (table.ts). SERVER_LIMITS is the one table of the limits' defaults and ranges: the express
 * adapter's `resolveServerLimits` checks `startServer({ limits })` against it, and the
 * variables below parse with it.
 */
import {
  boolean,
  minLength,
  oneOf,
  type Parser,
  port,
  stringMap,
  text,
  wholeNumber,
} from './parsers.js'
import { LAMBDA, type Setting, setting } from './setting.js'

/** A limit's default and accepted range. */
export interface LimitRange {
  readonly default: number
  readonly min: number
  readonly max: number
}

/** Each server limit's default and range (docs/operations.md explains the choices). */
export const SERVER_LIMITS = {
  headersTimeoutMs: { default: 10_000, min: 100, max: 120_000 },
  requestTimeoutMs: { default: 30_000, min: 100, max: 600_000 },
  bodyTimeoutMs: { default: 10_000, min: 100, max: 600_000 },
  keepAliveTimeoutMs: { default: 5_000, min: 100, max: 600_000 },
  maxRequestsPerSocket: { default: 1_000, min: 0, max: 1_000_000 },
  maxHeadersCount: { default: 100, min: 10, max: 2_000 },
  maxHeaderBytes: { default: 16_384, min: 1_024, max: 65_536 },
  maxConnections: { default: 1_000, min: 1, max: 1_000_000 },
} as const satisfies Record<string, LimitRange>

export type ServerLimitName = keyof typeof SERVER_LIMITS

/** Port of the server's separate metrics listener (the OpenTelemetry Prometheus exporter's). */
export const DEFAULT_METRICS_PORT = 9464

/** Shortest bearer token for /metrics: a token to guess, not a password to remember. */
export const MIN_METRICS_TOKEN_LENGTH = 16

/** The CloudWatch namespace of the EMF metrics when none is set. */
export const DEFAULT_EMF_NAMESPACE = 'IdpProxy'

/** `off`, `prometheus` (the standalone server's /metrics) or `emf` (Lambda's CloudWatch lines). */
export const METRICS_KINDS = ['off', 'prometheus', 'emf'] as const
export type MetricsKind = (typeof METRICS_KINDS)[number]

function limit(name: ServerLimitName, doc: string): Setting<number> {
  const { default: fallback, min, max } = SERVER_LIMITS[name]
  return setting({
    doc: `${doc}, ${min} to ${max}`,
    parse: wholeNumber(min, max),
    runtimes: ['server'],
    default: String(fallback),
    options: [`limits.${name}`],
  })
}

const metricsKind: Parser<MetricsKind> = oneOf(METRICS_KINDS)

export const SERVER_SETTINGS = {
  HEADERS_TIMEOUT_MS: limit(
    'headersTimeoutMs',
    "Longest wait for a request's headers, from its first byte, in ms (Node answers 408)",
  ),
  REQUEST_TIMEOUT_MS: limit(
    'requestTimeoutMs',
    'Longest wait for a whole request, headers and body, in ms (Node answers 408)',
  ),
  BODY_TIMEOUT_MS: limit(
    'bodyTimeoutMs',
    'Longest wait for the rest of a body once a request reaches a proxy route, in ms (408 with an OAuth error); at most `REQUEST_TIMEOUT_MS`',
  ),
  KEEP_ALIVE_TIMEOUT_MS: limit(
    'keepAliveTimeoutMs',
    'How long an idle keep-alive connection stays open after a response, in ms',
  ),
  MAX_REQUESTS_PER_SOCKET: limit(
    'maxRequestsPerSocket',
    'Requests served on one connection before it is closed (0: no limit)',
  ),
  MAX_HEADERS_COUNT: limit('maxHeadersCount', 'Headers parsed per request; the rest are ignored'),
  MAX_HEADER_BYTES: limit(
    'maxHeaderBytes',
    'Largest request line plus headers, in bytes (larger: 431)',
  ),
  MAX_CONNECTIONS: limit(
    'maxConnections',
    'Open connections at most; one past it is closed at once',
  ),
  METRICS: setting({
    doc: 'Sign-in counts, failures and IdP latency: `off`, `prometheus` (the standalone server serves `/metrics`) or `emf` (Lambda writes CloudWatch Embedded Metric Format lines)',
    parse: metricsKind,
    runtimes: ['server', ...LAMBDA],
    default: 'off',
    options: ['metrics'],
    pulumiKey: 'metrics',
  }),
  METRICS_PORT: setting({
    doc: 'With `METRICS=prometheus`: port of the metrics listener (0 picks a free one)',
    parse: port,
    runtimes: ['server'],
    default: String(DEFAULT_METRICS_PORT),
    options: ['metrics.port'],
  }),
  METRICS_HOST: setting({
    doc: 'With `METRICS=prometheus`: address of the metrics listener (default: `HOST`)',
    parse: text,
    runtimes: ['server'],
    options: ['metrics.host'],
  }),
  METRICS_ON_PROXY_PORT: setting({
    doc: "With `METRICS=prometheus`: serve `/metrics` on the proxy's port instead (then `METRICS_BEARER_TOKEN` is required)",
    parse: boolean,
    runtimes: ['server'],
    default: 'false',
    options: ['metrics.onProxyPort'],
  }),
  METRICS_BEARER_TOKEN: setting({
    doc: `With \`METRICS=prometheus\`: a scrape must send \`Authorization: Bearer <token>\`, at least ${MIN_METRICS_TOKEN_LENGTH} characters`,
    parse: minLength(MIN_METRICS_TOKEN_LENGTH),
    runtimes: ['server'],
    options: ['metrics.bearerToken'],
    secret: true,
  }),
  METRICS_PROCESS: setting({
    doc: 'With `METRICS=prometheus`: also export the process metrics (CPU, memory, event loop lag, GC)',
    parse: boolean,
    runtimes: ['server'],
    default: 'true',
    options: ['metrics.processMetrics'],
  }),
  METRICS_NAMESPACE: setting({
    doc: `With \`METRICS=emf\`: the CloudWatch namespace (default \`${DEFAULT_EMF_NAMESPACE}\`)`,
    parse: text,
    runtimes: LAMBDA,
    options: ['metrics.namespace'],
    pulumiKey: 'metricsNamespace',
  }),
  METRICS_DIMENSIONS: setting({
    doc: 'With `METRICS=emf`: dimensions added to every metric, as JSON or `Service=idp-proxy&Stage=prod` (at most 5)',
    parse: stringMap,
    runtimes: LAMBDA,
    options: ['metrics.dimensions'],
  }),
} as const
