/**
 * The standalone server's configuration: the settings core's table gives the `server` runtime
 * (the proxy's own, and what only a server needs: a Redis or DynamoDB store, a key file, PORT
 * and HOST). Every problem is collected and thrown at once, each naming its variable.
 */
import { readFile } from 'node:fs/promises'
import {
  type Env,
  type FlowStore,
  type KeySource,
  keysFromText,
  type Logger,
  type ProxyOptions,
  proxyOptionsFrom,
  readSettings,
  SERVER_LIMITS,
  SETTINGS,
  type ServerLimitName,
  type SettingName,
  type SettingsReading,
  settingsOf,
} from '@idp-proxy/core'
import type { MetricsServerOptions } from './metrics-server.js'
import { RedisFlowStore } from './redis-store.js'
import { resolveServerLimits, type ServerLimits } from './server-limits.js'

/** Every variable the server reads, with its documentation (for `--help` and the docs). */
export const SERVER_ENV_VARIABLES: Readonly<Record<string, string>> = Object.fromEntries(
  settingsOf('server').map((name) => [name, SETTINGS[name].doc]),
)

export interface ServerConfig {
  options: ProxyOptions
  logger: Logger
  /** Where to listen: `PORT` (default 8080) and `HOST` (default 0.0.0.0). */
  listen: { port: number; host: string }
  /** The limits: `HEADERS_TIMEOUT_MS`, `MAX_CONNECTIONS`, … where set, else the defaults. */
  limits: ServerLimits
  /** `METRICS=prometheus` and its `METRICS_*` settings; undefined when metrics are off. */
  metrics: MetricsServerOptions | undefined
  /** The reading the options came from: maps `createProxy`'s refusals back to variables. */
  reading: SettingsReading
  /** Closes what the store holds open (a Redis connection); a no-op for the others. */
  closeStore: () => Promise<void>
  /** Connects the store (Redis) before the server listens. */
  connectStore: () => Promise<void>
}

/**
 * Builds the server's configuration from `env`. Throws one ProxyError ERR_INVALID_OPTION whose
 * `problems` name every variable at fault.
 */
export async function configFromEnv(env: Env, logTo?: Logger): Promise<ServerConfig> {
  const reading = readSettings(env, 'server')
  const options = proxyOptionsFrom(reading)
  // A logger given in code (tests capture lines) replaces the LOG_LEVEL one.
  if (logTo) options.logger = logTo
  const logger = options.logger as Logger
  const keys = options.keys ?? (await keysFromFile(reading))
  const kind = reading.values.STORE
  if (kind === 'dynamodb' && !reading.values.FLOW_TABLE_NAME) {
    reading.report('FLOW_TABLE_NAME', 'is required when STORE=dynamodb')
  }
  const limits = reading.attempt('REQUEST_TIMEOUT_MS', () =>
    resolveServerLimits(limitsFrom(reading)),
  )
  const metrics = metricsFrom(reading)
  // Everything is checked before a store that opens connections is built.
  reading.check()

  let store: FlowStore | undefined = options.store
  let connectStore = async () => {}
  let closeStore = async () => {}
  if (!store && kind && /^rediss?:\/\//i.test(kind)) {
    const prefix = reading.values.REDIS_KEY_PREFIX
    const redis = reading.attempt(
      'STORE',
      () => new RedisFlowStore({ url: kind, logger, ...(prefix ? { keyPrefix: prefix } : {}) }),
    )
    if (redis) {
      store = redis
      connectStore = () => redis.connect()
      closeStore = () => redis.close()
    }
  } else if (!store && kind === 'dynamodb') {
    store = await dynamoDbStore(reading, reading.values.FLOW_TABLE_NAME as string)
  }
  reading.check()
  return {
    options: { ...options, ...(keys ? { keys } : {}), ...(store ? { store } : {}) },
    logger,
    listen: { port: reading.values.PORT ?? 8080, host: reading.values.HOST ?? '0.0.0.0' },
    limits: limits as ServerLimits,
    metrics,
    reading,
    connectStore,
    closeStore,
  }
}

/** The variable of each server limit (`headersTimeoutMs` <- `HEADERS_TIMEOUT_MS`), from the table. */
export const SERVER_LIMIT_SETTINGS = Object.fromEntries(
  (Object.keys(SERVER_LIMITS) as ServerLimitName[]).map((limit) => [
    limit,
    settingsOf('server').find((name) =>
      (SETTINGS[name] as { options?: readonly string[] }).options?.includes(`limits.${limit}`),
    ) as SettingName,
  ]),
) as Readonly<Record<ServerLimitName, SettingName>>

function limitsFrom(reading: SettingsReading): Partial<ServerLimits> {
  const limits: Partial<ServerLimits> = {}
  for (const [limit, name] of Object.entries(SERVER_LIMIT_SETTINGS) as [
    ServerLimitName,
    SettingName,
  ][]) {
    const value = reading.values[name]
    if (typeof value === 'number') limits[limit] = value
  }
  return limits
}

/** `METRICS=prometheus` with its settings; `emf` is Lambda's, refused here. */
function metricsFrom(reading: SettingsReading): MetricsServerOptions | undefined {
  const { values } = reading
  if (values.METRICS === 'emf') {
    reading.report('METRICS', 'emf is for Lambda; the standalone server serves prometheus')
  }
  if (values.METRICS !== 'prometheus') {
    for (const name of settingsOf('server')) {
      if (name.startsWith('METRICS_') && reading.given.has(name)) {
        reading.report(name, 'has no effect unless METRICS=prometheus')
      }
    }
    return undefined
  }
  return {
    ...(values.METRICS_PORT === undefined ? {} : { port: values.METRICS_PORT }),
    ...(values.METRICS_HOST ? { host: values.METRICS_HOST } : {}),
    ...(values.METRICS_ON_PROXY_PORT === undefined
      ? {}
      : { onProxyPort: values.METRICS_ON_PROXY_PORT }),
    ...(values.METRICS_BEARER_TOKEN ? { bearerToken: values.METRICS_BEARER_TOKEN } : {}),
    ...(values.METRICS_PROCESS === undefined ? {} : { processMetrics: values.METRICS_PROCESS }),
  }
}

/** `PRIVATE_KEY_FILE`: a JWK or JWKS in a file (a mounted secret), with ACTIVE_KID and KEY_ALG. */
async function keysFromFile(reading: SettingsReading): Promise<KeySource | undefined> {
  const path = reading.values.PRIVATE_KEY_FILE
  if (!path) return undefined // neither key setting: the reading has reported it
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error'
    reading.report('PRIVATE_KEY_FILE', `cannot read ${path} (${code})`)
    return undefined
  }
  return keysFromText(reading, text, 'PRIVATE_KEY_FILE')
}

interface DynamoDbModule {
  DynamoDbFlowStore: new (options: { tableName: string }) => FlowStore
}

/** STORE=dynamodb: the Lambda adapter's store, loaded only when asked for (it pulls the AWS SDK). */
async function dynamoDbStore(
  reading: SettingsReading,
  tableName: string,
): Promise<FlowStore | undefined> {
  // A variable specifier: the module is the other adapter's, loaded at run time only.
  const specifier = '@idp-proxy/lambda-adapter/dynamodb'
  // An optional peer dependency, so that an Express app never installs the AWS SDK.
  const module = (await import(specifier).catch((error: unknown) => {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error
    return undefined
  })) as Partial<DynamoDbModule> | undefined
  if (!module) {
    reading.report(
      'STORE',
      'dynamodb needs the package @idp-proxy/lambda-adapter: npm install @idp-proxy/lambda-adapter',
    )
    return undefined
  }
  const Store = module.DynamoDbFlowStore
  if (typeof Store !== 'function') {
    reading.report('STORE', 'the DynamoDB store is not available in this installation')
    return undefined
  }
  return reading.attempt('FLOW_TABLE_NAME', () => new Store({ tableName }))
}
