/**
 * The signing key and decryption keys of a function from its environment: PRIVATE_KEY (core has
 * built it), PRIVATE_KEY_SECRET_ARN (Secrets Manager: signing and `use: "enc"` keys in one secret)
 * or KMS_KEY_ID, plus KMS_DECRYPTION_KEY_IDS (KMS decryption keys). Shared by the token function
 * and the authorize function (which signs PAR's client assertion). Clients are created on first
 * use, so a function that is given none of these settings never builds one.
 */
import type { KMSClient } from '@aws-sdk/client-kms'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import {
  type Env,
  type EnvOptions,
  type KeySource,
  keyOptionsFrom,
  type SettingsReading,
  withDecrypters,
} from '@idp-proxy/core'
import { type AwsTarget, awsTargetFromEnv, CLIENT_DEFAULTS } from './aws-json.js'
import { kmsDecrypter } from './kms-decrypter.js'
import { KmsKeySource } from './kms-key-source.js'
import { type ClientInput, lazyAsyncClient } from './lazy.js'
import { SecretsManagerKeySource } from './secrets-manager.js'

export interface KeyClients {
  secretsManager?: ClientInput<SecretsManagerClient>
  kms?: ClientInput<KMSClient>
}

export interface KeyDeps {
  /** Secrets Manager through the lean client (`target`), or one shared SDK client. */
  secretsManager: { target: AwsTarget } | { client: () => Promise<SecretsManagerClient> }
  kms: () => Promise<KMSClient>
}

/**
 * The shared, lazily created clients of one function. Without a Secrets Manager client, the
 * lean client where `env` allows it (aws-json.ts: Lambda's credentials and region). The SDK
 * modules are imported on first use only.
 */
export function keyDeps(clients: KeyClients, env: Env = {}): KeyDeps {
  const target = clients.secretsManager ? undefined : awsTargetFromEnv(env, 'secretsmanager')
  return {
    secretsManager: target
      ? { target }
      : {
          client: lazyAsyncClient(
            clients.secretsManager,
            async () =>
              new (await import('./secrets-manager-sdk.js')).SecretsManagerClient(CLIENT_DEFAULTS),
          ),
        },
    kms: lazyAsyncClient(
      clients.kms,
      async () => new (await import('./kms-sdk.js')).KMSClient(CLIENT_DEFAULTS),
    ),
  }
}

/** How long what Secrets Manager gives is cached, and where cache refresh failures are logged. */
export function cacheOptions(reading: SettingsReading, options: EnvOptions) {
  return {
    ttlSeconds: reading.values.KEY_CACHE_TTL_SECONDS ?? 300,
    ...(options.logger ? { logger: options.logger } : {}),
  }
}

/**
 * One of PRIVATE_KEY, PRIVATE_KEY_SECRET_ARN or KMS_KEY_ID (the reading has reported several
 * already: SETTING_GROUPS), with KMS_DECRYPTION_KEY_IDS added to it. Undefined when none is set.
 */
export function keysFrom(
  reading: SettingsReading,
  options: EnvOptions,
  deps: KeyDeps,
): KeySource | undefined {
  const {
    PRIVATE_KEY_SECRET_ARN: secretId,
    KMS_KEY_ID: keyId,
    KMS_KEY_KID: kid,
    KMS_DECRYPTION_KEY_IDS: decryptionKeyIds = [],
  } = reading.values
  const decryptionKeys = decryptionKeyIds.map((id) => ({ keyId: id }))
  const keyOptions = keyOptionsFrom(reading)
  let source: KeySource | undefined
  if (options.keys) {
    source = options.keys
  } else if (secretId) {
    source = reading.attempt(
      'PRIVATE_KEY_SECRET_ARN',
      () =>
        new SecretsManagerKeySource({
          secretId,
          ...deps.secretsManager,
          ...cacheOptions(reading, options),
          ...keyOptions,
        }),
    )
  } else if (keyId) {
    // The KMS source takes the decryption keys itself (one client, one JWKS).
    return reading.attempt(
      'KMS_KEY_ID',
      () =>
        new KmsKeySource({
          keyId,
          client: deps.kms,
          ...(kid ? { kid } : {}),
          ...(keyOptions.defaultAlg ? { alg: keyOptions.defaultAlg } : {}),
          ...(decryptionKeys.length > 0 ? { decryptionKeys } : {}),
        }),
    )
  }
  if (!source) {
    if (decryptionKeys.length > 0) {
      reading.report(
        'KMS_DECRYPTION_KEY_IDS',
        'needs a signing key as well (PRIVATE_KEY_SECRET_ARN, KMS_KEY_ID or PRIVATE_KEY)',
      )
    }
    return undefined
  }
  if (decryptionKeys.length === 0) return source
  // The secret's own `use: "enc"` keys stay; the KMS ones come after them.
  return withDecrypters(source, () =>
    Promise.all(decryptionKeys.map((key) => kmsDecrypter({ ...key, client: deps.kms }))),
  )
}
