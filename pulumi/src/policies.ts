/**
 * IAM for the proxy's functions. Per route: one role per function, each with only what its routes
 * need (/authorize and /callback touch only the flow table; only /token reads the secrets or uses
 * the KMS key). Single function: one role with the union of those, still naming every resource.
 * There is no `"Resource": "*"` here. The actions are the lambda-adapter's own
 * (`FUNCTION_ACTIONS`, from what its store and key sources call), imported without the AWS SDK.
 */
import {
  FUNCTION_ACTIONS,
  type FunctionMode,
  functionActionsFor,
  LAMBDA_FUNCTIONS,
  type LambdaFunction,
  LOG_ACTIONS,
} from '@idp-proxy/lambda-adapter/iam'
import * as pulumi from '@pulumi/pulumi'

/** A function of the per-route layout, or `proxy`, the one function of the single layout. */
export type ProxyFunction = LambdaFunction | 'proxy'

const ALL_FUNCTIONS = Object.keys(LAMBDA_FUNCTIONS) as LambdaFunction[]

/**
 * What each deployed function needs in `mode` (PAR: /authorize signs; userinfo: /token saves the
 * access-token record): the single function, every route's actions.
 */
function actionsOf(
  fn: ProxyFunction,
  kind: 'flowTable' | 'secrets' | 'kmsKey',
  mode: FunctionMode = {},
): readonly string[] {
  const of = (one: LambdaFunction) => functionActionsFor(one, mode)[kind]
  if (fn !== 'proxy') return of(fn)
  return [...new Set(ALL_FUNCTIONS.flatMap(of))].sort()
}

/** Flow-table actions of `fn` in `mode`. */
export function tableActionsFor(fn: ProxyFunction, mode: FunctionMode): readonly string[] {
  return actionsOf(fn, 'flowTable', mode)
}

/** Whether `fn` signs client assertions in `mode`: /token always, /authorize with PAR. */
export function signs(fn: ProxyFunction, mode: FunctionMode): boolean {
  return actionsOf(fn, 'kmsKey', mode).length > 0
}

/**
 * Flow-table actions per function. The DynamoDB store saves with PutItem and takes (atomically,
 * once) with DeleteItem + ReturnValues ALL_OLD, so no function needs GetItem, Query or Scan.
 * /authorize saves the flow; /callback takes it and saves the code handle; /token takes that.
 */
export const TABLE_ACTIONS: Readonly<Record<ProxyFunction, readonly string[]>> = {
  authorize: actionsOf('authorize', 'flowTable'),
  callback: actionsOf('callback', 'flowTable'),
  token: actionsOf('token', 'flowTable'),
  proxy: actionsOf('proxy', 'flowTable'),
}

/** kms:GetPublicKey feeds the JWKS route; kms:Sign signs client assertions. */
export const KMS_ACTIONS: readonly string[] = FUNCTION_ACTIONS.token.kmsKey

/** The lambda-adapter function whose entry (and settings) a deployed function runs. */
export const LAMBDA_FUNCTION_OF: Readonly<Record<ProxyFunction, LambdaFunction>> = {
  authorize: 'authorize',
  callback: 'callback',
  token: 'token',
  // The single function runs the `all` entry: the token proxy, serving every route.
  proxy: 'token',
}

/** Whether the function signs and reads secrets (the token routes). */
export function holdsSecrets(fn: ProxyFunction): boolean {
  return fn === 'token' || fn === 'proxy'
}

export interface FunctionAccess {
  /** The function's own log group (its streams are `<arn>:log-stream:<name>`). */
  logGroupArn: pulumi.Input<string>
  table?: { arn: pulumi.Input<string>; actions: readonly string[] }
  /** Secrets Manager secrets the function may read (token routes only). */
  secretArns?: pulumi.Input<string>[]
  /** The KMS signing key (token routes, and /authorize with PAR; KMS key mode). */
  kmsKeyArn?: pulumi.Input<string>
  /** A KMS decryption key (token routes only) and the actions its kind needs. */
  kmsDecryptionKey?: { arn: pulumi.Input<string>; actions: readonly string[] }
}

export interface PolicyStatement {
  Sid: string
  Effect: 'Allow'
  Action: string[]
  Resource: pulumi.Input<string>[]
}

/** Lambda may assume the role; nothing else. */
export const LAMBDA_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'lambda.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
})

export function functionStatements(access: FunctionAccess): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    {
      // The log group exists already (created by the component), so no logs:CreateLogGroup. The
      // wildcard is the stream name, which Lambda picks at run time, inside this one group.
      Sid: 'WriteOwnLogs',
      Effect: 'Allow',
      Action: [...LOG_ACTIONS],
      Resource: [pulumi.interpolate`${access.logGroupArn}:log-stream:*`],
    },
  ]
  if (access.table && access.table.actions.length > 0) {
    statements.push({
      Sid: 'FlowTable',
      Effect: 'Allow',
      Action: [...access.table.actions],
      Resource: [access.table.arn],
    })
  }
  if (access.secretArns && access.secretArns.length > 0) {
    statements.push({
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: [...FUNCTION_ACTIONS.token.secrets],
      Resource: access.secretArns,
    })
  }
  if (access.kmsKeyArn) {
    statements.push({
      Sid: 'SignWithKmsKey',
      Effect: 'Allow',
      Action: [...KMS_ACTIONS],
      Resource: [access.kmsKeyArn],
    })
  }
  if (access.kmsDecryptionKey) {
    statements.push({
      Sid: 'DecryptWithKmsKey',
      Effect: 'Allow',
      Action: [...access.kmsDecryptionKey.actions],
      Resource: [access.kmsDecryptionKey.arn],
    })
  }
  return statements
}

/** The inline policy document of one function's role, as JSON. */
export function functionPolicy(access: FunctionAccess): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: functionStatements(access) })
}
