/**
 * The arguments of IdpProxy, with their defaults, and the constants it shares with callers and
 * tests.
 */
import { type IdpProfileName, MIN_CLIENT_SECRET_LENGTH, type SettingName } from '@idp-proxy/core'
import {
  KMS_DECRYPTION_KEY_SPECS,
  type KmsDecryptionKeySpec,
  type KmsKeySpec,
} from '@idp-proxy/lambda-adapter/iam'
import type * as aws from '@pulumi/aws'
import type * as pulumi from '@pulumi/pulumi'
import type { IdpEndpoints } from './discovery.js'

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

/** Function layouts: one function for every route, or one per route group (least privilege each). */
export const FUNCTION_LAYOUTS = ['single', 'per-route'] as const
export type FunctionLayout = (typeof FUNCTION_LAYOUTS)[number]

/**
 * What happens to the stateful resources (user pool, flow table, key secret, KMS key) when they
 * would be deleted: `protect` (Pulumi refuses: `pulumi destroy` and replacements stop),
 * `retain` (Pulumi forgets them and leaves them in AWS), `none` (deleted with the stack).
 */
export const PROTECTIONS = ['protect', 'retain', 'none'] as const
export type Protection = (typeof PROTECTIONS)[number]

export interface Throttle {
  /** Steady requests per second. */
  rateLimit: pulumi.Input<number>
  /** Burst (bucket size). */
  burstLimit: pulumi.Input<number>
}

/** Throttle defaults: browser routes and Cognito's /token each 20 requests/s, burst 40. */
export const DEFAULT_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const

/**
 * Overrides merged over the arguments the component gives its children (a shallow spread, the
 * override wins), in the spirit of awsx's args. For anything else use Pulumi's `transforms`
 * resource option on the component, which reaches every child.
 */
export interface IdpProxyResourceArgs {
  userPool?: Partial<aws.cognito.UserPoolArgs>
  userPoolClient?: Partial<aws.cognito.UserPoolClientArgs>
  flowTable?: Partial<aws.dynamodb.TableArgs>
  kmsKey?: Partial<aws.kms.KeyArgs>
  api?: Partial<aws.apigatewayv2.ApiArgs>
  stage?: Partial<aws.apigatewayv2.StageArgs>
  /** Applied to every Lambda function (e.g. `tracingConfig`, `reservedConcurrentExecutions`). */
  function?: Partial<aws.lambda.FunctionArgs>
}

export interface IdpProxyArgs {
  idp: {
    /** The IdP's issuer (Cognito's `oidc_issuer`, the proxy's IDP_ISSUER). */
    issuer: pulumi.Input<string>
    /** Client id registered at the IdP; Cognito and the proxy use the same id. */
    clientId: pulumi.Input<string>
    /** The IdP's endpoints (`resolveEndpoints` fills them from discovery). */
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
  /**
   * PKCE through the proxy (/authorize and /callback routes, flow table). Default `true`. A plain
   * boolean: it decides which resources exist.
   */
  pkce?: boolean
  /** Extra authorization parameters the proxy adds (e.g. `acr_values`). Default none. */
  authorizationParams?: pulumi.Input<Record<string, pulumi.Input<string>>>
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
  /**
   * KMS key spec in `kms` mode, one the adapter's KMS key source signs with (`KMS_KEY_SPECS`):
   * `RSA_2048` (RS256, default), `RSA_3072`, `RSA_4096`, `ECC_NIST_P256` (ES256) or
   * `ECC_NIST_P384` (ES384).
   */
  kmsKeySpec?: pulumi.Input<KmsKeySpec>
  /** The `kid` the proxy publishes for the KMS key. Default: the adapter's choice. */
  kmsKeyKid?: pulumi.Input<string>
  /**
   * The IdP's profile (IDP_PROFILE, docs/idps/README.md): its documented defaults (PAR, DPoP,
   * encrypted ID tokens, …), which the options below override within its limits. A plain value:
   * it decides routes and IAM.
   */
  idpProfile?: IdpProfileName
  /**
   * Pushed authorization requests (PAR). Default: the profile's, else `auto`. With `always` the
   * authorize function signs (it reads the key secret or uses the KMS key). With `auto` it does
   * not: if the IdP's discovery requires PAR, set `always`.
   */
  par?: 'auto' | 'always' | 'never'
  /** DPoP at PAR, token and userinfo (DPOP). Default: the profile's, else `false`. */
  dpop?: boolean
  /** Refuse ID tokens not encrypted to the proxy's `enc` key. Default: the profile's, else `false`. */
  idTokenEncryptionRequired?: boolean
  /**
   * The proxy serves /userinfo and Cognito's `attributes_url` points at it (USERINFO). Default:
   * the profile's, else on with `dpop`, `idTokenEncryptionRequired` or `par: always`.
   */
  userinfo?: boolean
  /** The IdP's PAR endpoint (IDP_PAR_ENDPOINT). Default: from discovery at run time. */
  idpParEndpoint?: pulumi.Input<string>
  /**
   * A KMS key that decrypts encrypted ID tokens (RSA-OAEP-256; KMS_DECRYPTION_KEY_IDS), created
   * with key usage ENCRYPT_DECRYPT, usable by the token function's role only. Default none:
   * put `use: "enc"` keys in the key secret instead (EC keys, ECDH-ES+A256KW, as Singpass
   * wants, only there: see docs/deploy-aws.md).
   */
  kmsDecryptionKeySpec?: KmsRsaDecryptionKeySpec
  /** Secret: private JWK/JWKS stored as the key secret's value. Default: left empty for upload. */
  privateKeyJwk?: pulumi.Input<string>
  /**
   * Secret: the Cognito<->proxy shared secret (32+ characters). Default: generated, 48
   * characters; change `sharedSecretRotation` to generate a new one.
   */
  sharedSecret?: pulumi.Input<string>
  /** Any change generates a new shared secret (the generator's keeper). Default `0`. */
  sharedSecretRotation?: pulumi.Input<number>
  /**
   * `single`: one function serves every route (one cold start per sign-in). `per-route`:
   * /authorize, /callback and /token (with the JWKS and /health) in their own functions, each
   * role with only what its routes need. Default `single`.
   */
  functions?: FunctionLayout
  /** What deleting the user pool, flow table, key secret or KMS key does. Default `protect`. */
  protection?: Protection
  /** DynamoDB point-in-time recovery of the flow table (its items live minutes). Default `false`. */
  pointInTimeRecovery?: pulumi.Input<boolean>
  /** AWS-side deletion protection on the user pool and the flow table. Default `false`. */
  deletionProtection?: pulumi.Input<boolean>
  /** The proxy's LOG_LEVEL. Default `"info"`. */
  logLevel?: pulumi.Input<string>
  /** Verify the IdP's id_token at /token (VERIFY_ID_TOKEN). Default `true`. */
  verifyIdToken?: pulumi.Input<boolean>
  /** Largest token answer read from the IdP, in bytes (IDP_MAX_TOKEN_BYTES). Default the proxy's. */
  idpMaxTokenBytes?: pulumi.Input<number>
  /** Largest discovery document or JWKS read from the IdP (IDP_MAX_METADATA_BYTES). */
  idpMaxMetadataBytes?: pulumi.Input<number>
  /** `emf`: the functions write CloudWatch Embedded Metric Format lines (METRICS). Default `off`. */
  metrics?: 'off' | 'emf'
  /** The CloudWatch namespace of the metrics (METRICS_NAMESPACE). Default `IdpProxy`. */
  metricsNamespace?: pulumi.Input<string>
  /**
   * Any other proxy setting by its variable (docs/configuration.md), e.g. `{ MAX_STATE_BYTES:
   * '4096' }`: each function gets the ones its runtime reads. Secret settings are refused (they
   * would sit in clear in the functions' environment); the component's own wiring wins.
   */
  settings?: Partial<Record<SettingName, pulumi.Input<string>>>
  /** Retention of every log group, in days. Default `30`. */
  logRetentionDays?: pulumi.Input<number>
  /** API stage name; the proxy's base URL is `<api endpoint>/<stage>`. Default `"v1"`. */
  stageName?: pulumi.Input<string>
  /** Lambda memory in MB. Default `256`. */
  memorySize?: pulumi.Input<number>
  /** Lambda timeout in seconds (under API Gateway's 30 s). Default `15`. */
  timeoutSeconds?: pulumi.Input<number>
  /**
   * Per-route throttling of the stage. `browser`: /authorize, /callback, the JWKS and /health
   * (the stage default); `token`: /token, Cognito's calls, on its own budget so a flood of
   * browser requests cannot starve sign-ins. Default 20 requests/s, burst 40 each.
   */
  throttle?: { browser?: Throttle; token?: Throttle }
  /**
   * Directory holding the lambda-adapter bundles (`<bundleDir>/<bundle>/index.mjs`). Default:
   * the prebuilt bundles of the installed `@idp-proxy/lambda-adapter`.
   */
  bundleDir?: string
  /** Overrides of the children's arguments. */
  resources?: IdpProxyResourceArgs
}

/**
 * The KMS decryption key specs the component creates: RSA with ENCRYPT_DECRYPT. @pulumi/aws
 * 7.48 types `keyUsage` as a plain string and documents only ENCRYPT_DECRYPT, SIGN_VERIFY and
 * GENERATE_VERIFY_MAC, so KEY_AGREEMENT (EC) keys are not offered here.
 */
export type KmsRsaDecryptionKeySpec = Extract<KmsDecryptionKeySpec, `RSA_${string}`>
export const KMS_RSA_DECRYPTION_KEY_SPECS = (
  Object.keys(KMS_DECRYPTION_KEY_SPECS) as KmsDecryptionKeySpec[]
).filter(
  (spec): spec is KmsRsaDecryptionKeySpec =>
    KMS_DECRYPTION_KEY_SPECS[spec].keyUsage === 'ENCRYPT_DECRYPT',
)

/** The shortest shared secret the component accepts: the proxy's own minimum. */
export const SHARED_SECRET_MIN_LENGTH = MIN_CLIENT_SECRET_LENGTH
