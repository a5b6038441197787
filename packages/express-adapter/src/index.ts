export {
  type ConvertOptions,
  type NodeRequest,
  reencodeBody,
  sendWebResponse,
  toWebRequest,
} from './convert.js'
export { configFromEnv, SERVER_ENV_VARIABLES, type ServerConfig } from './env-config.js'
export { type KeepAliveFetchOptions, keepAliveFetch } from './keep-alive-fetch.js'
export {
  DEFAULT_METRICS_PORT,
  type MetricsServerOptions,
} from './metrics-server.js'
export { type NodeHandler, type StandaloneHandlerOptions, standaloneHandler } from './node-http.js'
export {
  type MetricsHandlerOptions,
  metricsHandler,
  type PrometheusMetrics,
  type PrometheusMetricsOptions,
  prometheusMetrics,
} from './prometheus-metrics.js'
export {
  DEFAULT_KEY_PREFIX,
  type RedisCommands,
  RedisFlowStore,
  type RedisFlowStoreOptions,
} from './redis-store.js'
export {
  type ProxyHandler,
  type ProxyRouterOptions,
  proxyHandler,
  proxyRouter,
} from './router.js'
export { type RunningServer, type StartServerOptions, startServer } from './server.js'
export {
  DEFAULT_SERVER_LIMITS,
  resolveServerLimits,
  SERVER_LIMITS,
  type ServerLimits,
} from './server-limits.js'
