/**
 * The proxy for the token function (/token, /userinfo, the JWKS and /health): flow store,
 * signing key, decryption keys and Cognito's client secret. The keys come from key-env.ts
 * (PRIVATE_KEY_SECRET_ARN, KMS_KEY_ID or PRIVATE_KEY, plus KMS_DECRYPTION_KEY_IDS); the client
 * secret from CLIENT_SECRET_ARN or COGNITO_CLIENT_SECRET (the settings table says which one at
 * most, and that one is needed). Clients are created on first use and shared.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  createProxyFrom,
  type Env,
  type EnvOptions,
  type Proxy as IdpProxy,
  ProxyError,
  proxyOptionsFrom,
  readSettings,
  type SettingsReading,
} from '@idp-proxy/core'
import { nodeSignatureCheck } from '@idp-proxy/core/node'
import type { LambdaProxyOptions } from './handler.js'
import { cacheOptions, type KeyClients, type KeyDeps, keyDeps, keysFrom } from './key-env.js'
import { LAMBDA_FUNCTIONS, lambdaMetricsFrom, lambdaStoreFrom } from './lambda-env.js'
import type { ClientInput } from './lazy.js'
import { secretStringSource } from './secrets-manager.js'
import { withWarmUpTasks } from './warm-up-tasks.js'

export interface TokenProxyClients extends KeyClients {
  dynamoDb?: ClientInput<DynamoDBClient>
}

/** The token function's proxy from its environment; throws every problem at once. */
export function tokenProxyFromEnv(
  env: Env,
  clients: TokenProxyClients = {},
  extra: LambdaProxyOptions = {},
): IdpProxy {
  const { runtime, routes } = LAMBDA_FUNCTIONS.token
  const reading = readSettings(env, runtime)
  const options = proxyOptionsFrom(reading)
  const store = lambdaStoreFrom(reading, options, clients.dynamoDb, env)
  // Read even when a sink is given: a bad METRICS setting is a configuration error either way.
  const fromEnv = lambdaMetricsFrom(reading)
  const metrics = extra.metrics ?? fromEnv
  const deps = keyDeps(clients, env)
  const keys = keysFrom(reading, options, deps)
  const clientSecret = clientSecretFrom(reading, options, deps)
  const proxy = createProxyFrom(reading, {
    ...options,
    // id_tokens verified on this thread, without Web Crypto's thread-pool round trip.
    signatureCheck: nodeSignatureCheck,
    ...(store ? { store } : {}),
    ...(keys ? { keys } : {}),
    ...(clientSecret ? { clientSecret } : {}),
    ...(routes ? { routes } : {}),
    ...(metrics ? { metrics } : {}),
    ...(extra.logger ? { logger: extra.logger } : {}),
  })
  // Fetched during warmUp beside discovery: the key (ready() would read it only after
  // discovery) and the client secret (otherwise read by the first /token).
  return withWarmUpTasks(proxy, [
    ...(keys ? [() => keys.signer()] : []),
    ...(typeof clientSecret === 'function' ? [() => warmSecret(clientSecret)] : []),
  ])
}

/** The client secret read ahead; a failure named as /token would name it (and not cached). */
async function warmSecret(read: () => Promise<string>): Promise<void> {
  try {
    await read()
  } catch (cause) {
    throw new ProxyError('ERR_KEYS_UNAVAILABLE', 'the client secret is unavailable', { cause })
  }
}

function clientSecretFrom(
  reading: SettingsReading,
  options: EnvOptions,
  deps: KeyDeps,
): EnvOptions['clientSecret'] {
  if (options.clientSecret) return options.clientSecret
  const secretId = reading.values.CLIENT_SECRET_ARN
  if (!secretId) return undefined
  return reading.attempt('CLIENT_SECRET_ARN', () =>
    secretStringSource({
      secretId,
      ...deps.secretsManager,
      ...cacheOptions(reading, options),
    }),
  )
}
