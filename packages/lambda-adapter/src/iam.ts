/**
 * `@idp-proxy/lambda-adapter/iam`: what a deployment needs to know about the functions without
 * loading the AWS SDK: the IAM actions each function needs (from what its store and key sources
 * call, so a new store call cannot be forgotten in a policy), the flow table's attributes and
 * the KMS key specs. The Pulumi component builds each function's least-privilege policy and
 * its resources from this.
 */
import { DYNAMODB_STORE_ACTIONS } from './dynamodb-schema.js'
import type { LambdaFunction } from './functions.js'
import { KMS_DECRYPTER_ACTIONS, KMS_KEY_SOURCE_ACTIONS } from './kms-specs.js'

export { DYNAMODB_ATTRIBUTES, DYNAMODB_STORE_ACTIONS } from './dynamodb-schema.js'
export { LAMBDA_FUNCTIONS, type LambdaFunction } from './functions.js'
export {
  KMS_DECRYPTER_ACTIONS,
  KMS_DECRYPTION_KEY_SPECS,
  KMS_KEY_SOURCE_ACTIONS,
  KMS_KEY_SPECS,
  KMS_SIGNING_ALGORITHMS,
  type KmsDecryptionKeySpec,
  type KmsKeySpec,
  kmsDecrypterActionsFor,
  kmsDecryptionKeySpecsFor,
  kmsKeySpecsFor,
} from './kms-specs.js'

/** The IAM action the Secrets Manager sources call (on the secrets they read, nothing else). */
export const SECRETS_MANAGER_ACTIONS = ['secretsmanager:GetSecretValue'] as const

export interface FunctionActions {
  /** On the flow table (STORE=dynamodb). */
  readonly flowTable: readonly string[]
  /** On the secrets it reads: the private key, Cognito's client secret (token only). */
  readonly secrets: readonly string[]
  /** On the KMS signing key (token only, with KMS_KEY_ID). */
  readonly kmsKey: readonly string[]
  /**
   * On KMS decryption keys (token only: it decrypts encrypted ID tokens), by key kind: an RSA
   * ENCRYPT_DECRYPT key needs kms:Decrypt, an EC KEY_AGREEMENT key kms:DeriveSharedSecret; both
   * kms:GetPublicKey (the JWKS). Grant only the kind of each key (kmsDecrypterActionsFor).
   */
  readonly kmsDecryptionKey: { readonly rsa: readonly string[]; readonly ec: readonly string[] }
}

const NO_DECRYPTION = { rsa: [], ec: [] } as const

/**
 * /authorize saves the flow; /callback takes it and saves the code handle; /token takes that,
 * reads its secrets and signs. No function needs GetItem, Query or Scan.
 */
export const FUNCTION_ACTIONS: Readonly<Record<LambdaFunction, FunctionActions>> = {
  authorize: {
    flowTable: [...DYNAMODB_STORE_ACTIONS.save],
    secrets: [],
    kmsKey: [],
    kmsDecryptionKey: NO_DECRYPTION,
  },
  callback: {
    flowTable: [...DYNAMODB_STORE_ACTIONS.take, ...DYNAMODB_STORE_ACTIONS.save],
    secrets: [],
    kmsKey: [],
    kmsDecryptionKey: NO_DECRYPTION,
  },
  token: {
    flowTable: [...DYNAMODB_STORE_ACTIONS.take],
    secrets: [...SECRETS_MANAGER_ACTIONS],
    kmsKey: [...KMS_KEY_SOURCE_ACTIONS],
    kmsDecryptionKey: {
      rsa: [...KMS_DECRYPTER_ACTIONS.rsa],
      ec: [...KMS_DECRYPTER_ACTIONS.ec],
    },
  },
}

/** Writing its own log streams (in a log group created beforehand: no logs:CreateLogGroup). */
export const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const
