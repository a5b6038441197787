/**
 * The proxy for the /authorize and /callback functions: flow store only. It imports no Secrets
 * Manager or KMS code (their routes never sign), which keeps those bundles small.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { createProxy, type Env, type Proxy as IdpProxy, optionsFromEnv } from '@idp-proxy/core'
import type { LambdaProxyOptions } from './handler.js'
import { lambdaStoreFromEnv, refusingClientSecret, refusingKeySource } from './lambda-env.js'
import type { ClientInput } from './lazy.js'

export interface BrowserProxyClients {
  dynamoDb?: ClientInput<DynamoDBClient>
}

export function browserProxyFromEnv(
  env: Env,
  clients: BrowserProxyClients = {},
  extra: LambdaProxyOptions = {},
): IdpProxy {
  const options = optionsFromEnv(env)
  const store = lambdaStoreFromEnv(env, options, clients.dynamoDb)
  return createProxy({
    ...options,
    ...(store ? { store } : {}),
    keys: options.keys ?? refusingKeySource,
    clientSecret: options.clientSecret ?? refusingClientSecret,
    ...(extra.metrics ? { metrics: extra.metrics } : {}),
  })
}
