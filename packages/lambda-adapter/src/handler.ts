/**
 * The Lambda handler around a proxy: event in, result out. It never throws to the runtime: a
 * malformed event is a 400 and a proxy that failed to build (bad configuration) answers a JSON
 * error without detail, while the log line names the variable at fault.
 */
import {
  errorResponse,
  type Proxy as IdpProxy,
  isProxyError,
  jsonLogger,
  type Logger,
  type MetricsSink,
  ProxyError,
  recordAdapterFailure,
} from '@idp-proxy/core'
import { type HttpResultV2, toRequest, toResult } from './convert.js'
import { warmUpTasksOf } from './warm-up-tasks.js'

export type LambdaHandler = (event: unknown, context?: unknown) => Promise<HttpResultV2>

export type ProxyFactory = () => IdpProxy | Promise<IdpProxy>

/** What the entry points' proxy builders take besides the environment and the AWS clients. */
export interface LambdaProxyOptions {
  /** Sign-in counts, failures and IdP latency, e.g. `emfMetrics()`. Default: none. */
  metrics?: MetricsSink
  /** Where the proxy logs. Default: JSON lines on stdout from `LOG_LEVEL` (CloudWatch). */
  logger?: Logger
}

export interface HandlerOptions {
  /** Where an initialisation failure is logged. Default: JSON lines on stdout (CloudWatch). */
  logger?: Logger
  /**
   * Counts what the handler answers itself (a malformed event, a proxy that failed to start) as
   * failures of route `unknown`. Give it the sink the proxy has (e.g. `emfMetrics()`), so one
   * stream holds every failure. Default: none.
   */
  metrics?: MetricsSink
}

/**
 * Wraps a proxy, or a factory that builds one, as a Lambda handler. A factory is called right
 * away, once: call `createHandler` at module scope so the proxy is built during the function's
 * init phase, once per container.
 */
export function createHandler(
  proxyOrFactory: IdpProxy | ProxyFactory,
  options: HandlerOptions = {},
): LambdaHandler {
  const logger = options.logger ?? jsonLogger()
  const { metrics } = options
  const proxy = build(proxyOrFactory, logger)
  const answer = (error: ProxyError): Promise<HttpResultV2> => {
    if (metrics) recordAdapterFailure(metrics, error)
    return errorResult(error)
  }
  // A failed init was logged once already; each request answers it (below), so mark it handled.
  proxy.catch(() => {})

  const handler: LambdaHandler = async function handler(event) {
    let request: Request
    try {
      request = toRequest(event)
    } catch (error) {
      return answer(
        isProxyError(error) ? error : new ProxyError('ERR_INVALID_REQUEST', 'malformed event'),
      )
    }
    let ready: IdpProxy
    try {
      ready = await proxy
    } catch (error) {
      return answer(initFailure(error))
    }
    try {
      return await toResult(await ready.handle(request))
    } catch (cause) {
      // proxy.handle never throws; this guards the conversion of its response.
      logger.log('error', 'lambda_response_failed', { cause: (cause as Error)?.name })
      return answer(new ProxyError('ERR_INTERNAL', 'internal error'))
    }
  }
  built.set(handler, { proxy, logger })
  return handler
}

const built = new WeakMap<LambdaHandler, { proxy: Promise<IdpProxy>; logger: Logger }>()

/**
 * Runs the proxy's `ready()` (discovery, with the JWKS URL where id_tokens are verified, and the
 * signing key: its import, its Secrets Manager or KMS read) for a handler from `createHandler`,
 * with the proxy's warm-up tasks beside it (warm-up-tasks.ts: the token function's key and
 * client secret, read in parallel with discovery), so that an entry's top-level
 * `await warmUp(handler)` does that work in the function's init phase (full CPU, before the
 * first request waits on it) rather than in its first request.
 * Never rejects: a failure, or no answer within `timeoutMs`, is logged
 * as a warning and the first request tries again (nothing failed is cached).
 */
export async function warmUp(handler: LambdaHandler, timeoutMs = 3_000): Promise<void> {
  const entry = built.get(handler)
  if (!entry) return
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  try {
    // The proxy's tasks (warm-up-tasks.ts: the client secret, the key) run beside ready(), not
    // after it: each one waits on its own service.
    const work = entry.proxy.then(async (proxy) => {
      const results = await Promise.allSettled([
        proxy.ready(),
        ...warmUpTasksOf(proxy).map((task) => task()),
      ])
      const failed = results.find((result) => result.status === 'rejected')
      if (failed) throw failed.reason
    })
    const outcome = await Promise.race([work, timedOut])
    if (outcome === 'timeout') entry.logger.log('warn', 'warm_up_timeout', { ms: timeoutMs })
  } catch (error) {
    // A proxy that failed to build was logged by createHandler already.
    if (
      !(await entry.proxy.then(
        () => true,
        () => false,
      ))
    )
      return
    entry.logger.log('warn', 'warm_up_failed', {
      code: isProxyError(error) ? error.code : 'ERR_INTERNAL',
    })
  } finally {
    clearTimeout(timer)
  }
}

function build(proxyOrFactory: IdpProxy | ProxyFactory, logger: Logger): Promise<IdpProxy> {
  if (typeof proxyOrFactory !== 'function') return Promise.resolve(proxyOrFactory)
  let built: IdpProxy | Promise<IdpProxy>
  try {
    built = proxyOrFactory()
  } catch (error) {
    // Logged now, during the function's init, so it sits at the top of the log stream.
    logInitFailure(logger, error)
    return Promise.reject(error)
  }
  return Promise.resolve(built).catch((error: unknown) => {
    logInitFailure(logger, error)
    throw error
  })
}

/** One clear line: the error code, the variable at fault and the message (never a stack). */
function logInitFailure(logger: Logger, error: unknown): void {
  if (isProxyError(error)) {
    logger.log('error', 'proxy_init_failed', {
      code: error.code,
      variable: error.option,
      // Every variable at fault, when the whole configuration was checked.
      variables: error.problems.map((problem) => problem.name).join(',') || undefined,
      message: error.message,
    })
  } else {
    const e = error as { name?: string; message?: string } | undefined
    logger.log('error', 'proxy_init_failed', {
      code: 'ERR_INTERNAL',
      message: [e?.name, e?.message].filter(Boolean).join(': ').slice(0, 300),
    })
  }
}

function initFailure(error: unknown): ProxyError {
  if (
    isProxyError(error) &&
    (error.code === 'ERR_INVALID_OPTION' || error.code === 'ERR_INVALID_KEY')
  ) {
    return new ProxyError(error.code, 'the proxy is misconfigured; see its log')
  }
  return new ProxyError('ERR_INTERNAL', 'the proxy failed to start; see its log', { status: 503 })
}

function errorResult(error: ProxyError): Promise<HttpResultV2> {
  return toResult(errorResponse(error))
}
