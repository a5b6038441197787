/**
 * IdpProxy: a Cognito user pool federated with an OIDC IdP through idp-proxy on Lambda behind an
 * API Gateway HTTP API. Reusable from other Pulumi programs:
 *
 *   import { IdpProxy } from '@idp-proxy/pulumi'
 *
 * Cognito's OIDC provider points at the proxy for /token (and /authorize with PKCE, /userinfo when
 * the proxy fronts it: FAPI IdPs); jwks_uri and issuer stay the IdP's, since Cognito validates
 * the IdP's ID tokens itself.
 */
import { resolveFapiOptions, SETTINGS, type SettingName, settingsOf } from '@idp-proxy/core'
import { kmsDecrypterActionsFor, LAMBDA_FUNCTIONS } from '@idp-proxy/lambda-adapter/iam'
import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'
import * as random from '@pulumi/random'
import {
  ACCESS_LOG_FORMAT,
  DEFAULT_THROTTLE,
  type IdpProxyArgs,
  type Protection,
  SHARED_SECRET_MIN_LENGTH,
} from './args.js'
import { bundleDirectory, installedBundleDirectory } from './bundles.js'
import { FLOW_TABLE_ATTRIBUTES } from './flow-table.js'
import { kmsKeyPolicy } from './kms-key-policy.js'
import {
  holdsSecrets,
  LAMBDA_FUNCTION_OF,
  type ProxyFunction,
  signs,
  tableActionsFor,
} from './policies.js'
import {
  BROWSER_ROUTES,
  createFunctionRole,
  createProxyFunction,
  FUNCTION_BUNDLES,
  FUNCTION_ROUTES,
  type ProxyFunctionResources,
  TOKEN_ROUTES,
  USERINFO_ROUTES,
} from './proxy-function.js'

/**
 * The settings of signing (the key and the client assertion): the authorize function reads them
 * for PAR, so it gets them only when PAR is on.
 */
const SIGNING_SETTINGS: ReadonlySet<string> = new Set<SettingName>([
  'PRIVATE_KEY',
  'PRIVATE_KEY_SECRET_ARN',
  'KMS_KEY_ID',
  'KMS_KEY_KID',
  'KEY_CACHE_TTL_SECONDS',
  'ACTIVE_KID',
  'KEY_ALG',
  'ASSERTION_AUDIENCE',
  'ASSERTION_LIFETIME_SECONDS',
])

/** Cognito user pool attribute -> IdP claim. Default: email from email, username from sub. */
export const DEFAULT_ATTRIBUTE_MAPPING: Readonly<Record<string, string>> = {
  email: 'email',
  username: 'sub',
}

/** The names of `opts.aliases` entries that rename the component (`{ name: "old" }`). */
function previousNames(opts: pulumi.ComponentResourceOptions | undefined): string[] {
  return (opts?.aliases ?? []).flatMap((alias) =>
    typeof alias === 'object' && alias !== null && 'name' in alias && typeof alias.name === 'string'
      ? [alias.name]
      : [],
  )
}

export class IdpProxy extends pulumi.ComponentResource {
  /** `<api endpoint>/<stage>`: the proxy's PROXY_BASE_URL. */
  public readonly proxyBaseUrl: pulumi.Output<string>
  /** The authorize URL Cognito uses: the proxy's with PKCE, else the IdP's. */
  public readonly authorizeUrl: pulumi.Output<string>
  /** The proxy's /token (Cognito's token_url). */
  public readonly tokenUrl: pulumi.Output<string>
  /** The proxy's public JWKS, for an IdP that fetches client keys. */
  public readonly jwksUrl: pulumi.Output<string>
  /** Register this redirect URI at the IdP: the proxy's /callback with PKCE, else Cognito's. */
  public readonly idpRedirectUri: pulumi.Output<string>
  /** Cognito's https://<domain>/oauth2/idpresponse. */
  public readonly cognitoIdpResponseUrl: pulumi.Output<string>
  /** https://<prefix>.auth.<region>.amazoncognito.com */
  public readonly cognitoDomainUrl: pulumi.Output<string>
  /** The hosted UI / managed login page for the app client. */
  public readonly hostedUiUrl: pulumi.Output<string>
  /** Starts a sign-in straight at the IdP (identity_provider=...). */
  public readonly signInUrl: pulumi.Output<string>
  public readonly userPoolId: pulumi.Output<string>
  public readonly userPoolClientId: pulumi.Output<string>
  public readonly sharedSecretArn: pulumi.Output<string>
  /** Secrets Manager mode: upload the private JWK/JWKS here. */
  public readonly privateKeySecretArn: pulumi.Output<string> | undefined
  /** KMS mode: the signing key. */
  public readonly kmsKeyArn: pulumi.Output<string> | undefined
  /** PKCE mode: the flow table. */
  public readonly flowTableName: pulumi.Output<string> | undefined
  /** The proxy's /userinfo (Cognito's attributes_url) when it fronts userinfo. */
  public readonly userinfoUrl: pulumi.Output<string> | undefined
  /** The KMS decryption key (`kmsDecryptionKeySpec`). */
  public readonly kmsDecryptionKeyArn: pulumi.Output<string> | undefined
  /** The deployed functions' names, by function (`proxy` in the single layout). */
  public readonly functionNames: Partial<Record<ProxyFunction, pulumi.Output<string>>>

  constructor(name: string, args: IdpProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    const pkce = args.pkce ?? true
    const layout = args.functions ?? 'single'
    const functions: ProxyFunction[] =
      layout === 'single' ? ['proxy'] : pkce ? ['authorize', 'callback', 'token'] : ['token']
    // Every bundle is located before anything is registered, so a missing one stops the
    // deployment with the path that was looked at, and nothing half-made is left behind.
    const codeDirs = Object.fromEntries(
      functions.map((fn) => {
        const bundle = FUNCTION_BUNDLES[fn]
        return [
          fn,
          args.bundleDir
            ? bundleDirectory(args.bundleDir, bundle)
            : installedBundleDirectory(bundle),
        ]
      }),
    ) as Record<ProxyFunction, string>
    // Checked before anything is registered, like the bundles.
    const extra = extraSettings(name, args.settings)
    // The FAPI switches as the proxy will resolve them (core's rules, the profile's defaults and
    // limits): they decide the routes, each function's settings and its IAM.
    const fapi = fapiModeOf(name, args, pkce)
    const mode = { par: fapi.par === 'always', userinfo: fapi.userinfo }
    super('idp-proxy:index:IdpProxy', name, {}, opts)
    const keyMode = args.keyMode ?? 'secretsmanager'
    const stageName = args.stageName ?? 'v1'
    const overrides = args.resources ?? {}

    // A renamed component ({ aliases: [{ name: old }] }) keeps its children too: each child
    // gets the alias its name had under the old component name.
    const previous = previousNames(opts)
    const child = (childName: string): pulumi.CustomResourceOptions => {
      const aliases = childName.startsWith(name)
        ? previous.map((old) => ({ name: `${old}${childName.slice(name.length)}` }))
        : []
      return { parent: this, ...(aliases.length ? { aliases } : {}) }
    }
    // The resources whose loss loses data or breaks the IdP registration.
    const kept = (childName: string): pulumi.CustomResourceOptions =>
      withProtection(child(childName), args.protection ?? 'protect')

    const retentionInDays = args.logRetentionDays ?? 30
    const region = aws.getRegionOutput({}, { parent: this }).region
    const endpoints = pulumi.output(args.idp.endpoints)
    const idpScopes = pulumi.output(args.idp.scopes ?? ['openid', 'email', 'profile'])
    const appScopes = pulumi.output(args.cognito.scopes ?? ['openid', 'email', 'profile'])

    // Cognito: a pool whose only sign-in is the federated IdP.
    const pool = new aws.cognito.UserPool(
      `${name}-pool`,
      {
        adminCreateUserConfig: { allowAdminCreateUserOnly: true },
        deletionProtection: pulumi
          .output(args.deletionProtection ?? false)
          .apply((on) => (on ? 'ACTIVE' : 'INACTIVE')),
        usernameConfiguration: { caseSensitive: false },
        ...overrides.userPool,
      },
      kept(`${name}-pool`),
    )
    // A pool has one domain: a new domain can only be created once the old one is gone.
    const domain = new aws.cognito.UserPoolDomain(
      `${name}-domain`,
      { domain: args.cognito.domainPrefix, userPoolId: pool.id },
      { ...child(`${name}-domain`), deleteBeforeReplace: true },
    )
    this.cognitoDomainUrl = pulumi.interpolate`https://${domain.domain}.auth.${region}.amazoncognito.com`
    this.cognitoIdpResponseUrl = pulumi.interpolate`${this.cognitoDomainUrl}/oauth2/idpresponse`

    // The shared secret Cognito presents at /token: in Secrets Manager for the token function,
    // in Cognito's provider details, and nowhere else.
    const sharedSecretValue = args.sharedSecret
      ? pulumi.secret(args.sharedSecret).apply((value) => {
          if (value.length < SHARED_SECRET_MIN_LENGTH) {
            throw new Error(
              `IdpProxy ${name}: sharedSecret must be at least ${SHARED_SECRET_MIN_LENGTH} characters`,
            )
          }
          return value
        })
      : // Secret explicitly: not only through the provider's own secret outputs.
        pulumi.secret(
          new random.RandomPassword(
            `${name}-shared-secret`,
            {
              length: 48,
              special: false,
              ...(args.sharedSecretRotation === undefined
                ? {}
                : {
                    keepers: { rotation: pulumi.output(args.sharedSecretRotation).apply(String) },
                  }),
            },
            child(`${name}-shared-secret`),
          ).result,
        )
    const sharedSecret = new aws.secretsmanager.Secret(
      `${name}-shared-secret`,
      { description: 'idp-proxy: the client secret Cognito presents at the proxy /token' },
      child(`${name}-shared-secret`),
    )
    new aws.secretsmanager.SecretVersion(
      `${name}-shared-secret`,
      { secretId: sharedSecret.id, secretString: sharedSecretValue },
      child(`${name}-shared-secret`),
    )
    this.sharedSecretArn = sharedSecret.arn

    const roles = Object.fromEntries(
      functions.map((fn) => [fn, createFunctionRole(name, fn, child)]),
    ) as Record<ProxyFunction, aws.iam.Role>

    let privateKeySecret: aws.secretsmanager.Secret | undefined
    let kmsKey: aws.kms.Key | undefined
    const signerRoles = functions.filter((fn) => signs(fn, mode)).map((fn) => roles[fn].arn)
    if (keyMode === 'kms') {
      const identity = aws.getCallerIdentityOutput({}, { parent: this })
      const partition = aws.getPartitionOutput({}, { parent: this })
      kmsKey = new aws.kms.Key(
        `${name}-signing-key`,
        {
          description: 'idp-proxy: signs private_key_jwt client assertions',
          customerMasterKeySpec: args.kmsKeySpec ?? 'RSA_2048',
          keyUsage: 'SIGN_VERIFY',
          deletionWindowInDays: 30,
          // Set at creation: never a moment under KMS's default policy.
          policy: kmsKeyPolicy({
            partition: partition.partition,
            accountId: identity.accountId,
            // The token function's role, and the authorize function's when it signs PAR.
            signerRoleArn: signerRoles.length === 1 ? signerRoles[0]! : signerRoles,
          }),
          ...overrides.kmsKey,
        },
        kept(`${name}-signing-key`),
      )
    } else {
      privateKeySecret = new aws.secretsmanager.Secret(
        `${name}-private-key`,
        { description: 'idp-proxy: private JWK or JWKS for private_key_jwt' },
        kept(`${name}-private-key`),
      )
      // Without a configured key the secret stays empty: upload one with put-secret-value.
      if (args.privateKeyJwk) {
        new aws.secretsmanager.SecretVersion(
          `${name}-private-key`,
          { secretId: privateKeySecret.id, secretString: pulumi.secret(args.privateKeyJwk) },
          child(`${name}-private-key`),
        )
      }
    }
    this.privateKeySecretArn = privateKeySecret?.arn
    this.kmsKeyArn = kmsKey?.arn

    // A KMS decryption key for encrypted ID tokens: only the token function's role may use it.
    const decryptionSpec = args.kmsDecryptionKeySpec
    const decryptionActions = decryptionSpec ? kmsDecrypterActionsFor(decryptionSpec) : []
    let decryptionKey: aws.kms.Key | undefined
    if (decryptionSpec) {
      const identity = aws.getCallerIdentityOutput({}, { parent: this })
      const partition = aws.getPartitionOutput({}, { parent: this })
      decryptionKey = new aws.kms.Key(
        `${name}-decryption-key`,
        {
          description: 'idp-proxy: decrypts encrypted ID tokens (RSA-OAEP-256)',
          customerMasterKeySpec: decryptionSpec,
          keyUsage: 'ENCRYPT_DECRYPT',
          deletionWindowInDays: 30,
          policy: kmsKeyPolicy({
            partition: partition.partition,
            accountId: identity.accountId,
            signerRoleArn: roles[functions.find(holdsSecrets)!].arn,
            actions: decryptionActions,
            sid: 'TokenFunctionDecrypts',
          }),
        },
        kept(`${name}-decryption-key`),
      )
    }
    this.kmsDecryptionKeyArn = decryptionKey?.arn

    const table = pkce
      ? new aws.dynamodb.Table(
          `${name}-flows`,
          {
            attributes: [{ name: FLOW_TABLE_ATTRIBUTES.hashKey, type: 'S' }],
            hashKey: FLOW_TABLE_ATTRIBUTES.hashKey,
            billingMode: 'PAY_PER_REQUEST',
            // TTL only tidies up (it deletes late); the store checks expiresAt on every take.
            ttl: { attributeName: FLOW_TABLE_ATTRIBUTES.expiresAt, enabled: true },
            pointInTimeRecovery: { enabled: args.pointInTimeRecovery ?? false },
            serverSideEncryption: { enabled: true },
            deletionProtectionEnabled: args.deletionProtection ?? false,
            ...overrides.flowTable,
          },
          kept(`${name}-flows`),
        )
      : undefined
    this.flowTableName = table?.name

    // The API first: its endpoint is the proxy's base URL, which the functions need.
    const api = new aws.apigatewayv2.Api(
      `${name}-api`,
      {
        protocolType: 'HTTP',
        description: 'idp-proxy between Cognito and the IdP',
        ...overrides.api,
      },
      child(`${name}-api`),
    )
    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-api-access`,
      { retentionInDays },
      child(`${name}-api-access`),
    )
    this.proxyBaseUrl = pulumi.interpolate`${api.apiEndpoint}/${stageName}`
    this.tokenUrl = pulumi.interpolate`${this.proxyBaseUrl}/token`
    this.jwksUrl = pulumi.interpolate`${this.proxyBaseUrl}/.well-known/jwks.json`
    this.authorizeUrl = pkce
      ? pulumi.interpolate`${this.proxyBaseUrl}/authorize`
      : endpoints.authorizationEndpoint
    this.idpRedirectUri = pkce
      ? pulumi.interpolate`${this.proxyBaseUrl}/callback`
      : this.cognitoIdpResponseUrl
    this.userinfoUrl = mode.userinfo ? pulumi.interpolate`${this.proxyBaseUrl}/userinfo` : undefined

    // Every setting the component sets, by variable; each function gets those its runtime reads
    // (the settings table's `runtimes`), so no function carries a setting it ignores.
    const settings: Partial<Record<SettingName, pulumi.Input<string>>> = {
      ...extra,
      PROXY_BASE_URL: this.proxyBaseUrl,
      IDP_ISSUER: args.idp.issuer,
      IDP_CLIENT_ID: args.idp.clientId,
      IDP_AUTHORIZATION_ENDPOINT: endpoints.authorizationEndpoint,
      IDP_TOKEN_ENDPOINT: endpoints.tokenEndpoint,
      // The token function verifies id_tokens with the keys Cognito uses too: no discovery.
      IDP_JWKS_URI: endpoints.jwksUri,
      COGNITO_REDIRECT_URIS: this.cognitoIdpResponseUrl,
      PKCE: String(pkce),
      AUTHORIZATION_PARAMS: pulumi.jsonStringify(args.authorizationParams ?? {}),
      LOG_LEVEL: args.logLevel ?? 'info',
      ...(args.assertionAudience ? { ASSERTION_AUDIENCE: args.assertionAudience } : {}),
      ...(args.verifyIdToken === undefined
        ? {}
        : { VERIFY_ID_TOKEN: pulumi.output(args.verifyIdToken).apply(String) }),
      ...(args.idpMaxTokenBytes === undefined
        ? {}
        : { IDP_MAX_TOKEN_BYTES: pulumi.output(args.idpMaxTokenBytes).apply(String) }),
      ...(args.idpMaxMetadataBytes === undefined
        ? {}
        : { IDP_MAX_METADATA_BYTES: pulumi.output(args.idpMaxMetadataBytes).apply(String) }),
      ...(args.metrics === 'emf'
        ? {
            METRICS: 'emf',
            ...(args.metricsNamespace ? { METRICS_NAMESPACE: args.metricsNamespace } : {}),
          }
        : {}),
      // The store on the functions that use it; key and client secret only where /token is
      // served, and only as ARNs, never values.
      ...(table ? { STORE: 'dynamodb', FLOW_TABLE_NAME: table.name } : {}),
      ...(kmsKey
        ? { KMS_KEY_ID: kmsKey.arn, ...(args.kmsKeyKid ? { KMS_KEY_KID: args.kmsKeyKid } : {}) }
        : { PRIVATE_KEY_SECRET_ARN: privateKeySecret!.arn }),
      CLIENT_SECRET_ARN: sharedSecret.arn,
      ...(decryptionKey ? { KMS_DECRYPTION_KEY_IDS: decryptionKey.arn } : {}),
      // The FAPI switches as given (the proxy applies the profile itself, as resolved above).
      ...(args.idpProfile ? { IDP_PROFILE: args.idpProfile } : {}),
      ...(args.par ? { PAR: args.par } : {}),
      ...(args.dpop === undefined ? {} : { DPOP: String(args.dpop) }),
      ...(args.idTokenEncryptionRequired === undefined
        ? {}
        : { ID_TOKEN_ENCRYPTION_REQUIRED: String(args.idTokenEncryptionRequired) }),
      ...(args.userinfo === undefined ? {} : { USERINFO: String(args.userinfo) }),
      ...(args.idpParEndpoint ? { IDP_PAR_ENDPOINT: args.idpParEndpoint } : {}),
    }
    const environment = (fn: ProxyFunction): Record<string, pulumi.Input<string>> => {
      const reads = new Set<string>(settingsOf(LAMBDA_FUNCTIONS[LAMBDA_FUNCTION_OF[fn]].runtime))
      // A function that does not sign gets no key setting (the authorize one without PAR).
      if (!signs(fn, mode)) for (const key of SIGNING_SETTINGS) reads.delete(key)
      return Object.fromEntries(
        Object.entries(settings).filter(
          (entry): entry is [string, pulumi.Input<string>] =>
            reads.has(entry[0]) && entry[1] !== undefined,
        ),
      )
    }

    this.functionNames = {}
    const deployed: Partial<Record<ProxyFunction, ProxyFunctionResources>> = {}
    for (const fn of functions) {
      const routes = [
        ...FUNCTION_ROUTES[fn].filter((route) => pkce || !BROWSER_ROUTES.includes(route)),
        ...(mode.userinfo && holdsSecrets(fn) ? USERINFO_ROUTES : []),
      ]
      const tableActions = table ? tableActionsFor(fn, mode) : []
      deployed[fn] = createProxyFunction(
        name,
        {
          fn,
          role: roles[fn],
          routes,
          codeDir: codeDirs[fn],
          api,
          stageName,
          environment: environment(fn),
          access: {
            ...(table && tableActions.length
              ? { table: { arn: table.arn, actions: tableActions } }
              : {}),
            // The function serving /token reads both secrets, signs and decrypts; the
            // authorize function with PAR reads the key secret (or signs with the KMS key) only.
            ...(holdsSecrets(fn)
              ? {
                  secretArns: [
                    sharedSecret.arn,
                    ...(privateKeySecret ? [privateKeySecret.arn] : []),
                  ],
                  ...(kmsKey ? { kmsKeyArn: kmsKey.arn } : {}),
                  ...(decryptionKey
                    ? { kmsDecryptionKey: { arn: decryptionKey.arn, actions: decryptionActions } }
                    : {}),
                }
              : signs(fn, mode)
                ? {
                    ...(privateKeySecret ? { secretArns: [privateKeySecret.arn] } : {}),
                    ...(kmsKey ? { kmsKeyArn: kmsKey.arn } : {}),
                  }
                : {}),
          },
          retentionInDays,
          memorySize: args.memorySize ?? 256,
          timeoutSeconds: args.timeoutSeconds ?? 15,
          ...(overrides.function ? { overrides: overrides.function } : {}),
        },
        child,
      )
      this.functionNames[fn] = deployed[fn]!.lambda.name
    }

    // Per-route throttling: /token (Cognito's calls) has its own budget; every other route
    // gets the stage default. Route settings name routes, so the stage comes after them.
    const browserThrottle = args.throttle?.browser ?? DEFAULT_THROTTLE
    const tokenThrottle = args.throttle?.token ?? DEFAULT_THROTTLE
    new aws.apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: api.id,
        name: stageName,
        autoDeploy: true,
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
        defaultRouteSettings: {
          throttlingRateLimit: browserThrottle.rateLimit,
          throttlingBurstLimit: browserThrottle.burstLimit,
        },
        // Only routes that exist: a route setting naming a missing route fails the deployment.
        routeSettings: TOKEN_ROUTES.filter(
          (routeKey) => mode.userinfo || !USERINFO_ROUTES.includes(routeKey),
        ).map((routeKey) => ({
          routeKey,
          throttlingRateLimit: tokenThrottle.rateLimit,
          throttlingBurstLimit: tokenThrottle.burstLimit,
        })),
        ...overrides.stage,
      },
      {
        ...child(`${name}-stage`),
        dependsOn: Object.values(deployed).flatMap((resources) => resources.routes),
      },
    )

    const provider = new aws.cognito.IdentityProvider(
      `${name}-idp`,
      {
        userPoolId: pool.id,
        providerName: args.idp.providerName ?? 'IdP',
        providerType: 'OIDC',
        // A plain map: only client_secret is secret, so a diff shows what changed.
        providerDetails: {
          client_id: args.idp.clientId,
          client_secret: sharedSecretValue,
          attributes_request_method: args.idp.attributesRequestMethod ?? 'GET',
          oidc_issuer: args.idp.issuer,
          authorize_scopes: idpScopes.apply((scopes) => scopes.join(' ')),
          authorize_url: this.authorizeUrl,
          token_url: this.tokenUrl,
          // The proxy's /userinfo when it fronts userinfo (Cognito holds a handle, not the
          // IdP's access token), else the IdP's.
          attributes_url: this.userinfoUrl ?? endpoints.userinfoEndpoint,
          jwks_uri: endpoints.jwksUri,
          // Cognito adds this key itself (false for OIDC); without it every update shows a
          // change (pulumi-aws#679).
          attributes_url_add_attributes: 'false',
        },
        attributeMapping: args.idp.attributeMapping ?? { ...DEFAULT_ATTRIBUTE_MAPPING },
      },
      child(`${name}-idp`),
    )

    const client = new aws.cognito.UserPoolClient(
      `${name}-client`,
      {
        userPoolId: pool.id,
        allowedOauthFlows: ['code'],
        allowedOauthFlowsUserPoolClient: true,
        allowedOauthScopes: appScopes,
        callbackUrls: args.cognito.callbackUrls,
        logoutUrls: args.cognito.logoutUrls ?? [],
        // Only the federated IdP: no local Cognito users.
        supportedIdentityProviders: [provider.providerName],
        generateSecret: args.cognito.generateClientSecret ?? false,
        preventUserExistenceErrors: 'ENABLED',
        explicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        ...overrides.userPoolClient,
      },
      child(`${name}-client`),
    )
    this.userPoolId = pool.id
    this.userPoolClientId = client.id

    const authorizeQuery = (withProvider: boolean) =>
      pulumi
        .all([
          client.id,
          appScopes,
          pulumi.output(args.cognito.callbackUrls),
          provider.providerName,
        ])
        .apply(([clientId, scopes, callbacks, providerName]) => {
          const query = new URLSearchParams({
            client_id: clientId,
            response_type: 'code',
            scope: scopes.join(' '),
            redirect_uri: callbacks[0] ?? '',
          })
          if (withProvider) query.set('identity_provider', providerName)
          return query.toString()
        })
    this.hostedUiUrl = pulumi.interpolate`${this.cognitoDomainUrl}/login?${authorizeQuery(false)}`
    this.signInUrl = pulumi.interpolate`${this.cognitoDomainUrl}/oauth2/authorize?${authorizeQuery(true)}`

    this.registerOutputs({
      proxyBaseUrl: this.proxyBaseUrl,
      authorizeUrl: this.authorizeUrl,
      tokenUrl: this.tokenUrl,
      jwksUrl: this.jwksUrl,
      idpRedirectUri: this.idpRedirectUri,
      cognitoIdpResponseUrl: this.cognitoIdpResponseUrl,
      cognitoDomainUrl: this.cognitoDomainUrl,
      hostedUiUrl: this.hostedUiUrl,
      signInUrl: this.signInUrl,
      userPoolId: this.userPoolId,
      userPoolClientId: this.userPoolClientId,
      sharedSecretArn: this.sharedSecretArn,
      privateKeySecretArn: this.privateKeySecretArn,
      kmsKeyArn: this.kmsKeyArn,
      flowTableName: this.flowTableName,
      userinfoUrl: this.userinfoUrl,
      kmsDecryptionKeyArn: this.kmsDecryptionKeyArn,
    })
  }
}

/** The FAPI mode the proxy will run in, or an Error naming the component and the arguments. */
function fapiModeOf(name: string, args: IdpProxyArgs, pkce: boolean) {
  try {
    return resolveFapiOptions({
      pkce,
      ...(args.idpProfile ? { profile: args.idpProfile } : {}),
      ...(args.par ? { par: args.par } : {}),
      ...(args.dpop === undefined ? {} : { dpop: args.dpop }),
      ...(args.idTokenEncryptionRequired === undefined
        ? {}
        : { requireEncryptedIdToken: args.idTokenEncryptionRequired }),
      ...(args.userinfo === undefined ? {} : { userinfo: args.userinfo }),
    })
  } catch (error) {
    const problems = (error as { problems?: { name: string; message: string }[] }).problems
    if (!problems) throw error
    throw new Error(
      `IdpProxy ${name}: ${problems.map((problem) => `${problem.name} ${problem.message}`).join('; ')}`,
    )
  }
}

/** `args.settings`, refusing what would put a secret in clear in a function's environment. */
function extraSettings(
  name: string,
  given: IdpProxyArgs['settings'],
): Partial<Record<SettingName, pulumi.Input<string>>> {
  for (const variable of Object.keys(given ?? {})) {
    const setting = (SETTINGS as Record<string, { secret?: boolean }>)[variable]
    if (!setting) throw new Error(`IdpProxy ${name}: settings.${variable} is not a proxy setting`)
    if (setting.secret) {
      throw new Error(
        `IdpProxy ${name}: settings.${variable} is a secret and would be stored in clear in the functions' environment`,
      )
    }
  }
  return { ...given }
}

function withProtection(
  options: pulumi.CustomResourceOptions,
  protection: Protection,
): pulumi.CustomResourceOptions {
  if (protection === 'protect') return { ...options, protect: true }
  if (protection === 'retain') return { ...options, retainOnDelete: true }
  return options
}
