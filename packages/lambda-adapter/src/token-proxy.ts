/**
 * The proxy for the token function (/token, the JWKS and /health): flow store, signing key and
 * Cognito's client secret. The key comes from PRIVATE_KEY_SECRET_ARN (Secrets Manager), KMS_KEY_ID
 * (KMS) or PRIVATE_KEY (inline, for tests); the client secret from CLIENT_SECRET_ARN or
 * COGNITO_CLIENT_SECRET (the settings table says which one at most, and that one is needed).
 * Clients are created on first use and shared.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { KMSClient } from '@aws-sdk/client-kms'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import {
  createProxyFrom,
  type Env,
  type EnvOptions,
  type Proxy as IdpProxy,
  type KeySource,
  keyOptionsFrom,
  proxyOptionsFrom,
  readSettings,
  type SettingsReading,
} from '@idp-proxy/core'
import type { LambdaProxyOptions } from './handler.js'
import { KmsKeySource } from './kms-key-source.js'
import {
  CLIENT_DEFAULTS,
  LAMBDA_FUNCTIONS,
  lambdaMetricsFrom,
  lambdaStoreFrom,
} from './lambda-env.js'
import { type ClientInput, lazyClient } from './lazy.js'
import { SecretsManagerKeySource, secretStringSource } from './secrets-manager.js'

export interface TokenProxyClients {
  dynamoDb?: ClientInput<DynamoDBClient>
  secretsManager?: ClientInput<SecretsManagerClient>
  kms?: ClientInput<KMSClient>
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
  const store = lambdaStoreFrom(reading, options, clients.dynamoDb)
  // Read even when a sink is given: a bad METRICS setting is a configuration error either way.
  const fromEnv = lambdaMetricsFrom(reading)
  const metrics = extra.metrics ?? fromEnv
  const secretsManager = lazyClient(
    clients.secretsManager,
    () => new SecretsManagerClient(CLIENT_DEFAULTS),
  )
  const deps = { secretsManager, kms: clients.kms }
  const keys = keysFrom(reading, options, deps)
  const clientSecret = clientSecretFrom(reading, options, deps)
  return createProxyFrom(reading, {
    ...options,
    ...(store ? { store } : {}),
    ...(keys ? { keys } : {}),
    ...(clientSecret ? { clientSecret } : {}),
    ...(routes ? { routes } : {}),
    ...(metrics ? { metrics } : {}),
    ...(extra.logger ? { logger: extra.logger } : {}),
  })
}

interface KeyDeps {
  secretsManager: () => SecretsManagerClient
  kms: ClientInput<KMSClient> | undefined
}

function cacheOptions(reading: SettingsReading, options: EnvOptions) {
  return {
    ttlSeconds: reading.values.KEY_CACHE_TTL_SECONDS ?? 300,
    ...(options.logger ? { logger: options.logger } : {}),
  }
}

// One of PRIVATE_KEY (core has built it), PRIVATE_KEY_SECRET_ARN or KMS_KEY_ID: the reading
// has reported none or several already (SETTING_GROUPS).
function keysFrom(
  reading: SettingsReading,
  options: EnvOptions,
  deps: KeyDeps,
): KeySource | undefined {
  if (options.keys) return options.keys
  const { PRIVATE_KEY_SECRET_ARN: secretId, KMS_KEY_ID: keyId, KMS_KEY_KID: kid } = reading.values
  const keyOptions = keyOptionsFrom(reading)
  if (secretId) {
    return reading.attempt(
      'PRIVATE_KEY_SECRET_ARN',
      () =>
        new SecretsManagerKeySource({
          secretId,
          client: deps.secretsManager,
          ...cacheOptions(reading, options),
          ...keyOptions,
        }),
    )
  }
  if (keyId) {
    return reading.attempt(
      'KMS_KEY_ID',
      () =>
        new KmsKeySource({
          keyId,
          client: lazyClient(deps.kms, () => new KMSClient(CLIENT_DEFAULTS)),
          ...(kid ? { kid } : {}),
          ...(keyOptions.defaultAlg ? { alg: keyOptions.defaultAlg } : {}),
        }),
    )
  }
  return undefined
}

function clientSecretFrom(
  reading: SettingsReading,
  options: EnvOptions,
  deps: Omit<KeyDeps, 'kms'>,
): EnvOptions['clientSecret'] {
  if (options.clientSecret) return options.clientSecret
  const secretId = reading.values.CLIENT_SECRET_ARN
  if (!secretId) return undefined
  return reading.attempt('CLIENT_SECRET_ARN', () =>
    secretStringSource({
      secretId,
      client: deps.secretsManager,
      ...cacheOptions(reading, options),
    }),
  )
}
