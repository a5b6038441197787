/**
 * The standalone server's configuration: core's environment schema (the one the Lambda functions
 * read), plus what only a server needs: a Redis or DynamoDB store, a key file, PORT and HOST.
 */
import { readFile } from 'node:fs/promises'
import {
  type Env,
  type FlowStore,
  invalidOption,
  type KeySource,
  keysFromText,
  type Logger,
  optionsFromEnv,
  type ProxyOptions,
} from '@idp-proxy/core'
import { RedisFlowStore } from './redis-store.js'

/** Variables the server reads on top of core's ENV_VARIABLES (for `--help` and the docs). */
export const SERVER_ENV_VARIABLES = {
  PORT: 'Port to listen on (default 8080)',
  HOST: 'Address to listen on (default 0.0.0.0)',
  PRIVATE_KEY_FILE: 'Path to a file holding the private JWK or JWKS (instead of PRIVATE_KEY)',
  REDIS_KEY_PREFIX: 'With STORE=redis://...: prefix of every key (default idp-proxy:flow:)',
  FLOW_TABLE_NAME: 'With STORE=dynamodb: the DynamoDB table of flows',
} as const

export interface ServerConfig {
  options: ProxyOptions
  logger: Logger
  /** Closes what the store holds open (a Redis connection); a no-op for the others. */
  closeStore: () => Promise<void>
  /** Connects the store (Redis) before the server listens. */
  connectStore: () => Promise<void>
}

/** Builds the proxy's options from `env`. Throws ProxyError ERR_INVALID_OPTION naming the variable. */
export async function configFromEnv(env: Env): Promise<ServerConfig> {
  const options = optionsFromEnv(env)
  const logger = options.logger as Logger

  const clientSecret = options.clientSecret
  if (clientSecret === undefined) throw invalidOption('COGNITO_CLIENT_SECRET', 'is required')
  const keys = options.keys ?? (await keysFromFile(env))

  let store: FlowStore | undefined = options.store
  let connectStore = async () => {}
  let closeStore = async () => {}
  if (!store) {
    const kind = env.STORE?.trim() ?? ''
    if (/^rediss?:\/\//i.test(kind)) {
      const redis = new RedisFlowStore({
        url: kind,
        logger,
        ...(env.REDIS_KEY_PREFIX?.trim() ? { keyPrefix: env.REDIS_KEY_PREFIX.trim() } : {}),
      })
      store = redis
      connectStore = () => redis.connect()
      closeStore = () => redis.close()
    } else if (kind === 'dynamodb') {
      store = await dynamoDbStore(env)
    } else {
      throw invalidOption('STORE', `"${kind}" is not memory, sealed, dynamodb or a redis:// URL`)
    }
  }
  return { options: { ...options, clientSecret, keys, store }, logger, connectStore, closeStore }
}

/** `PRIVATE_KEY_FILE`: a JWK or JWKS in a file (a mounted secret), with ACTIVE_KID and KEY_ALG. */
async function keysFromFile(env: Env): Promise<KeySource> {
  const path = env.PRIVATE_KEY_FILE?.trim()
  if (!path) throw invalidOption('PRIVATE_KEY', 'is required (or PRIVATE_KEY_FILE)')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw invalidOption(
      'PRIVATE_KEY_FILE',
      `cannot read ${path} (${(error as { code?: string }).code ?? 'error'})`,
    )
  }
  return keysFromText(env, text, 'PRIVATE_KEY_FILE')
}

interface DynamoDbModule {
  DynamoDbFlowStore: new (options: { tableName: string }) => FlowStore
}

/** STORE=dynamodb: the Lambda adapter's store, loaded only when asked for (it pulls the AWS SDK). */
async function dynamoDbStore(env: Env): Promise<FlowStore> {
  const tableName = env.FLOW_TABLE_NAME?.trim()
  if (!tableName) throw invalidOption('FLOW_TABLE_NAME', 'is required when STORE=dynamodb')
  // A variable specifier: the module is the other adapter's, loaded at run time only.
  const specifier = '@idp-proxy/lambda-adapter/dynamodb'
  // An optional peer dependency, so that an Express app never installs the AWS SDK.
  const module = (await import(specifier).catch((error: unknown) => {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error
    throw invalidOption(
      'STORE',
      'dynamodb needs the package @idp-proxy/lambda-adapter: npm install @idp-proxy/lambda-adapter',
    )
  })) as Partial<DynamoDbModule>
  if (typeof module.DynamoDbFlowStore !== 'function') {
    throw invalidOption('STORE', 'the DynamoDB store is not available in this installation')
  }
  return new module.DynamoDbFlowStore({ tableName })
}
