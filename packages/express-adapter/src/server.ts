/**
 * The standalone server: the proxy built from environment variables, on plain node:http (see
 * node-http.ts), with graceful shutdown. `bin.ts` is the command line around it; tests call
 * `startServer` directly too.
 */
import { createServer, type ServerResponse } from 'node:http'
import { createProxyFrom, type Env, invalidOption, type Logger, ProxyError } from '@idp-proxy/core'
import { nodeSignatureCheck } from '@idp-proxy/core/node'
import { configFromEnv } from './env-config.js'
import { listen } from './listen.js'
import { type MetricsServerOptions, serveMetrics } from './metrics-server.js'
import { standaloneHandler } from './node-http.js'
import {
  applyServerLimits,
  httpServerOptions,
  requestCounter,
  resolveServerLimits,
  type ServerLimits,
} from './server-limits.js'

export interface StartServerOptions {
  /** The environment to read (usually `process.env`). */
  env: Env
  /** Port; default `PORT` from `env`, else 8080. 0 picks a free port. */
  port?: number
  /** Address; default `HOST` from `env`, else `0.0.0.0`. */
  host?: string
  /** Longest wait for in-flight requests at shutdown, in ms. Default 10 000. */
  shutdownTimeoutMs?: number
  /** Longest wait for the first Redis connection at start-up, in ms. Default 10 000. */
  storeConnectTimeoutMs?: number
  /**
   * Timeouts and connection limits (defaults in SERVER_LIMITS, see docs/operations.md). Default:
   * `HEADERS_TIMEOUT_MS`, `MAX_CONNECTIONS`, … from `env`; a limit given here wins.
   */
  limits?: Partial<ServerLimits>
  /**
   * Serve Prometheus metrics at `/metrics` (see docs/operations.md). Default: `METRICS=prometheus`
   * and its `METRICS_*` settings from `env`, else off.
   */
  metrics?: MetricsServerOptions
  /** Where the server, the proxy and the store log. Default: JSON lines on stdout at `LOG_LEVEL`. */
  logger?: Logger
  /**
   * The `fetch` the proxy calls the IdP with. Default: the global fetch. `idp-proxy serve` passes
   * `keepAliveFetch()` (node:http keep-alive, ~0.2 ms less per /token call, BENCHMARKS.md).
   */
  fetch?: typeof fetch
}

export interface RunningServer {
  /** Where the server listens, e.g. `http://127.0.0.1:8080`. */
  url: string
  /** Where `/metrics` is served on a port of its own, when it is. */
  metricsUrl: string | undefined
  /**
   * Stops accepting connections, lets in-flight requests finish, closes the store. `reason` (e.g.
   * the signal) goes into the `server_stopping` log line.
   */
  close(reason?: string): Promise<void>
}

/**
 * Validates the configuration, connects the store, runs discovery and imports the key
 * (`proxy.ready()`), and only then listens. Any failure rejects before a port is opened: a
 * ProxyError ERR_INVALID_OPTION names the variable.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { env } = options
  // Limits given in code are checked before anything opens; they win over the environment's.
  if (options.limits) resolveServerLimits(options.limits)
  const config = await configFromEnv(env, options.logger)
  const port = options.port ?? config.listen.port
  const host = options.host ?? config.listen.host
  const { logger } = config
  let proxy: ReturnType<typeof createProxyFrom>
  let served: ReturnType<typeof serveMetrics> | undefined
  let limits: ServerLimits
  try {
    limits = options.limits
      ? resolveServerLimits({ ...config.limits, ...options.limits })
      : config.limits
    // Metrics options given in code name their option; the environment's name their variable.
    served = options.metrics
      ? serveMetrics(options.metrics, host, limits)
      : config.metrics &&
        config.reading.attempt('METRICS', () => serveMetrics(config.metrics!, host, limits))
    config.reading.check()
    proxy = createProxyFrom(config.reading, {
      ...config.options,
      // id_tokens verified on this thread, without Web Crypto's thread-pool round trip.
      signatureCheck: nodeSignatureCheck,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(served ? { metrics: served.metrics.sink } : {}),
    })
    if (
      served?.onProxyPort &&
      Object.values(proxy.urls).some((url) => new URL(url).pathname.endsWith('/metrics'))
    ) {
      throw invalidOption('metrics.onProxyPort', 'a proxy route already uses /metrics')
    }
  } catch (error) {
    await config.closeStore()
    throw error
  }

  try {
    const connectMs = options.storeConnectTimeoutMs ?? 10_000
    await withTimeout(
      config.connectStore(),
      connectMs,
      () =>
        new ProxyError(
          'ERR_STORE_UNAVAILABLE',
          `STORE: no connection to Redis within ${connectMs} ms`,
        ),
    )
    await proxy.ready()
  } catch (error) {
    await config.closeStore()
    throw error
  }

  let stopping = false
  const inFlight = new Set<ServerResponse>()
  const isLastOnSocket = requestCounter(limits)
  const handle = standaloneHandler(proxy, {
    logger,
    bodyTimeoutMs: limits.bodyTimeoutMs,
    metrics: served?.onProxyPort,
  })
  const server = createServer(httpServerOptions(limits), (req, res) => {
    // During shutdown, and after its last allowed request, no connection is kept for another.
    if (isLastOnSocket(req) || stopping) res.setHeader('connection', 'close')
    inFlight.add(res)
    res.once('close', () => inFlight.delete(res))
    handle(req, res)
  })
  applyServerLimits(server, limits)
  if (served) server.on('drop', () => served.metrics.connectionDropped())
  let metricsUrl: string | undefined
  try {
    metricsUrl = await served?.listen()
  } catch (error) {
    await config.closeStore()
    throw error
  }
  const url = await listen(server, port, host).catch(async (error: unknown) => {
    await served?.close()
    await config.closeStore()
    throw error
  })
  logger.log('info', 'server_listening', {
    url,
    ...(served ? { metrics: metricsUrl ?? `${url}/metrics` } : {}),
    baseUrl: proxy.baseUrl,
    store: storeKind(env),
    pkce: config.options.pkce ?? true,
  })

  let closing: Promise<void> | undefined
  async function close(reason: string | undefined): Promise<void> {
    logger.log('info', 'server_stopping', { reason, inFlight: inFlight.size })
    stopping = true
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    // Responses still being prepared end their connection instead of keeping it alive.
    for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close')
    server.closeIdleConnections()
    const timer = setTimeout(() => {
      logger.log('warn', 'server_shutdown_timeout', { open: inFlight.size })
      server.closeAllConnections()
    }, options.shutdownTimeoutMs ?? 10_000)
    timer.unref()
    await closed
    clearTimeout(timer)
    await served?.close()
    await config.closeStore()
    logger.log('info', 'server_stopped', {})
  }
  return {
    url,
    metricsUrl,
    close(reason) {
      closing ??= close(reason)
      return closing
    },
  }
}

function storeKind(env: Env): string {
  const store = env.STORE?.trim() || 'memory'
  // Never log a Redis URL: it may carry a password.
  return /^rediss?:/i.test(store) ? 'redis' : store
}

async function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(error()), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
