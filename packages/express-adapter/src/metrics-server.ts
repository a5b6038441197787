/**
 * Where the standalone server serves `/metrics` (off unless asked for). By default on a port
 * of its own, as Keycloak's management interface and the OpenTelemetry Prometheus exporter do
 * (9464): the proxy's port faces the internet (Cognito calls /token) and a scrape port need
 * not. On the proxy's port instead, a bearer token is required.
 */
import { createServer } from 'node:http'
import { DEFAULT_METRICS_PORT, invalidOption, MIN_METRICS_TOKEN_LENGTH } from '@idp-proxy/core'
import { closeNow, listen } from './listen.js'
import { metricsHandler, type PrometheusMetrics, prometheusMetrics } from './prometheus-metrics.js'
import { applyServerLimits, httpServerOptions, type ServerLimits } from './server-limits.js'

export interface MetricsServerOptions {
  /** Port of the metrics listener. Default 9464. 0 picks a free port. */
  port?: number
  /** Address of the metrics listener. Default: the proxy's own address. */
  host?: string
  /**
   * Serve `/metrics` on the proxy's port instead of a port of its own (then `bearerToken` is
   * required). Default false.
   */
  onProxyPort?: boolean
  /** A scrape must send `Authorization: Bearer <token>`; at least 16 characters. */
  bearerToken?: string
  /** Also export the process metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean
}

export { DEFAULT_METRICS_PORT }

export interface ServedMetrics {
  metrics: PrometheusMetrics
  /** With `onProxyPort`: the handler to mount at `/metrics` on the proxy's app. */
  onProxyPort: ReturnType<typeof metricsHandler> | undefined
  /** Starts the separate listener (none with `onProxyPort`); resolves with its URL. */
  listen(): Promise<string | undefined>
  close(): Promise<void>
}

/** Checks the options (ERR_INVALID_OPTION naming `metrics.*`) and builds the registry. */
export function serveMetrics(
  options: MetricsServerOptions,
  proxyHost: string,
  limits: ServerLimits,
): ServedMetrics {
  const { bearerToken } = options
  if (
    bearerToken !== undefined &&
    (typeof bearerToken !== 'string' || bearerToken.length < MIN_METRICS_TOKEN_LENGTH)
  ) {
    throw invalidOption(
      'metrics.bearerToken',
      `must be at least ${MIN_METRICS_TOKEN_LENGTH} characters`,
    )
  }
  if (options.onProxyPort && bearerToken === undefined) {
    throw invalidOption('metrics.bearerToken', 'is required with metrics.onProxyPort')
  }
  const port = options.port ?? DEFAULT_METRICS_PORT
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw invalidOption('metrics.port', 'must be a port number (0-65535)')
  }
  const metrics = prometheusMetrics({
    ...(options.processMetrics === undefined ? {} : { processMetrics: options.processMetrics }),
  })
  const handler = metricsHandler(metrics.registry, bearerToken === undefined ? {} : { bearerToken })
  if (options.onProxyPort) {
    return { metrics, onProxyPort: handler, listen: async () => undefined, close: async () => {} }
  }
  // The proxy's own limits: a scraper is one more client that must not hold a socket.
  const server = createServer(httpServerOptions(limits), handler)
  applyServerLimits(server, limits)
  let listening = false
  return {
    metrics,
    onProxyPort: undefined,
    async listen() {
      const url = await listen(server, port, options.host ?? proxyHost)
      listening = true
      return url
    },
    close: () => (listening ? closeNow(server) : Promise.resolve()),
  }
}
