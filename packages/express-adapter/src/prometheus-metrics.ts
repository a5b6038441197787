/**
 * The proxy's metrics in the Prometheus text format (prom-client), in a registry of their own
 * (never prom-client's global one, so an app that embeds the router keeps its own metrics
 * apart). Series come from core's METRICS table: counters get `_total`, the IdP latency becomes
 * a histogram in seconds, as Prometheus names them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  type CounterName,
  type HistogramName,
  invalidOption,
  METRICS,
  type MetricLabels,
  type MetricName,
  type MetricsSink,
  timingSafeEqual,
} from '@idp-proxy/core'
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'

export interface PrometheusMetricsOptions {
  /** Prefix of every proxy series. Default `idp_proxy_`. */
  prefix?: string
  /** Also export the process metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean
}

export interface PrometheusMetrics {
  /** Give this to `createProxy({ metrics })`. */
  sink: MetricsSink
  registry: Registry
  /** Counts a connection the server refused (past `maxConnections`). */
  connectionDropped(): void
}

// IdP latency buckets, in seconds: a healthy token endpoint answers in tens to hundreds of ms;
// the top buckets catch an IdP on its way to the proxy's timeout (10 s by default, 60 s at most).
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

export function prometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const prefix = options.prefix ?? 'idp_proxy_'
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)) {
    throw invalidOption('metrics.prefix', 'must be a Prometheus metric name prefix')
  }
  const registry = new Registry()
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry })

  const counters = new Map<MetricName, Counter>()
  const histograms = new Map<MetricName, Histogram>()
  for (const [name, metric] of Object.entries(METRICS) as [
    MetricName,
    (typeof METRICS)[MetricName],
  ][]) {
    const common = { help: metric.help, labelNames: [...metric.labels], registers: [registry] }
    if (metric.kind === 'counter') {
      counters.set(name, new Counter({ name: `${prefix}${name}_total`, ...common }))
    } else {
      histograms.set(
        name,
        new Histogram({ name: `${prefix}${name}_seconds`, buckets: LATENCY_BUCKETS, ...common }),
      )
    }
  }
  const dropped = new Counter({
    name: `${prefix}connections_dropped_total`,
    help: 'Connections closed at once because the server had maxConnections open',
    registers: [registry],
  })

  const sink: MetricsSink = {
    count(name: CounterName, labels: MetricLabels) {
      counters.get(name)?.inc(labels)
    },
    observe(name: HistogramName, valueMs: number, labels: MetricLabels) {
      histograms.get(name)?.observe(labels, valueMs / 1000)
    },
  }
  return { sink, registry, connectionDropped: () => dropped.inc() }
}

export interface MetricsHandlerOptions {
  /** When set, a scrape must send `Authorization: Bearer <token>`. */
  bearerToken?: string
}

/** Serves GET (and HEAD) `/metrics` from `registry`; anything else is 404 or 405. */
export function metricsHandler(
  registry: Registry,
  options: MetricsHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const { bearerToken } = options
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/metrics') return send(res, 404, 'not found\n')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD')
      return send(res, 405, 'method not allowed\n')
    }
    if (bearerToken !== undefined && !hasToken(req, bearerToken)) {
      res.setHeader('www-authenticate', 'Bearer realm="metrics"')
      return send(res, 401, 'unauthorized\n')
    }
    registry.metrics().then(
      (text) => {
        res.setHeader('content-type', registry.contentType)
        res.setHeader('cache-control', 'no-store')
        res.end(req.method === 'HEAD' ? undefined : text)
      },
      () => send(res, 500, 'metrics unavailable\n'),
    )
  }
}

function hasToken(req: IncomingMessage, token: string): boolean {
  const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization?.trim() ?? '')
  // Constant-time: how much of the token matched must not show in the timing.
  return match !== null && timingSafeEqual(match[1] as string, token)
}

function send(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status
  res.setHeader('content-type', 'text/plain; charset=utf-8')
  res.end(text)
}
