/**
 * One of the proxy's Lambda functions with everything that is its own: a log group, a role with
 * an inline least-privilege policy, the function from its lambda-adapter bundle, the API
 * integration, and a route plus an invoke permission per route it serves.
 */
import { DEFAULT_PATHS, type RouteName } from '@idp-proxy/core'
import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'
import type { BundleName } from './bundles.js'
import {
  type FunctionAccess,
  functionPolicy,
  LAMBDA_ASSUME_ROLE_POLICY,
  type ProxyFunction,
} from './policies.js'

/** An API route key for one of the proxy's routes, at the proxy's own default path. */
const routeKey = (method: 'GET' | 'POST', route: RouteName): string =>
  `${method} ${DEFAULT_PATHS[route]}`

export const BROWSER_ROUTES: readonly string[] = [
  routeKey('GET', 'authorize'),
  routeKey('GET', 'callback'),
]
/** /userinfo, as Cognito calls it (attributes_request_method GET or POST): only when served. */
export const USERINFO_ROUTES: readonly string[] = [
  routeKey('GET', 'userinfo'),
  routeKey('POST', 'userinfo'),
]
/** Cognito's server-to-server routes (/token, /userinfo): on their own throttling budget. */
export const TOKEN_ROUTES: readonly string[] = [routeKey('POST', 'token'), ...USERINFO_ROUTES]
export const PUBLIC_ROUTES: readonly string[] = [routeKey('GET', 'jwks'), routeKey('GET', 'health')]

/**
 * Which API routes go to each function (each within the routes its lambda-adapter function
 * serves, `LAMBDA_FUNCTIONS`; a test checks). /token's function also serves /userinfo (when the
 * proxy fronts it), the JWKS and health.
 */
export const FUNCTION_ROUTES: Readonly<Record<ProxyFunction, readonly string[]>> = {
  authorize: [routeKey('GET', 'authorize')],
  callback: [routeKey('GET', 'callback')],
  // /userinfo is added where the proxy fronts it (USERINFO_ROUTES).
  token: [routeKey('POST', 'token'), ...PUBLIC_ROUTES],
  proxy: [...BROWSER_ROUTES, routeKey('POST', 'token'), ...PUBLIC_ROUTES],
}

/** The bundle each function runs. */
export const FUNCTION_BUNDLES: Readonly<Record<ProxyFunction, BundleName>> = {
  authorize: 'authorize',
  callback: 'callback',
  token: 'token',
  proxy: 'all',
}

/** The Lambda runtime of every function (Node.js 24 on Graviton). */
export const LAMBDA_RUNTIME = 'nodejs24.x'

/**
 * The function's role, created before the function: the KMS key's policy names the role of the
 * function serving /token, and the function's environment names the key.
 */
export function createFunctionRole(
  prefix: string,
  fn: ProxyFunction,
  childOptions: (name: string) => pulumi.CustomResourceOptions,
): aws.iam.Role {
  const name = `${prefix}-${fn}`
  return new aws.iam.Role(
    name,
    { assumeRolePolicy: LAMBDA_ASSUME_ROLE_POLICY, description: `idp-proxy ${fn} function` },
    childOptions(name),
  )
}

export interface ProxyFunctionArgs {
  fn: ProxyFunction
  /** Its role (createFunctionRole); the function's inline policy is attached here. */
  role: aws.iam.Role
  /** The routes this function serves (without PKCE, the browser routes are left out). */
  routes: readonly string[]
  /** The directory holding the bundle's index.mjs. */
  codeDir: string
  api: aws.apigatewayv2.Api
  stageName: pulumi.Input<string>
  environment: Record<string, pulumi.Input<string>>
  /** What the function may touch besides its own log group. */
  access: Omit<FunctionAccess, 'logGroupArn'>
  retentionInDays: pulumi.Input<number>
  memorySize: pulumi.Input<number>
  timeoutSeconds: pulumi.Input<number>
  /** Overrides for the function's own arguments (the component's `resources.function`). */
  overrides?: Partial<aws.lambda.FunctionArgs>
}

export interface ProxyFunctionResources {
  lambda: aws.lambda.Function
  routes: aws.apigatewayv2.Route[]
}

/**
 * Creates the function's resources; names start with `prefix-fn`. `childOptions` gives each its
 * options (the component as parent, aliases when the component was renamed).
 */
export function createProxyFunction(
  prefix: string,
  args: ProxyFunctionArgs,
  childOptions: (name: string) => pulumi.CustomResourceOptions,
): ProxyFunctionResources {
  const { fn, api } = args
  const name = `${prefix}-${fn}`
  const logGroup = new aws.cloudwatch.LogGroup(
    name,
    { retentionInDays: args.retentionInDays },
    childOptions(name),
  )
  const { role } = args
  const policy = new aws.iam.RolePolicy(
    name,
    { role: role.id, policy: functionPolicy({ logGroupArn: logGroup.arn, ...args.access }) },
    childOptions(name),
  )
  const lambda = new aws.lambda.Function(
    name,
    {
      runtime: LAMBDA_RUNTIME,
      architectures: ['arm64'],
      handler: 'index.handler',
      code: new pulumi.asset.FileArchive(args.codeDir),
      role: role.arn,
      memorySize: args.memorySize,
      timeout: args.timeoutSeconds,
      environment: { variables: args.environment },
      // Text: the proxy already writes one JSON object per line.
      loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
      description: `idp-proxy ${args.routes.join(', ')}`,
      ...args.overrides,
    },
    // The role's policy first, or the first invocations could not write their logs.
    { ...childOptions(name), dependsOn: [policy] },
  )
  const integration = new aws.apigatewayv2.Integration(
    name,
    {
      apiId: api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: lambda.arn,
      payloadFormatVersion: '2.0',
    },
    childOptions(name),
  )
  const routes: aws.apigatewayv2.Route[] = []
  const slugs = new Set<string>()
  for (const routeKey of args.routes) {
    const [method, path] = routeKey.split(' ') as [string, string]
    const bySlug = `${prefix}-${path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}`
    // A path served with a second method (POST /userinfo) gets the method in its name; the
    // first keeps the name it always had.
    const slug = slugs.has(bySlug) ? `${bySlug}-${method.toLowerCase()}` : bySlug
    slugs.add(slug)
    routes.push(
      new aws.apigatewayv2.Route(
        slug,
        { apiId: api.id, routeKey, target: pulumi.interpolate`integrations/${integration.id}` },
        childOptions(slug),
      ),
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
      childOptions(slug),
    )
  }
  return { lambda, routes }
}
