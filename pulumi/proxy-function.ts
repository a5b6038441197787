/**
 * One of the proxy's Lambda functions with everything that is its own: a log group, a role with
 * an inline least-privilege policy, the function from its lambda-adapter bundle, the API
 * integration, and a route plus an invoke permission per route it serves.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'
import {
  type FunctionAccess,
  functionPolicy,
  LAMBDA_ASSUME_ROLE_POLICY,
  type ProxyFunction,
} from './policies.js'

/** Which routes each function serves. /token's function also serves the JWKS and health routes. */
export const FUNCTION_ROUTES: Readonly<Record<ProxyFunction, readonly string[]>> = {
  authorize: ['GET /authorize'],
  callback: ['GET /callback'],
  token: ['POST /token', 'GET /.well-known/jwks.json', 'GET /health'],
}

/** The bundle of `fn` (`<bundleDir>/<fn>/index.mjs`), or an error naming the build command. */
export function checkBundle(bundleDir: string, fn: ProxyFunction, resource: pulumi.Resource): void {
  const file = join(bundleDir, fn, 'index.mjs')
  if (!existsSync(file)) {
    throw new pulumi.ResourceError(
      `Lambda bundle ${file} is missing: run \`pnpm --filter @idp-proxy/lambda-adapter build\` first`,
      resource,
    )
  }
}

export interface ProxyFunctionArgs {
  fn: ProxyFunction
  bundleDir: string
  api: aws.apigatewayv2.Api
  stageName: string
  environment: Record<string, pulumi.Input<string>>
  /** What the function may touch besides its own log group. */
  access: Omit<FunctionAccess, 'logGroupArn'>
  retentionInDays: pulumi.Input<number>
  memorySize: pulumi.Input<number>
  timeoutSeconds: pulumi.Input<number>
}

/** Creates the function's resources as children of `parent`; names start with `prefix-fn`. */
export function createProxyFunction(
  prefix: string,
  args: ProxyFunctionArgs,
  parent: pulumi.Resource,
): aws.lambda.Function {
  const { fn, api } = args
  const name = `${prefix}-${fn}`
  const logGroup = new aws.cloudwatch.LogGroup(
    name,
    { retentionInDays: args.retentionInDays },
    { parent },
  )
  const role = new aws.iam.Role(
    name,
    { assumeRolePolicy: LAMBDA_ASSUME_ROLE_POLICY, description: `idp-proxy ${fn} function` },
    { parent },
  )
  const policy = new aws.iam.RolePolicy(
    name,
    { role: role.id, policy: functionPolicy({ logGroupArn: logGroup.arn, ...args.access }) },
    { parent },
  )
  const lambda = new aws.lambda.Function(
    name,
    {
      runtime: 'nodejs22.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      code: new pulumi.asset.FileArchive(join(args.bundleDir, fn)),
      role: role.arn,
      memorySize: args.memorySize,
      timeout: args.timeoutSeconds,
      environment: { variables: args.environment },
      // Text: the proxy already writes one JSON object per line.
      loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
      description: `idp-proxy ${FUNCTION_ROUTES[fn].join(', ')}`,
    },
    // The role's policy first, or the first invocations could not write their logs.
    { parent, dependsOn: [policy] },
  )
  const integration = new aws.apigatewayv2.Integration(
    name,
    {
      apiId: api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: lambda.arn,
      payloadFormatVersion: '2.0',
    },
    { parent },
  )
  for (const routeKey of FUNCTION_ROUTES[fn]) {
    const [method, path] = routeKey.split(' ') as [string, string]
    const slug = `${prefix}-${path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}`
    new aws.apigatewayv2.Route(
      slug,
      { apiId: api.id, routeKey, target: pulumi.interpolate`integrations/${integration.id}` },
      { parent },
    )
    // Only this API, stage, method and path may invoke the function.
    new aws.lambda.Permission(
      slug,
      {
        action: 'lambda:InvokeFunction',
        function: lambda.name,
        principal: 'apigateway.amazonaws.com',
        sourceArn: pulumi.interpolate`${api.executionArn}/${args.stageName}/${method}${path}`,
      },
      { parent },
    )
  }
  return lambda
}
