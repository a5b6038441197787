/**
 * The stack's configuration, read once and validated. Every key is declared with a description,
 * type and default in Pulumi.yaml (a key declared there without a default is required); errors
 * name the key.
 *
 * Secrets never come from configuration: the shared secret is generated (rotate it with
 * `sharedSecretRotation`) and the private key is uploaded to its secret or lives in KMS. A
 * stack that still sets `sharedSecret` or `privateKeyJwk` is refused, so a value typed without
 * `--secret` can never be deployed from (or sit unnoticed in) a stack file.
 */
import { isAbsolute, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  type IdpProfileName,
  type LogLevel,
  parseUrl,
  readSettings,
  refuseWithoutPkce,
  resolveFapiOptions,
  SETTINGS,
  type SettingName,
  type SettingsReading,
  settingsOf,
} from '@idp-proxy/core'
import { KMS_KEY_SPECS, type KmsKeySpec } from '@idp-proxy/lambda-adapter/iam'
import * as pulumi from '@pulumi/pulumi'
import { parseAttributeMapping } from './params.js'
import {
  FUNCTION_LAYOUTS,
  type FunctionLayout,
  KMS_RSA_DECRYPTION_KEY_SPECS,
  type KmsRsaDecryptionKeySpec,
  PROTECTIONS,
  type Protection,
} from './src/args.js'

export const KEY_MODES = ['secretsmanager', 'kms'] as const
export type KeyMode = (typeof KEY_MODES)[number]

/** CloudWatch Logs accepts only these retention periods. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const

export interface IdpEndpointConfig {
  authorizationEndpoint?: string
  tokenEndpoint?: string
  userinfoEndpoint?: string
  jwksUri?: string
}

export interface ProgramConfig {
  issuer: string
  clientId: string
  /** Explicit IdP endpoints; the missing ones come from the issuer's discovery document. */
  endpoints: IdpEndpointConfig
  providerName: string
  idpScopes: string[]
  attributesRequestMethod: 'GET' | 'POST'
  attributeMapping: Record<string, string>
  pkce: boolean
  authorizationParams: Record<string, string>
  assertionAudience?: string
  domainPrefix: string
  callbackUrls: string[]
  logoutUrls: string[]
  appScopes: string[]
  generateAppClientSecret: boolean
  store: 'dynamodb'
  pointInTimeRecovery: boolean
  keyMode: KeyMode
  kmsKeySpec: KmsKeySpec
  kmsKeyKid?: string
  /** IDP_PROFILE and the FAPI switches, as set (the profile fills the rest at run time). */
  idpProfile?: IdpProfileName
  par?: 'auto' | 'always' | 'never'
  dpop?: boolean
  idTokenEncryptionRequired?: boolean
  userinfo?: boolean
  idpParEndpoint?: string
  /** A KMS decryption key (RSA, ENCRYPT_DECRYPT) for encrypted ID tokens; absent = none. */
  kmsDecryptionKeySpec?: KmsRsaDecryptionKeySpec
  /** Generation of the shared secret: any change generates a new one. 0 = the first. */
  sharedSecretRotation: number
  lambdaFunctions: FunctionLayout
  protection: Protection
  logLevel: LogLevel
  /** VERIFY_ID_TOKEN. */
  verifyIdToken: boolean
  /** IDP_MAX_TOKEN_BYTES and IDP_MAX_METADATA_BYTES (the table's defaults when not set). */
  idpMaxTokenBytes: number
  idpMaxMetadataBytes: number
  /** METRICS: `emf` writes CloudWatch EMF lines; Lambda has no Prometheus endpoint. */
  metrics: 'off' | 'emf'
  /** METRICS_NAMESPACE; absent = the adapter's default. */
  metricsNamespace?: string
  logRetentionDays: number
  stageName: string
  lambdaMemoryMb: number
  lambdaTimeoutSeconds: number
  throttleRateLimit: number
  throttleBurstLimit: number
  tokenThrottleRateLimit: number
  tokenThrottleBurstLimit: number
  deletionProtection: boolean
  /** Prebuilt bundles, as an absolute path; absent = the program builds them. */
  lambdaBundleDir?: string
}

/** Keys earlier versions read, and what to do instead. */
const RETIRED_KEYS: Readonly<Record<string, string>> = {
  sharedSecret:
    'is no longer read: the shared secret is generated and kept in Secrets Manager. Remove it ' +
    '(pulumi config rm sharedSecret); to replace the secret, raise sharedSecretRotation',
  privateKeyJwk:
    'is no longer read: upload the key to the secret instead (pulumi config rm privateKeyJwk; ' +
    'then aws secretsmanager put-secret-value, docs/deploy-aws.md), or use keyMode kms',
}

/** The project root: where Pulumi.yaml is (one level above this program). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url))

/** A configuration error that names the key; RunError prints without a stack trace. */
export function configError(project: string, key: string, problem: string): pulumi.RunError {
  return new pulumi.RunError(`Configuration ${project}:${key} ${problem}`)
}

/**
 * Reads every key that is a proxy setting (those with a Pulumi key in core's settings table)
 * with the table's own parsers, so the stack refuses what the deployed proxy would refuse, with
 * the same message. Problems name the keys (`idp-proxy:issuer`), all of them at once.
 */
export function readProxySettings(config: pulumi.Config): SettingsReading {
  const values: Record<string, string | undefined> = {}
  for (const name of settingsOf('pulumi')) {
    const key = (SETTINGS[name] as { pulumiKey: string }).pulumiKey
    values[key] = config.get(key)
  }
  const reading = readSettings(values, 'pulumi')
  // Core's rule: with PKCE off the proxy is not on the authorization path.
  refuseWithoutPkce(reading)
  // The profile's limits and the FAPI switches' rules (core's), named by their keys: Singpass
  // with dpop false fails here, not at the first sign-in.
  const v = reading.values
  reading.attempt('IDP_PROFILE', () =>
    resolveFapiOptions({
      ...(v.PKCE === undefined ? {} : { pkce: v.PKCE }),
      ...(v.IDP_PROFILE ? { profile: v.IDP_PROFILE } : {}),
      ...(v.PAR ? { par: v.PAR } : {}),
      ...(v.DPOP === undefined ? {} : { dpop: v.DPOP }),
      ...(v.ID_TOKEN_ENCRYPTION_REQUIRED === undefined
        ? {}
        : { requireEncryptedIdToken: v.ID_TOKEN_ENCRYPTION_REQUIRED }),
      ...(v.USERINFO === undefined ? {} : { userinfo: v.USERINFO }),
    }),
  )
  return reading
}

/** The reading's problems as one RunError naming each key, or nothing. */
function failOnProblems(project: string, reading: SettingsReading): void {
  if (reading.problems.length === 0) return
  throw new pulumi.RunError(
    reading.problems
      .map((problem) => `Configuration ${project}:${problem.name} ${problem.message}`)
      .join('\n'),
  )
}

/** A setting's documented default as a number (the table's `default`). */
function defaultNumber(name: SettingName): number {
  return Number((SETTINGS[name] as { default?: string }).default)
}

/** Reads and validates the whole configuration of the current stack. */
export function loadConfig(
  config = new pulumi.Config(),
  projectRoot = PROJECT_ROOT,
): ProgramConfig {
  const project = config.name
  const fail = (key: string, problem: string) => configError(project, key, problem)
  for (const [key, instead] of Object.entries(RETIRED_KEYS)) {
    // Any value counts, secret or not: present is enough to refuse.
    if (pulumi.runtime.getConfig(`${project}:${key}`) !== undefined) throw fail(key, instead)
  }

  const text = (key: string): string | undefined => {
    const value = config.get(key)?.trim()
    return value ? value : undefined
  }
  const required = (key: string): string => {
    const value = text(key)
    if (value === undefined) throw fail(key, `is required (pulumi config set ${key} ...)`)
    return value
  }
  const stringList = (key: string, fallback: string[]): string[] => {
    const value = config.getObject<unknown>(key)
    if (value === undefined) return fallback
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item.trim())) {
      throw fail(key, 'must be a list of non-empty strings')
    }
    return value.map((item: string) => item.trim())
  }
  const bool = (key: string, fallback: boolean) => config.getBoolean(key) ?? fallback
  const number = (key: string, fallback: number, min: number, max: number) => {
    const value = config.getNumber(key, { min, max }) ?? fallback
    if (!Number.isInteger(value)) throw fail(key, 'must be a whole number')
    return value
  }
  const oneOf = <T extends string>(key: string, values: readonly T[], fallback: T): T =>
    (config.get<T>(key, { allowedValues: [...values] }) || fallback) as T

  const proxy = readProxySettings(config)
  failOnProblems(project, proxy)
  const settings = proxy.values

  const domainPrefix = required('domainPrefix')
  // Cognito's rule for prefix domains: lowercase letters, digits and hyphens, no reserved words.
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domainPrefix)) {
    throw fail('domainPrefix', 'must be 1-63 lowercase letters, digits or inner hyphens')
  }
  if (/aws|amazon|cognito/.test(domainPrefix)) {
    throw fail(
      'domainPrefix',
      'must not contain "aws", "amazon" or "cognito" (reserved by Cognito)',
    )
  }

  const callbackUrls = stringList('callbackUrls', [])
  if (callbackUrls.length === 0) throw fail('callbackUrls', 'needs at least one URL')
  const logoutUrls = stringList('logoutUrls', [])
  for (const url of [...callbackUrls, ...logoutUrls]) {
    try {
      new URL(url)
    } catch {
      throw fail('callbackUrls', `has "${url}", which is not an absolute URL`)
    }
  }

  const store = settings.STORE ?? 'dynamodb'
  if (store !== 'dynamodb') {
    // The sealed store needs its key in every function (SEALING_KEYS in clear in the Lambda
    // environment, or Secrets Manager access for /authorize and /callback): neither fits the
    // least-privilege design, so on Lambda the flow store is DynamoDB.
    throw fail('store', `must be "dynamodb" on Lambda, got "${store}" (see docs/deploy-aws.md)`)
  }

  const logRetentionDays = number('logRetentionDays', 30, 1, 3653)
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    throw fail('logRetentionDays', `must be one of ${LOG_RETENTION_DAYS.join(', ')}`)
  }

  const stageName = text('stageName') ?? 'v1'
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) {
    throw fail('stageName', 'must be letters, digits, "-" or "_"')
  }

  const providerName = text('providerName') ?? 'IdP'
  // Cognito: 1-32 characters, no spaces at the ends.
  if (!/^[A-Za-z0-9_.@-](?:[A-Za-z0-9_.@ -]{0,30}[A-Za-z0-9_.@-])?$/.test(providerName)) {
    throw fail('providerName', 'must be 1-32 letters, digits, spaces or "_-.@"')
  }

  const attributesRequestMethod = oneOf('attributesRequestMethod', ['GET', 'POST'] as const, 'GET')
  const metrics = settings.METRICS ?? 'off'
  if (metrics === 'prometheus') {
    throw fail('metrics', "must be off or emf on Lambda (prometheus is the standalone server's)")
  }

  const result: ProgramConfig = {
    // Present and valid (the reading refused an invalid one), or required() names the key.
    issuer: settings.IDP_ISSUER ?? required('issuer'),
    clientId: settings.IDP_CLIENT_ID ?? required('clientId'),
    endpoints: {},
    providerName,
    idpScopes: stringList('idpScopes', ['openid', 'email', 'profile']),
    attributesRequestMethod,
    attributeMapping: parseAttributeMapping(text('attributeMapping') ?? '', (problem) =>
      fail('attributeMapping', problem),
    ),
    pkce: settings.PKCE ?? true,
    authorizationParams: settings.AUTHORIZATION_PARAMS ?? {},
    domainPrefix,
    callbackUrls,
    logoutUrls,
    appScopes: stringList('appScopes', ['openid', 'email', 'profile']),
    generateAppClientSecret: bool('generateAppClientSecret', false),
    store: 'dynamodb',
    pointInTimeRecovery: bool('pointInTimeRecovery', false),
    keyMode: oneOf('keyMode', KEY_MODES, 'secretsmanager'),
    kmsKeySpec: oneOf('kmsKeySpec', Object.keys(KMS_KEY_SPECS) as KmsKeySpec[], 'RSA_2048'),
    logLevel: settings.LOG_LEVEL ?? 'info',
    verifyIdToken: settings.VERIFY_ID_TOKEN ?? true,
    idpMaxTokenBytes: settings.IDP_MAX_TOKEN_BYTES ?? defaultNumber('IDP_MAX_TOKEN_BYTES'),
    idpMaxMetadataBytes: settings.IDP_MAX_METADATA_BYTES ?? defaultNumber('IDP_MAX_METADATA_BYTES'),
    metrics,
    logRetentionDays,
    stageName,
    lambdaMemoryMb: number('lambdaMemoryMb', 256, 128, 10_240),
    // API Gateway HTTP APIs give up on an integration after 30 s.
    lambdaTimeoutSeconds: number('lambdaTimeoutSeconds', 15, 3, 29),
    throttleRateLimit: number('throttleRateLimit', 20, 1, 10_000),
    throttleBurstLimit: number('throttleBurstLimit', 40, 1, 5_000),
    tokenThrottleRateLimit: number('tokenThrottleRateLimit', 20, 1, 10_000),
    tokenThrottleBurstLimit: number('tokenThrottleBurstLimit', 40, 1, 5_000),
    deletionProtection: bool('deletionProtection', false),
    sharedSecretRotation: number('sharedSecretRotation', 0, 0, 1_000_000),
    lambdaFunctions: oneOf('lambdaFunctions', FUNCTION_LAYOUTS, 'single'),
    protection: oneOf('protection', PROTECTIONS, 'protect'),
  }
  if (!result.idpScopes.includes('openid')) throw fail('idpScopes', 'must include "openid"')

  const endpoints: [keyof IdpEndpointConfig, string | undefined][] = [
    ['authorizationEndpoint', settings.IDP_AUTHORIZATION_ENDPOINT],
    ['tokenEndpoint', settings.IDP_TOKEN_ENDPOINT],
    ['userinfoEndpoint', userinfoEndpoint(text('idpUserinfoEndpoint'), fail)],
    ['jwksUri', settings.IDP_JWKS_URI],
  ]
  for (const [field, value] of endpoints) {
    if (value) result.endpoints[field] = value
  }
  if (settings.ASSERTION_AUDIENCE) result.assertionAudience = settings.ASSERTION_AUDIENCE
  if (settings.KMS_KEY_KID) result.kmsKeyKid = settings.KMS_KEY_KID
  if (settings.IDP_PROFILE) result.idpProfile = settings.IDP_PROFILE
  if (settings.PAR) result.par = settings.PAR
  if (settings.DPOP !== undefined) result.dpop = settings.DPOP
  if (settings.ID_TOKEN_ENCRYPTION_REQUIRED !== undefined) {
    result.idTokenEncryptionRequired = settings.ID_TOKEN_ENCRYPTION_REQUIRED
  }
  if (settings.USERINFO !== undefined) result.userinfo = settings.USERINFO
  if (settings.IDP_PAR_ENDPOINT) result.idpParEndpoint = settings.IDP_PAR_ENDPOINT
  const decryptionSpec = text('kmsDecryptionKeySpec')
  if (decryptionSpec) {
    if (!(KMS_RSA_DECRYPTION_KEY_SPECS as readonly string[]).includes(decryptionSpec)) {
      throw fail(
        'kmsDecryptionKeySpec',
        `must be one of ${KMS_RSA_DECRYPTION_KEY_SPECS.join(', ')} (ENCRYPT_DECRYPT; for EC keys put a use "enc" key in the key secret), or empty`,
      )
    }
    result.kmsDecryptionKeySpec = decryptionSpec as KmsRsaDecryptionKeySpec
  }
  if (settings.METRICS_NAMESPACE) result.metricsNamespace = settings.METRICS_NAMESPACE
  // Relative to the project root (where Pulumi.yaml is), not to the program's directory.
  const bundleDir = text('lambdaBundleDir')
  if (bundleDir) {
    result.lambdaBundleDir = isAbsolute(bundleDir) ? bundleDir : resolve(projectRoot, bundleDir)
  }
  return result
}

/**
 * Cognito's `attributes_url`: not a proxy setting (Cognito calls the IdP's userinfo itself), so
 * not in the table, but held to the same URL rule as the table's endpoints.
 */
function userinfoEndpoint(
  value: string | undefined,
  fail: (key: string, problem: string) => pulumi.RunError,
): string | undefined {
  if (value === undefined) return undefined
  try {
    parseUrl(value, false)
  } catch (error) {
    throw fail('idpUserinfoEndpoint', (error as Error).message)
  }
  return value
}
