/**
 * IAM for the proxy's functions. Per route: one role per function, each with only what its routes
 * need (/authorize and /callback touch only the flow table; only /token reads the secrets or uses
 * the KMS key). Single function: one role with the union of those, still naming every resource.
 * There is no `"Resource": "*"` here. The actions are the lambda-adapter's own
 * (`FUNCTION_ACTIONS`, from what its store and key sources call), imported without the AWS SDK.
 */
import {
  FUNCTION_ACTIONS,
  type FunctionActions,
  LAMBDA_FUNCTIONS,
  type LambdaFunction,
  LOG_ACTIONS,
} from '@idp-proxy/lambda-adapter/iam'
import * as pulumi from '@pulumi/pulumi'

/** A function of the per-route layout, or `proxy`, the one function of the single layout. */
export type ProxyFunction = LambdaFunction | 'proxy'

const ALL_FUNCTIONS = Object.keys(LAMBDA_FUNCTIONS) as LambdaFunction[]

/**
 * What each deployed function needs: the single function, every route's actions. (KMS
 * decryption keys, `kmsDecryptionKey`, are not deployed by this component yet.)
 */
function actionsOf(
  fn: ProxyFunction,
  kind: Exclude<keyof FunctionActions, 'kmsDecryptionKey' | 'par' | 'userinfo'>,
): readonly string[] {
  if (fn !== 'proxy') return FUNCTION_ACTIONS[fn][kind]
  return [...new Set(ALL_FUNCTIONS.flatMap((one) => FUNCTION_ACTIONS[one][kind]))].sort()
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
  /** The KMS signing key (token routes only, KMS key mode). */
  kmsKeyArn?: pulumi.Input<string>
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
  return statements
}

/** The inline policy document of one function's role, as JSON. */
export function functionPolicy(access: FunctionAccess): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: '2012-10-17', Statement: functionStatements(access) })
}
