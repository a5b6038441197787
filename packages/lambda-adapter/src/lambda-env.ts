/**
 * The environment variables the Lambda adapter adds to core's (see core's ENV_VARIABLES), and
 * the pieces every route function shares: the flow store and AWS client settings. Route-specific
 * wiring lives in browser-proxy.ts (authorize, callback) and token-proxy.ts, so the browser
 * functions' bundles never contain Secrets Manager or KMS code.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import {
  type Env,
  type EnvOptions,
  type FlowStore,
  invalidOption,
  type Jwks,
  type KeySource,
  ProxyError,
  type Signer,
} from '@idp-proxy/core'
import { DynamoDbFlowStore } from './dynamodb-store.js'
import type { ClientInput } from './lazy.js'

export const LAMBDA_ENV_VARIABLES = {
  STORE:
    'dynamodb (with FLOW_TABLE_NAME) or sealed (with SEALING_KEYS): each route is its own function, so memory cannot carry a flow',
  FLOW_TABLE_NAME:
    'With STORE=dynamodb: the table (partition key "pk" string, TTL attribute "expiresAt")',
  PRIVATE_KEY_SECRET_ARN: 'Token function: Secrets Manager secret holding the private JWK or JWKS',
  KMS_KEY_ID: 'Token function: an asymmetric KMS signing key (instead of PRIVATE_KEY_SECRET_ARN)',
  KMS_KEY_KID: 'With KMS_KEY_ID: the kid (default: the public JWK thumbprint, RFC 7638)',
  CLIENT_SECRET_ARN:
    "Token function: Secrets Manager secret holding Cognito's client secret (instead of COGNITO_CLIENT_SECRET)",
  KEY_CACHE_TTL_SECONDS:
    'How long the key and client secret read from Secrets Manager are cached (default 300)',
} as const

export type LambdaEnvVariable = keyof typeof LAMBDA_ENV_VARIABLES

/**
 * Settings for the SDK clients the entry points create: bounded waits, so a service that hangs
 * becomes a 503 well inside API Gateway's 30 s limit instead of a function timeout.
 */
export const CLIENT_DEFAULTS = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 },
} as const

export function optionalEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim()
  return value ? value : undefined
}

export function keyCacheTtlFromEnv(env: Env): number {
  const value = optionalEnv(env, 'KEY_CACHE_TTL_SECONDS')
  if (value === undefined) return 300
  if (!/^\d+$/.test(value) || Number(value) > 86_400) {
    throw invalidOption('KEY_CACHE_TTL_SECONDS', 'must be a whole number from 0 to 86400')
  }
  return Number(value)
}

/**
 * The flow store for a route function. `STORE=dynamodb` builds the DynamoDB store; core has
 * built `sealed` already. A memory store cannot work across functions, so it is refused when
 * PKCE is on (and unused when it is off).
 */
export function lambdaStoreFromEnv(
  env: Env,
  options: EnvOptions,
  client?: ClientInput<DynamoDBClient>,
): FlowStore | undefined {
  const store = optionalEnv(env, 'STORE') ?? 'memory'
  if (store === 'dynamodb') {
    const tableName = optionalEnv(env, 'FLOW_TABLE_NAME')
    if (!tableName) throw invalidOption('FLOW_TABLE_NAME', 'is required when STORE=dynamodb')
    return new DynamoDbFlowStore({
      tableName,
      ...(client ? { client } : { clientConfig: CLIENT_DEFAULTS }),
    })
  }
  if (options.pkce === false) return options.store
  if (store === 'sealed') return options.store
  throw invalidOption(
    'STORE',
    store === 'memory'
      ? 'must be dynamodb or sealed on Lambda: /authorize, /callback and /token run in separate functions'
      : `"${store}" is not available on Lambda; use dynamodb or sealed`,
  )
}

/**
 * The browser functions never sign and never check Cognito's secret; this stands in for both,
 * so a misrouted request fails closed (503) instead of loading a key.
 */
export const refusingKeySource: KeySource = {
  async signer(): Promise<Signer> {
    throw new ProxyError(
      'ERR_KEYS_UNAVAILABLE',
      'this function does not sign; route /token to the token function',
    )
  },
  async publicJwks(): Promise<Jwks> {
    throw new ProxyError(
      'ERR_KEYS_UNAVAILABLE',
      'this function has no keys; route the JWKS to the token function',
    )
  },
}

export async function refusingClientSecret(): Promise<string> {
  throw new ProxyError(
    'ERR_KEYS_UNAVAILABLE',
    'this function does not check client secrets; route /token to the token function',
  )
}
