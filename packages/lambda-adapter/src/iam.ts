/**
 * The IAM actions each Lambda function needs, from what its store and key sources call: the
 * Pulumi program (or any other deployment) builds each function's least-privilege policy from
 * this, so a new store call cannot be forgotten in the policy.
 */
import { DYNAMODB_STORE_ACTIONS } from './dynamodb-store.js'
import { KMS_KEY_SOURCE_ACTIONS } from './kms-key-source.js'
import type { LambdaFunction } from './lambda-env.js'
import { SECRETS_MANAGER_ACTIONS } from './secrets-manager.js'

export interface FunctionActions {
  /** On the flow table (STORE=dynamodb). */
  readonly flowTable: readonly string[]
  /** On the secrets it reads: the private key, Cognito's client secret (token only). */
  readonly secrets: readonly string[]
  /** On the KMS signing key (token only, with KMS_KEY_ID). */
  readonly kmsKey: readonly string[]
}

/**
 * /authorize saves the flow; /callback takes it and saves the code handle; /token takes that,
 * reads its secrets and signs. No function needs GetItem, Query or Scan.
 */
export const FUNCTION_ACTIONS: Readonly<Record<LambdaFunction, FunctionActions>> = {
  authorize: { flowTable: [...DYNAMODB_STORE_ACTIONS.save], secrets: [], kmsKey: [] },
  callback: {
    flowTable: [...DYNAMODB_STORE_ACTIONS.take, ...DYNAMODB_STORE_ACTIONS.save],
    secrets: [],
    kmsKey: [],
  },
  token: {
    flowTable: [...DYNAMODB_STORE_ACTIONS.take],
    secrets: [...SECRETS_MANAGER_ACTIONS],
    kmsKey: [...KMS_KEY_SOURCE_ACTIONS],
  },
}

/** Writing its own log streams (in a log group created beforehand: no logs:CreateLogGroup). */
export const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const
