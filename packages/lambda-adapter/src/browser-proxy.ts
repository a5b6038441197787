/**
 * The proxy for the /authorize and /callback functions: flow store only, no signing key and no
 * client secret (createProxy needs neither for these routes). It imports no Secrets Manager or
 * KMS code, which keeps those bundles small.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  createProxyFrom,
  type Env,
  type Proxy as IdpProxy,
  proxyOptionsFrom,
  readSettings,
} from '@idp-proxy/core'
import type { LambdaProxyOptions } from './handler.js'
import { LAMBDA_FUNCTIONS, lambdaMetricsFrom, lambdaStoreFrom } from './lambda-env.js'
import type { ClientInput } from './lazy.js'

export interface BrowserProxyClients {
  dynamoDb?: ClientInput<DynamoDBClient>
  /** Which function: its settings and its one route. Default `authorize`. */
  fn?: 'authorize' | 'callback'
}

/**
 * The proxy of the authorize or callback function from its environment. Throws one ProxyError
 * ERR_INVALID_OPTION naming every variable at fault.
 */
export function browserProxyFromEnv(
  env: Env,
  clients: BrowserProxyClients = {},
  extra: LambdaProxyOptions = {},
): IdpProxy {
  const { runtime, routes } = LAMBDA_FUNCTIONS[clients.fn ?? 'authorize']
  const reading = readSettings(env, runtime)
  const options = proxyOptionsFrom(reading)
  if (options.pkce === false) {
    reading.report(
      'PKCE',
      `is false, so the ${clients.fn ?? 'authorize'} function has nothing to serve (Cognito goes to the IdP directly): deploy only the token function`,
    )
  }
  const store = lambdaStoreFrom(reading, options, clients.dynamoDb)
  const fromEnv = lambdaMetricsFrom(reading)
  const metrics = extra.metrics ?? fromEnv
  return createProxyFrom(reading, {
    ...options,
    ...(store ? { store } : {}),
    ...(routes ? { routes } : {}),
    ...(metrics ? { metrics } : {}),
    ...(extra.logger ? { logger: extra.logger } : {}),
  })
}
