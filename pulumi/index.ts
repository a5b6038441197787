/**
 * The idp-proxy stack: one IdpProxy from the stack's configuration (Pulumi.yaml documents every
 * key). The exports are the stack outputs.
 */
import * as pulumi from '@pulumi/pulumi'
import { loadConfig } from './config.js'
import { missingEndpoints, resolveEndpoints } from './discovery.js'
import { IdpProxy } from './idp-proxy.js'

const config = loadConfig()

// Endpoints not configured come from the issuer's discovery document, fetched at deploy time.
const endpoints =
  missingEndpoints(config.endpoints).length === 0
    ? pulumi.output(config.endpoints as Required<typeof config.endpoints>)
    : pulumi.output(resolveEndpoints(config.issuer, config.endpoints))

const proxy = new IdpProxy(`idp-proxy-${pulumi.getStack()}`, {
  idp: {
    issuer: config.issuer,
    clientId: config.clientId,
    endpoints,
    scopes: config.idpScopes,
    attributesRequestMethod: config.attributesRequestMethod,
    attributeMapping: config.attributeMapping,
    providerName: config.providerName,
  },
  pkce: config.pkce,
  authorizationParams: config.authorizationParams,
  ...(config.assertionAudience ? { assertionAudience: config.assertionAudience } : {}),
  cognito: {
    domainPrefix: config.domainPrefix,
    callbackUrls: config.callbackUrls,
    logoutUrls: config.logoutUrls,
    scopes: config.appScopes,
    generateClientSecret: config.generateAppClientSecret,
  },
  keyMode: config.keyMode,
  kmsKeySpec: config.kmsKeySpec,
  ...(config.kmsKeyKid ? { kmsKeyKid: config.kmsKeyKid } : {}),
  ...(config.privateKeyJwk ? { privateKeyJwk: config.privateKeyJwk } : {}),
  ...(config.sharedSecret ? { sharedSecret: config.sharedSecret } : {}),
  pointInTimeRecovery: config.pointInTimeRecovery,
  deletionProtection: config.deletionProtection,
  logLevel: config.logLevel,
  logRetentionDays: config.logRetentionDays,
  stageName: config.stageName,
  memorySize: config.lambdaMemoryMb,
  timeoutSeconds: config.lambdaTimeoutSeconds,
  throttle: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
  ...(config.lambdaBundleDir ? { bundleDir: config.lambdaBundleDir } : {}),
})

/**
 * The stack outputs. A default export (rather than named exports) so outputs that do not apply
 * to this stack's modes are left out instead of printed as "Undefined value" warnings.
 */
const outputs: Record<string, pulumi.Output<string> | undefined> = {
  /** Register this redirect URI at the IdP (the proxy's /callback with PKCE, else Cognito's). */
  idpRedirectUri: proxy.idpRedirectUri,
  /** The proxy's /callback (PKCE mode). */
  proxyCallbackUrl: config.pkce ? proxy.idpRedirectUri : undefined,
  cognitoIdpResponseUrl: proxy.cognitoIdpResponseUrl,
  proxyBaseUrl: proxy.proxyBaseUrl,
  tokenUrl: proxy.tokenUrl,
  /** For an IdP that fetches client keys from a jwks_uri. */
  jwksUrl: proxy.jwksUrl,
  /** Secrets Manager key mode: upload the private JWK/JWKS here. */
  privateKeySecretArn: proxy.privateKeySecretArn,
  /** KMS key mode: the signing key. */
  kmsKeyArn: proxy.kmsKeyArn,
  sharedSecretArn: proxy.sharedSecretArn,
  flowTableName: proxy.flowTableName,
  hostedUiUrl: proxy.hostedUiUrl,
  signInUrl: proxy.signInUrl,
  userPoolId: proxy.userPoolId,
  userPoolClientId: proxy.userPoolClientId,
}

export default Object.fromEntries(
  Object.entries(outputs).filter(
    (entry): entry is [string, pulumi.Output<string>] => entry[1] !== undefined,
  ),
)
