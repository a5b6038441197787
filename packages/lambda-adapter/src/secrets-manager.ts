/**
 * Secrets Manager: the private signing key (a private JWK or JWKS, the seed's format unchanged,
 * with any encryption keys, `use: "enc"`, beside it) and the shared secret Cognito presents at
 * /token. Both are cached in memory for a TTL and keep
 * being served when a refresh fails (see cached-value.ts). GetSecretValue goes through the lean
 * client (aws-json.ts) when given a `target` and no `client`, else through an SDK client whose
 * module is imported on first use.
 */
import type {
  SecretsManagerClient,
  SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager'
import {
  type Decrypter,
  importDecrypters,
  importSigner,
  invalidOption,
  type Jwks,
  type KeySource,
  type Logger,
  MIN_CLIENT_SECRET_LENGTH,
  type ParseKeysOptions,
  ProxyError,
  type PublishedJwk,
  parsePrivateKeySet,
  type Signer,
  toPublicJwks,
} from '@idp-proxy/core'
import { type AwsTarget, awsJsonClient } from './aws-json.js'
import { cachedValue } from './cached-value.js'
import { type AsyncClientInput, lazyAsyncClient } from './lazy.js'

export interface SecretOptions {
  /** The secret's ARN or name. */
  secretId: string
  /** A client, or a function giving one (shared by several sources). */
  client?: AsyncClientInput<SecretsManagerClient>
  /** Used only when neither `client` nor `target` is given. */
  clientConfig?: SecretsManagerClientConfig
  /**
   * Read the secret with the lean client (aws-json.ts: SigV4-signed, no SDK) at this region,
   * endpoint and credentials; `awsTargetFromEnv(process.env, 'secretsmanager')` on Lambda. Used
   * only when `client` is not given.
   */
  target?: AwsTarget
  /** How long a fetched secret is used before it is fetched again. Default 300. */
  ttlSeconds?: number
  logger?: Logger
  now?: () => number
}

// The IAM action the Secrets Manager sources call: defined with the other policies (iam.ts).
export { SECRETS_MANAGER_ACTIONS } from './iam.js'

/** Reads the source's secret: through the lean client, or an SDK client made on first use. */
export function secretReader(options: SecretOptions): () => Promise<SecretText> {
  if (!options.secretId) throw invalidOption('secretId', 'is required')
  const { secretId } = options
  if (options.target && !options.client) {
    const call = awsJsonClient('secretsmanager', options.target)
    return async () => {
      const output = await call('GetSecretValue', { SecretId: secretId })
      const binary = typeof output.SecretBinary === 'string' ? output.SecretBinary : undefined
      return secretText(
        secretId,
        typeof output.SecretString === 'string' ? output.SecretString : undefined,
        binary ? Buffer.from(binary, 'base64') : undefined,
        typeof output.VersionId === 'string' ? output.VersionId : undefined,
      )
    }
  }
  const client = lazyAsyncClient(
    options.client,
    async () =>
      new (await import('./secrets-manager-sdk.js')).SecretsManagerClient(
        options.clientConfig ?? {},
      ),
  )
  return async () => readSecret(await client(), secretId)
}

export interface SecretText {
  text: string
  versionId: string | undefined
}

/** GetSecretValue (AWSCURRENT), as text: SecretString, or SecretBinary read as UTF-8. */
export async function readSecret(
  client: SecretsManagerClient,
  secretId: string,
): Promise<SecretText> {
  const { GetSecretValueCommand } = await import('./secrets-manager-sdk.js')
  const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }))
  return secretText(secretId, output.SecretString, output.SecretBinary, output.VersionId)
}

function secretText(
  secretId: string,
  string: string | undefined,
  binary: Uint8Array | undefined,
  versionId: string | undefined,
): SecretText {
  const text = string ?? (binary ? new TextDecoder().decode(binary) : undefined)
  if (!text) throw new ProxyError('ERR_INVALID_KEY', `the secret ${secretId} has no value`)
  return { text, versionId }
}

/**
 * The shared secret Cognito sends at /token, read from Secrets Manager (so it is not in the
 * function's environment in clear). The SecretString is the secret itself, at least
 * MIN_CLIENT_SECRET_LENGTH characters (core's rule for every source of this secret).
 */
export function secretStringSource(options: SecretOptions): () => Promise<string> {
  const read = secretReader(options)
  return cachedValue(async () => {
    const { text } = await read()
    if (text.trim().length < MIN_CLIENT_SECRET_LENGTH) {
      throw new ProxyError(
        'ERR_INVALID_OPTION',
        `secretId: the secret ${options.secretId} must hold at least ${MIN_CLIENT_SECRET_LENGTH} characters`,
        { option: 'secretId' },
      )
    }
    return text.trim()
  }, cacheOptions(options))
}

function cacheOptions(options: SecretOptions) {
  return {
    ttlSeconds: options.ttlSeconds ?? 300,
    name: options.secretId,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.now ? { now: options.now } : {}),
  }
}

export interface SecretsManagerKeySourceOptions extends SecretOptions, ParseKeysOptions {}

interface LoadedKeys {
  versionId: string | undefined
  signer: Signer
  decrypters: readonly Decrypter[]
  jwks: Jwks<PublishedJwk>
}

/**
 * A KeySource whose private JWK/JWKS lives in a Secrets Manager secret. The keys (the active
 * signing key and every encryption key) are imported once per secret version and cached for
 * `ttlSeconds`; rotation is picked up at the next refresh, and a failed refresh keeps serving
 * the keys it had.
 */
export class SecretsManagerKeySource implements KeySource {
  readonly #keys: () => Promise<LoadedKeys>

  constructor(options: SecretsManagerKeySourceOptions) {
    const read = secretReader(options)
    const parse: ParseKeysOptions = {
      ...(options.activeKid ? { activeKid: options.activeKid } : {}),
      ...(options.defaultAlg ? { defaultAlg: options.defaultAlg } : {}),
    }
    this.#keys = cachedValue(async (previous) => {
      const { text, versionId } = await read()
      // Same version: keep the imported key (an RSA-4096 import costs tens of ms).
      if (previous && versionId && previous.versionId === versionId) return previous
      let set: ReturnType<typeof parsePrivateKeySet>
      try {
        set = parsePrivateKeySet(text, parse)
      } catch (error) {
        // The parser's message names the problem, never key material.
        throw new ProxyError(
          'ERR_INVALID_KEY',
          `the secret ${options.secretId}: ${(error as Error).message}`,
          {
            cause: error,
          },
        )
      }
      const active = set.keys.find((key) => key.kid === set.activeKid)
      if (!active) throw new ProxyError('ERR_INVALID_KEY', 'the active key is missing')
      const [signer, decrypters] = await Promise.all([importSigner(active), importDecrypters(set)])
      return { versionId, signer, decrypters, jwks: toPublicJwks(set) }
    }, cacheOptions(options))
  }

  async signer(): Promise<Signer> {
    return (await this.#keys()).signer
  }

  async publicJwks(): Promise<Jwks<PublishedJwk>> {
    return (await this.#keys()).jwks
  }

  /** Every encryption key of the secret (the active one first); empty when it holds none. */
  async decrypters(): Promise<readonly Decrypter[]> {
    return (await this.#keys()).decrypters
  }
}
