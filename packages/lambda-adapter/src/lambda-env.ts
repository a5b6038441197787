/**
 * The Lambda functions' environment: which settings each function reads (core's settings table,
 * runtimes `lambda:authorize`, `lambda:callback`, `lambda:token`) and the pieces every function
 * shares: the flow store and AWS client settings. Route-specific wiring lives in browser-proxy.ts
 * (authorize, callback) and token-proxy.ts, so the browser functions' bundles never contain
 * Secrets Manager or KMS code. Only this layer speaks of variables: the library classes name
 * their options, and their errors are reported under the variable that feeds the option.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  type Env,
  type EnvOptions,
  type FlowStore,
  type MetricsSink,
  readSettings,
  type SettingsReading,
} from '@idp-proxy/core'
import { awsTargetFromEnv, CLIENT_DEFAULTS } from './aws-json.js'
import { DynamoDbFlowStore } from './dynamodb-store.js'
import { emfMetrics } from './emf-metrics.js'
import { LAMBDA_FUNCTIONS, type LambdaFunction } from './functions.js'
import type { ClientInput } from './lazy.js'

export { CLIENT_DEFAULTS } from './aws-json.js'
export { LAMBDA_FUNCTIONS, type LambdaFunction } from './functions.js'

/**
 * The flow store for a route function. `STORE=dynamodb` builds the DynamoDB store; core has
 * built `sealed` already. A memory store cannot work across functions, so it is refused when
 * PKCE is on (and unused when it is off). Problems are reported on `reading`. Without a client,
 * the store calls DynamoDB with the lean client where `env` allows it (aws-json.ts: Lambda's
 * credentials and region), else with an SDK client of its own.
 */
export function lambdaStoreFrom(
  reading: SettingsReading,
  options: EnvOptions,
  client?: ClientInput<DynamoDBClient>,
  env: Env = {},
): FlowStore | undefined {
  const store = reading.values.STORE ?? (reading.given.has('STORE') ? undefined : 'memory')
  if (store === undefined) return undefined // malformed: reported already
  if (store === 'dynamodb') {
    const tableName = reading.values.FLOW_TABLE_NAME
    if (!tableName) {
      reading.report('FLOW_TABLE_NAME', 'is required when STORE=dynamodb')
      return undefined
    }
    const target = client ? undefined : awsTargetFromEnv(env, 'dynamodb')
    return reading.attempt(
      'FLOW_TABLE_NAME',
      () =>
        new DynamoDbFlowStore({
          tableName,
          ...(client ? { client } : target ? { target } : { clientConfig: CLIENT_DEFAULTS }),
        }),
    )
  }
  if (options.pkce === false || store === 'sealed') return options.store
  reading.report(
    'STORE',
    store === 'memory'
      ? 'must be dynamodb or sealed on Lambda: /authorize, /callback and /token run in separate functions'
      : 'is not available on Lambda; use dynamodb or sealed',
  )
  return undefined
}

/**
 * `METRICS=emf` (with `METRICS_NAMESPACE`, `METRICS_DIMENSIONS`): CloudWatch EMF lines on stdout.
 * Undefined when metrics are off. Problems (`prometheus` is the server's, a bad namespace) are
 * reported on `reading`.
 */
export function lambdaMetricsFrom(reading: SettingsReading): MetricsSink | undefined {
  const {
    METRICS: kind,
    METRICS_NAMESPACE: namespace,
    METRICS_DIMENSIONS: dimensions,
  } = reading.values
  if (kind === 'prometheus') {
    reading.report('METRICS', "prometheus is the standalone server's; on Lambda use emf")
  }
  if (kind !== 'emf') {
    for (const name of ['METRICS_NAMESPACE', 'METRICS_DIMENSIONS'] as const) {
      if (reading.given.has(name)) reading.report(name, 'has no effect unless METRICS=emf')
    }
    return undefined
  }
  return reading.attempt('METRICS', () =>
    emfMetrics({
      ...(namespace ? { namespace } : {}),
      ...(dimensions ? { dimensions } : {}),
    }),
  )
}

/**
 * The EMF sink an entry point gives both its proxy and its handler (so one stream holds every
 * failure), or undefined when metrics are off. Never throws: the proxy's own reading of the
 * same settings reports what is wrong, and the function's init fails with it.
 */
export function emfMetricsFromEnv(env: Env, fn: LambdaFunction): MetricsSink | undefined {
  const reading = readSettings(env, LAMBDA_FUNCTIONS[fn].runtime, {
    only: ['METRICS', 'METRICS_NAMESPACE', 'METRICS_DIMENSIONS'],
  })
  const metrics = lambdaMetricsFrom(reading)
  return reading.problems.length === 0 ? metrics : undefined
}
