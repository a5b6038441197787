/**
 * IdpProxy: a Cognito user pool federated with an OIDC IdP through idp-proxy on Lambda behind an
 * API Gateway HTTP API. Reusable from other Pulumi programs:
 *
 *   import { IdpProxy } from '@idp-proxy/pulumi/idp-proxy.ts'
 *
 * Cognito's OIDC provider points at the proxy for /token (and /authorize with PKCE); userinfo,
 * jwks_uri and issuer stay the IdP's, since Cognito validates the IdP's tokens itself.
 */
import * as aws from '@pulumi/aws'
import * as pulumi from '@pulumi/pulumi'
import * as random from '@pulumi/random'
import { ACCESS_LOG_FORMAT, DEFAULT_BUNDLE_DIR, type IdpProxyArgs } from './idp-proxy-args.js'
import { DEFAULT_ATTRIBUTE_MAPPING } from './params.js'
import { type ProxyFunction, TABLE_ACTIONS } from './policies.js'
import { checkBundle, createProxyFunction } from './proxy-function.js'

export type { IdpEndpoints } from './discovery.js'
export { ACCESS_LOG_FORMAT, DEFAULT_BUNDLE_DIR, type IdpProxyArgs } from './idp-proxy-args.js'
export type { ProxyFunction } from './policies.js'
export { FUNCTION_ROUTES } from './proxy-function.js'

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
  public readonly functionNames: Partial<Record<ProxyFunction, pulumi.Output<string>>>

  constructor(name: string, args: IdpProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super('idp-proxy:index:IdpProxy', name, {}, opts)
    const parent = { parent: this }
    const pkce = args.pkce ?? true
    const keyMode = args.keyMode ?? 'secretsmanager'
    const stageName = args.stageName ?? 'v1'
    const bundleDir = args.bundleDir ?? DEFAULT_BUNDLE_DIR
    const functions: ProxyFunction[] = pkce ? ['authorize', 'callback', 'token'] : ['token']
    for (const fn of functions) checkBundle(bundleDir, fn, this)
    const retentionInDays = args.logRetentionDays ?? 30
    const region = aws.getRegionOutput({}, parent).region
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
      },
      parent,
    )
    const domain = new aws.cognito.UserPoolDomain(
      `${name}-domain`,
      { domain: args.cognito.domainPrefix, userPoolId: pool.id },
      parent,
    )
    this.cognitoDomainUrl = pulumi.interpolate`https://${domain.domain}.auth.${region}.amazoncognito.com`
    this.cognitoIdpResponseUrl = pulumi.interpolate`${this.cognitoDomainUrl}/oauth2/idpresponse`

    // The shared secret Cognito presents at /token: in Secrets Manager for the token function,
    // in Cognito's provider details, and nowhere else.
    const sharedSecretValue = args.sharedSecret
      ? pulumi.secret(args.sharedSecret)
      : new random.RandomPassword(`${name}-shared-secret`, { length: 48, special: false }, parent)
          .result
    const sharedSecret = new aws.secretsmanager.Secret(
      `${name}-shared-secret`,
      { description: 'idp-proxy: the client secret Cognito presents at the proxy /token' },
      parent,
    )
    new aws.secretsmanager.SecretVersion(
      `${name}-shared-secret`,
      { secretId: sharedSecret.id, secretString: sharedSecretValue },
      parent,
    )
    this.sharedSecretArn = sharedSecret.arn

    let privateKeySecret: aws.secretsmanager.Secret | undefined
    let kmsKey: aws.kms.Key | undefined
    if (keyMode === 'kms') {
      kmsKey = new aws.kms.Key(
        `${name}-signing-key`,
        {
          description: 'idp-proxy: signs private_key_jwt client assertions',
          customerMasterKeySpec: args.kmsKeySpec ?? 'RSA_2048',
          keyUsage: 'SIGN_VERIFY',
          deletionWindowInDays: 30,
        },
        parent,
      )
    } else {
      privateKeySecret = new aws.secretsmanager.Secret(
        `${name}-private-key`,
        { description: 'idp-proxy: private JWK or JWKS for private_key_jwt' },
        parent,
      )
      // Without a configured key the secret stays empty: upload one with put-secret-value.
      if (args.privateKeyJwk) {
        new aws.secretsmanager.SecretVersion(
          `${name}-private-key`,
          { secretId: privateKeySecret.id, secretString: pulumi.secret(args.privateKeyJwk) },
          parent,
        )
      }
    }
    this.privateKeySecretArn = privateKeySecret?.arn
    this.kmsKeyArn = kmsKey?.arn

    const table = pkce
      ? new aws.dynamodb.Table(
          `${name}-flows`,
          {
            attributes: [{ name: 'pk', type: 'S' }],
            hashKey: 'pk',
            billingMode: 'PAY_PER_REQUEST',
            // TTL only tidies up (it deletes late); the store checks expiresAt on every take.
            ttl: { attributeName: 'expiresAt', enabled: true },
            pointInTimeRecovery: { enabled: args.pointInTimeRecovery ?? false },
            serverSideEncryption: { enabled: true },
            deletionProtectionEnabled: args.deletionProtection ?? false,
          },
          parent,
        )
      : undefined
    this.flowTableName = table?.name

    // The API first: its endpoint is the proxy's base URL, which the functions need.
    const api = new aws.apigatewayv2.Api(
      `${name}-api`,
      { protocolType: 'HTTP', description: 'idp-proxy between Cognito and the IdP' },
      parent,
    )
    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}-api-access`,
      { retentionInDays },
      parent,
    )
    new aws.apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: api.id,
        name: stageName,
        autoDeploy: true,
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
        defaultRouteSettings: {
          throttlingRateLimit: args.throttle?.rateLimit ?? 20,
          throttlingBurstLimit: args.throttle?.burstLimit ?? 40,
        },
      },
      parent,
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

    const common: Record<string, pulumi.Input<string>> = {
      PROXY_BASE_URL: this.proxyBaseUrl,
      IDP_ISSUER: args.idp.issuer,
      IDP_CLIENT_ID: args.idp.clientId,
      IDP_AUTHORIZATION_ENDPOINT: endpoints.authorizationEndpoint,
      IDP_TOKEN_ENDPOINT: endpoints.tokenEndpoint,
      COGNITO_REDIRECT_URIS: this.cognitoIdpResponseUrl,
      PKCE: String(pkce),
      AUTHORIZATION_PARAMS: pulumi.output(args.authorizationParams ?? {}).apply(JSON.stringify),
      LOG_LEVEL: args.logLevel ?? 'info',
      ...(args.assertionAudience ? { ASSERTION_AUDIENCE: args.assertionAudience } : {}),
    }
    const store: Record<string, pulumi.Input<string>> = table
      ? { STORE: 'dynamodb', FLOW_TABLE_NAME: table.name }
      : {}
    // The same core variables on every function (docs/lambda.md); the store on those that use
    // it; key and client secret only on /token, and only as ARNs and ids, never values.
    const keyEnv: Record<string, pulumi.Input<string>> = kmsKey
      ? { KMS_KEY_ID: kmsKey.arn, ...(args.kmsKeyKid ? { KMS_KEY_KID: args.kmsKeyKid } : {}) }
      : { PRIVATE_KEY_SECRET_ARN: privateKeySecret!.arn }
    const environments: Record<ProxyFunction, Record<string, pulumi.Input<string>>> = {
      authorize: { ...common, ...store },
      callback: { ...common, ...store },
      token: { ...common, ...store, ...keyEnv, CLIENT_SECRET_ARN: sharedSecret.arn },
    }

    this.functionNames = {}
    for (const fn of functions) {
      const tableActions = table ? TABLE_ACTIONS[fn] : []
      const lambda = createProxyFunction(
        name,
        {
          fn,
          bundleDir,
          api,
          stageName,
          environment: environments[fn],
          access: {
            ...(table && tableActions.length
              ? { table: { arn: table.arn, actions: tableActions } }
              : {}),
            // Only /token reads secrets or signs.
            ...(fn === 'token'
              ? {
                  secretArns: [
                    sharedSecret.arn,
                    ...(privateKeySecret ? [privateKeySecret.arn] : []),
                  ],
                  ...(kmsKey ? { kmsKeyArn: kmsKey.arn } : {}),
                }
              : {}),
          },
          retentionInDays,
          memorySize: args.memorySize ?? 256,
          timeoutSeconds: args.timeoutSeconds ?? 15,
        },
        this,
      )
      this.functionNames[fn] = lambda.name
    }

    const provider = new aws.cognito.IdentityProvider(
      `${name}-idp`,
      {
        userPoolId: pool.id,
        providerName: args.idp.providerName ?? 'IdP',
        providerType: 'OIDC',
        providerDetails: pulumi
          .all([
            args.idp.clientId,
            sharedSecretValue,
            args.idp.issuer,
            endpoints,
            idpScopes,
            args.idp.attributesRequestMethod ?? 'GET',
            this.authorizeUrl,
            this.tokenUrl,
          ])
          .apply(([clientId, secret, issuer, idp, scopes, method, authorizeUrl, tokenUrl]) => ({
            client_id: clientId,
            client_secret: secret,
            attributes_request_method: method,
            oidc_issuer: issuer,
            authorize_scopes: scopes.join(' '),
            authorize_url: authorizeUrl,
            token_url: tokenUrl,
            attributes_url: idp.userinfoEndpoint,
            jwks_uri: idp.jwksUri,
          })),
        attributeMapping: args.idp.attributeMapping ?? { ...DEFAULT_ATTRIBUTE_MAPPING },
      },
      parent,
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
      },
      parent,
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
    })
  }
}
