/**
 * The proxy for the token function (/token, the JWKS and /health): flow store, signing key and
 * Cognito's client secret. The key comes from PRIVATE_KEY_SECRET_ARN (Secrets Manager), KMS_KEY_ID
 * (KMS) or PRIVATE_KEY (inline, for tests); the client secret from CLIENT_SECRET_ARN or
 * COGNITO_CLIENT_SECRET. Clients are created on first use and shared.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { KMSClient } from '@aws-sdk/client-kms'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import {
  createProxy,
  type Env,
  type EnvOptions,
  type Proxy as IdpProxy,
  invalidOption,
  type KeySource,
  keyOptionsFromEnv,
  optionsFromEnv,
} from '@idp-proxy/core'
import type { LambdaProxyOptions } from './handler.js'
import { KmsKeySource } from './kms-key-source.js'
import {
  CLIENT_DEFAULTS,
  keyCacheTtlFromEnv,
  lambdaStoreFromEnv,
  optionalEnv,
} from './lambda-env.js'
import { type ClientInput, lazyClient } from './lazy.js'
import { SecretsManagerKeySource, secretStringSource } from './secrets-manager.js'

export interface TokenProxyClients {
  dynamoDb?: ClientInput<DynamoDBClient>
  secretsManager?: ClientInput<SecretsManagerClient>
  kms?: ClientInput<KMSClient>
}

export function tokenProxyFromEnv(
  env: Env,
  clients: TokenProxyClients = {},
  extra: LambdaProxyOptions = {},
): IdpProxy {
  const options = optionsFromEnv(env)
  const store = lambdaStoreFromEnv(env, options, clients.dynamoDb)
  const secretsManager = lazyClient(
    clients.secretsManager,
    () => new SecretsManagerClient(CLIENT_DEFAULTS),
  )
  const ttlSeconds = keyCacheTtlFromEnv(env)
  return createProxy({
    ...options,
    ...(store ? { store } : {}),
    keys: keysFromLambdaEnv(env, options, { secretsManager, kms: clients.kms, ttlSeconds }),
    clientSecret: clientSecretFromLambdaEnv(env, options, { secretsManager, ttlSeconds }),
    ...(extra.metrics ? { metrics: extra.metrics } : {}),
  })
}

interface KeyDeps {
  secretsManager: () => SecretsManagerClient
  kms: ClientInput<KMSClient> | undefined
  ttlSeconds: number
}

function keysFromLambdaEnv(env: Env, options: EnvOptions, deps: KeyDeps): KeySource {
  const secretArn = optionalEnv(env, 'PRIVATE_KEY_SECRET_ARN')
  const kmsKeyId = optionalEnv(env, 'KMS_KEY_ID')
  const sources = [
    options.keys && 'PRIVATE_KEY',
    secretArn && 'PRIVATE_KEY_SECRET_ARN',
    kmsKeyId && 'KMS_KEY_ID',
  ]
  const given = sources.filter(Boolean)
  if (given.length > 1) throw invalidOption(String(given[1]), `set only one of ${given.join(', ')}`)
  if (options.keys) return options.keys

  const keyOptions = keyOptionsFromEnv(env)

  if (secretArn) {
    return new SecretsManagerKeySource({
      secretId: secretArn,
      client: deps.secretsManager,
      ttlSeconds: deps.ttlSeconds,
      ...(options.logger ? { logger: options.logger } : {}),
      ...keyOptions,
    })
  }
  if (kmsKeyId) {
    const kid = optionalEnv(env, 'KMS_KEY_KID')
    return new KmsKeySource({
      keyId: kmsKeyId,
      client: lazyClient(deps.kms, () => new KMSClient(CLIENT_DEFAULTS)),
      ...(kid ? { kid } : {}),
      ...(keyOptions.defaultAlg ? { alg: keyOptions.defaultAlg } : {}),
    })
  }
  throw invalidOption(
    'PRIVATE_KEY_SECRET_ARN',
    'set PRIVATE_KEY_SECRET_ARN or KMS_KEY_ID (the token function signs)',
  )
}

function clientSecretFromLambdaEnv(
  env: Env,
  options: EnvOptions,
  deps: Omit<KeyDeps, 'kms'>,
): string | (() => Promise<string>) {
  const arn = optionalEnv(env, 'CLIENT_SECRET_ARN')
  if (arn && options.clientSecret) {
    throw invalidOption(
      'CLIENT_SECRET_ARN',
      'set only one of CLIENT_SECRET_ARN, COGNITO_CLIENT_SECRET',
    )
  }
  if (options.clientSecret) return options.clientSecret
  if (!arn) {
    throw invalidOption(
      'CLIENT_SECRET_ARN',
      "is required: the secret holding Cognito's client secret",
    )
  }
  return secretStringSource({
    secretId: arn,
    client: deps.secretsManager,
    ttlSeconds: deps.ttlSeconds,
    ...(options.logger ? { logger: options.logger } : {}),
  })
}
