/**
 * The proxy of one browser function (authorize or callback) from its environment, keys given by
 * the caller: browser-proxy.ts adds the authorize function's signing key (PAR); the callback
 * entry uses this alone, so its bundle carries no Secrets Manager or KMS code.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  createProxyFrom,
  type Env,
  type EnvOptions,
  type Proxy as IdpProxy,
  type KeySource,
  proxyOptionsFrom,
  readSettings,
  type SettingsReading,
} from '@idp-proxy/core'
import type { LambdaProxyOptions } from './handler.js'
import { LAMBDA_FUNCTIONS, lambdaMetricsFrom, lambdaStoreFrom } from './lambda-env.js'
import type { ClientInput } from './lazy.js'

export interface BrowserRouteClients {
  dynamoDb?: ClientInput<DynamoDBClient>
  /** Which function: its settings and its one route. Default `authorize`. */
  fn?: 'authorize' | 'callback'
}

/** Builds the function's key source from its reading (undefined: none configured). */
export type KeysFromReading = (
  reading: SettingsReading,
  options: EnvOptions,
) => KeySource | undefined

/** Throws one ProxyError ERR_INVALID_OPTION naming every variable at fault. */
export function browserRouteProxyFromEnv(
  env: Env,
  clients: BrowserRouteClients = {},
  extra: LambdaProxyOptions = {},
  keysFrom?: KeysFromReading,
): IdpProxy {
  const fn = clients.fn ?? 'authorize'
  const { runtime, routes } = LAMBDA_FUNCTIONS[fn]
  const reading = readSettings(env, runtime)
  const options = proxyOptionsFrom(reading)
  if (options.pkce === false) {
    reading.report(
      'PKCE',
      `is false, so the ${fn} function has nothing to serve (Cognito goes to the IdP directly): deploy only the token function`,
    )
  }
  const store = lambdaStoreFrom(reading, options, clients.dynamoDb, env)
  const fromEnv = lambdaMetricsFrom(reading)
  const metrics = extra.metrics ?? fromEnv
  const keys = keysFrom?.(reading, options)
  return createProxyFrom(reading, {
    ...options,
    ...(store ? { store } : {}),
    ...(keys ? { keys } : {}),
    ...(routes ? { routes } : {}),
    ...(metrics ? { metrics } : {}),
    ...(extra.logger ? { logger: extra.logger } : {}),
  })
}
