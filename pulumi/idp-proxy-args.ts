/**
 * The arguments of IdpProxy, with their defaults, and the constants it shares with callers and
 * tests.
 */
import { fileURLToPath } from 'node:url'
import type * as pulumi from '@pulumi/pulumi'
import type { IdpEndpoints } from './discovery.js'

/** The lambda-adapter's bundles: <dir>/{authorize,callback,token}/index.mjs. */
export const DEFAULT_BUNDLE_DIR = fileURLToPath(
  new URL('../packages/lambda-adapter/dist', import.meta.url),
)

/** Access log line: no query string, so no code, state or handle reaches the logs. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
})

export interface IdpProxyArgs {
  idp: {
    /** The IdP's issuer (Cognito's `oidc_issuer`, the proxy's IDP_ISSUER). */
    issuer: pulumi.Input<string>
    /** Client id registered at the IdP; Cognito and the proxy use the same id. */
    clientId: pulumi.Input<string>
    /** The IdP's endpoints (see `resolveEndpoints` in discovery.ts to fill them from discovery). */
    endpoints: pulumi.Input<IdpEndpoints>
    /** Scopes Cognito asks the IdP for. Default `["openid", "email", "profile"]`. */
    scopes?: pulumi.Input<pulumi.Input<string>[]>
    /** How Cognito calls userinfo. Default `"GET"`. */
    attributesRequestMethod?: pulumi.Input<'GET' | 'POST'>
    /** User pool attribute -> IdP claim. Default `{ email: "email", username: "sub" }`. */
    attributeMapping?: pulumi.Input<Record<string, pulumi.Input<string>>>
    /** The provider's name in Cognito (identity_provider=...). Default `"IdP"`. */
    providerName?: pulumi.Input<string>
  }
  /** PKCE through the proxy (/authorize and /callback functions, flow table). Default `true`. */
  pkce?: boolean
  /** Extra authorization parameters the proxy adds (e.g. `acr_values`). Default none. */
  authorizationParams?: pulumi.Input<Record<string, string>>
  /** `aud` of the client assertion: `token_endpoint` (proxy default), `issuer` or a URL. */
  assertionAudience?: pulumi.Input<string>
  cognito: {
    /** Prefix of the Cognito domain: https://<prefix>.auth.<region>.amazoncognito.com. */
    domainPrefix: pulumi.Input<string>
    /** The application's callback URLs (the app client's). */
    callbackUrls: pulumi.Input<pulumi.Input<string>[]>
    /** The application's sign-out URLs. Default none. */
    logoutUrls?: pulumi.Input<pulumi.Input<string>[]>
    /** OAuth scopes the app client may request. Default `["openid", "email", "profile"]`. */
    scopes?: pulumi.Input<pulumi.Input<string>[]>
    /** Give the app client a secret (confidential client). Default `false`. */
    generateClientSecret?: pulumi.Input<boolean>
  }
  /** Where the signing key lives: a Secrets Manager secret (default) or an asymmetric KMS key. */
  keyMode?: 'secretsmanager' | 'kms'
  /** KMS key spec in `kms` mode: `RSA_2048` (RS256, default), `ECC_NIST_P256` (ES256) or `ECC_NIST_P384` (ES384). */
  kmsKeySpec?: pulumi.Input<'RSA_2048' | 'ECC_NIST_P256' | 'ECC_NIST_P384'>
  /** The `kid` the proxy publishes for the KMS key. Default: the adapter's choice. */
  kmsKeyKid?: pulumi.Input<string>
  /** Secret: private JWK/JWKS stored as the key secret's value. Default: left empty for upload. */
  privateKeyJwk?: pulumi.Input<string>
  /** Secret: the Cognito<->proxy shared secret. Default: a generated 48-character secret. */
  sharedSecret?: pulumi.Input<string>
  /** DynamoDB point-in-time recovery of the flow table (its items live minutes). Default `false`. */
  pointInTimeRecovery?: pulumi.Input<boolean>
  /** Deletion protection on the user pool and the flow table. Default `false`. */
  deletionProtection?: pulumi.Input<boolean>
  /** The proxy's LOG_LEVEL. Default `"info"`. */
  logLevel?: pulumi.Input<string>
  /** Retention of every log group, in days. Default `30`. */
  logRetentionDays?: pulumi.Input<number>
  /** API stage name; the proxy's base URL is `<api endpoint>/<stage>`. Default `"v1"`. */
  stageName?: string
  /** Lambda memory in MB. Default `256`. */
  memorySize?: pulumi.Input<number>
  /** Lambda timeout in seconds (under API Gateway's 30 s). Default `15`. */
  timeoutSeconds?: pulumi.Input<number>
  /** Stage throttling. Default 20 requests/s, burst 40. */
  throttle?: { rateLimit: pulumi.Input<number>; burstLimit: pulumi.Input<number> }
  /** Directory of the lambda-adapter bundles. Default `packages/lambda-adapter/dist`. */
  bundleDir?: string
}
