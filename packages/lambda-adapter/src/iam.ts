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
  /**
   * Added when the function pushes authorization requests (PAR on, by setting or profile): it
   * signs the client assertion, so it reads the key secret or signs with the KMS key.
   */
  readonly par: { readonly secrets: readonly string[]; readonly kmsKey: readonly string[] }
  /**
   * Added when the proxy serves /userinfo (USERINFO, or on by DPoP, encryption or PAR): /token
   * saves the access-token record that /userinfo takes.
   */
  readonly userinfo: { readonly flowTable: readonly string[] }
}

/** Which FAPI features a deployment turns on: what adds to the functions' actions. */
export interface FunctionMode {
  /** PAR is on: /authorize signs. */
  readonly par?: boolean
  /** /userinfo is served. */
  readonly userinfo?: boolean
}

const NO_DECRYPTION = { rsa: [], ec: [] } as const
const NOTHING_MORE = { par: { secrets: [], kmsKey: [] }, userinfo: { flowTable: [] } } as const

/**
 * /authorize saves the flow (and with PAR reads the key and signs); /callback takes it and saves
 * the code handle; /token takes that, reads its secrets and signs (and with /userinfo saves the
 * access-token record, which /userinfo, in the same function, takes). No function needs
 * GetItem, Query or Scan. `functionActionsFor` applies a mode.
 */
export const FUNCTION_ACTIONS: Readonly<Record<LambdaFunction, FunctionActions>> = {
  authorize: {
    flowTable: [...DYNAMODB_STORE_ACTIONS.save],
    secrets: [],
    kmsKey: [],
    kmsDecryptionKey: NO_DECRYPTION,
    par: { secrets: [...SECRETS_MANAGER_ACTIONS], kmsKey: [...KMS_KEY_SOURCE_ACTIONS] },
    userinfo: { flowTable: [] },
  },
  callback: {
    flowTable: [...DYNAMODB_STORE_ACTIONS.take, ...DYNAMODB_STORE_ACTIONS.save],
    secrets: [],
    kmsKey: [],
    kmsDecryptionKey: NO_DECRYPTION,
    ...NOTHING_MORE,
  },
  token: {
    flowTable: [...DYNAMODB_STORE_ACTIONS.take],
    secrets: [...SECRETS_MANAGER_ACTIONS],
    kmsKey: [...KMS_KEY_SOURCE_ACTIONS],
    kmsDecryptionKey: {
      rsa: [...KMS_DECRYPTER_ACTIONS.rsa],
      ec: [...KMS_DECRYPTER_ACTIONS.ec],
    },
    par: { secrets: [], kmsKey: [] },
    userinfo: { flowTable: [...DYNAMODB_STORE_ACTIONS.save] },
  },
}

const merge = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])].sort()

/** What `fn` needs in `mode`: its base actions plus the mode's additions (sorted, each once). */
export function functionActionsFor(
  fn: LambdaFunction,
  mode: FunctionMode,
): Pick<FunctionActions, 'flowTable' | 'secrets' | 'kmsKey' | 'kmsDecryptionKey'> {
  const base = FUNCTION_ACTIONS[fn]
  const par = mode.par ? base.par : NOTHING_MORE.par
  const userinfo = mode.userinfo ? base.userinfo : NOTHING_MORE.userinfo
  return {
    flowTable: merge(base.flowTable, userinfo.flowTable),
    secrets: merge(base.secrets, par.secrets),
    kmsKey: merge(base.kmsKey, par.kmsKey),
    kmsDecryptionKey: base.kmsDecryptionKey,
  }
}

/** Writing its own log streams (in a log group created beforehand: no logs:CreateLogGroup). */
export const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const
