/**
 * The idp-proxy stack: one IdpProxy from the stack's configuration (Pulumi.yaml documents every
 * key), with Lambda bundles built from this repository's sources. The default export is the
 * stack's outputs.
 */
import * as pulumi from '@pulumi/pulumi'
import { buildBundles } from './build-bundles.js'
import { loadConfig } from './config.js'
import { missingEndpoints, resolveEndpoints } from './src/discovery.js'
import { IdpProxy } from './src/idp-proxy.js'

const config = loadConfig()

// Endpoints not configured come from the issuer's discovery document, fetched at deploy time.
const endpoints =
  missingEndpoints(config.endpoints).length === 0
    ? pulumi.output(config.endpoints as Required<typeof config.endpoints>)
    : pulumi.output(resolveEndpoints(config.issuer, config.endpoints))

const bundleDir = config.lambdaBundleDir ?? (await buildBundles()).dir

// The component's name is the same in every stack: `pulumi stack rename` keeps every resource.
// Stacks deployed before it was fixed named it after the stack; the alias adopts those.
const proxy = new IdpProxy(
  'idp-proxy',
  {
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
    ...(config.idpProfile ? { idpProfile: config.idpProfile } : {}),
    ...(config.par ? { par: config.par } : {}),
    ...(config.dpop === undefined ? {} : { dpop: config.dpop }),
    ...(config.idTokenEncryptionRequired === undefined
      ? {}
      : { idTokenEncryptionRequired: config.idTokenEncryptionRequired }),
    ...(config.userinfo === undefined ? {} : { userinfo: config.userinfo }),
    ...(config.idpParEndpoint ? { idpParEndpoint: config.idpParEndpoint } : {}),
    ...(config.kmsDecryptionKeySpec ? { kmsDecryptionKeySpec: config.kmsDecryptionKeySpec } : {}),
    // 0 leaves the generator without keepers, as stacks deployed before rotation existed have it.
    ...(config.sharedSecretRotation ? { sharedSecretRotation: config.sharedSecretRotation } : {}),
    functions: config.lambdaFunctions,
    protection: config.protection,
    pointInTimeRecovery: config.pointInTimeRecovery,
    deletionProtection: config.deletionProtection,
    logLevel: config.logLevel,
    verifyIdToken: config.verifyIdToken,
    idpMaxTokenBytes: config.idpMaxTokenBytes,
    idpMaxMetadataBytes: config.idpMaxMetadataBytes,
    metrics: config.metrics,
    ...(config.metricsNamespace ? { metricsNamespace: config.metricsNamespace } : {}),
    logRetentionDays: config.logRetentionDays,
    stageName: config.stageName,
    memorySize: config.lambdaMemoryMb,
    timeoutSeconds: config.lambdaTimeoutSeconds,
    throttle: {
      browser: { rateLimit: config.throttleRateLimit, burstLimit: config.throttleBurstLimit },
      token: {
        rateLimit: config.tokenThrottleRateLimit,
        burstLimit: config.tokenThrottleBurstLimit,
      },
    },
    bundleDir,
  },
  { aliases: [{ name: `idp-proxy-${pulumi.getStack()}` }] },
)

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
  /** The proxy's /userinfo (Cognito's attributes_url) when it fronts userinfo. */
  userinfoUrl: proxy.userinfoUrl,
  /** The KMS decryption key (kmsDecryptionKeySpec). */
  kmsDecryptionKeyArn: proxy.kmsDecryptionKeyArn,
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
