/**
 * The proxy's Lambda functions: each one's settings runtime and routes. No AWS SDK here, so a
 * deployment reads it through `@idp-proxy/lambda-adapter/iam`.
 */
import type { RouteName, Runtime } from '@idp-proxy/core'

/** The proxy's Lambda functions. */
export type LambdaFunction = 'authorize' | 'callback' | 'token'

/**
 * Each function's settings runtime (the settings table's "read by" column) and the routes it
 * serves. The token function serves every route, so that it can also run alone behind one
 * Function URL; behind API Gateway it is given /token, the JWKS and /health.
 */
export const LAMBDA_FUNCTIONS: Readonly<
  Record<LambdaFunction, { runtime: Runtime; routes: readonly RouteName[] | undefined }>
> = {
  authorize: { runtime: 'lambda:authorize', routes: ['authorize', 'health'] },
  callback: { runtime: 'lambda:callback', routes: ['callback', 'health'] },
  token: { runtime: 'lambda:token', routes: undefined },
}
