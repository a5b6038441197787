/**
 * The Lambda functions' environment: which settings each function reads (core's settings table,
 * runtimes `lambda:authorize`, `lambda:callback`, `lambda:token`) and the pieces every function
 * shares: the flow store and AWS client settings. Route-specific wiring lives in browser-proxy.ts
 * (authorize, callback) and token-proxy.ts, so the browser functions' bundles never contain
 * Secrets Manager or KMS code. Only this layer speaks of variables: the library classes name
 * their options, and their errors are reported under the variable that feeds the option.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import type { EnvOptions, FlowStore, RouteName, Runtime, SettingsReading } from '@idp-proxy/core'
import { DynamoDbFlowStore } from './dynamodb-store.js'
import type { ClientInput } from './lazy.js'

/** The proxy's Lambda functions. */
export type LambdaFunction = 'authorize' | 'callback' | 'token'

/**
 * Each function's settings runtime (the settings table's "read by" column) and the routes it
 * serves. The token function serves every route, so that it can also run alone behind one
 * Function URL; behind API Gateway it is given /token, the JWKS and /health.
 */
export const LAMBDA_FUNCTIONS: Readonly<
  Record<LambdaFunction, { runtime: Runtime; routes: readonly RouteName[] | undefined }>
> = {
  authorize: { runtime: 'lambda:authorize', routes: ['authorize', 'health'] },
  callback: { runtime: 'lambda:callback', routes: ['callback', 'health'] },
  token: { runtime: 'lambda:token', routes: undefined },
}

/**
 * Settings for the SDK clients the entry points create: bounded waits, so a service that hangs
 * becomes a 503 well inside API Gateway's 30 s limit instead of a function timeout.
 */
export const CLIENT_DEFAULTS = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 },
} as const

/**
 * The flow store for a route function. `STORE=dynamodb` builds the DynamoDB store; core has
 * built `sealed` already. A memory store cannot work across functions, so it is refused when
 * PKCE is on (and unused when it is off). Problems are reported on `reading`.
 */
export function lambdaStoreFrom(
  reading: SettingsReading,
  options: EnvOptions,
  client?: ClientInput<DynamoDBClient>,
): FlowStore | undefined {
  const store = reading.values.STORE ?? (reading.given.has('STORE') ? undefined : 'memory')
  if (store === undefined) return undefined // malformed: reported already
  if (store === 'dynamodb') {
    const tableName = reading.values.FLOW_TABLE_NAME
    if (!tableName) {
      reading.report('FLOW_TABLE_NAME', 'is required when STORE=dynamodb')
      return undefined
    }
    return reading.attempt(
      'FLOW_TABLE_NAME',
      () =>
        new DynamoDbFlowStore({
          tableName,
          ...(client ? { client } : { clientConfig: CLIENT_DEFAULTS }),
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
