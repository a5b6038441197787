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
import * as pulumi from '@pulumi/pulumi'
import { parseAttributeMapping, parseAuthorizationParams } from './params.js'
import { FUNCTION_LAYOUTS, type FunctionLayout, PROTECTIONS, type Protection } from './src/args.js'

export const KEY_MODES = ['secretsmanager', 'kms'] as const
export type KeyMode = (typeof KEY_MODES)[number]

export const KMS_KEY_SPECS = ['RSA_2048', 'ECC_NIST_P256', 'ECC_NIST_P384'] as const
export type KmsKeySpec = (typeof KMS_KEY_SPECS)[number]

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

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
  /** Generation of the shared secret: any change generates a new one. 0 = the first. */
  sharedSecretRotation: number
  lambdaFunctions: FunctionLayout
  protection: Protection
  logLevel: LogLevel
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
  const httpsUrl = (key: string, value: string): string => {
    let url: URL
    try {
      url = new URL(value)
    } catch {
      throw fail(key, `must be an absolute URL, got "${value}"`)
    }
    if (url.protocol !== 'https:') throw fail(key, 'must be an https: URL')
    return value
  }
  const optionalUrl = (key: string): string | undefined => {
    const value = text(key)
    return value === undefined ? undefined : httpsUrl(key, value)
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

  const store = text('store') ?? 'dynamodb'
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
  const assertionAudience = text('assertionAudience')
  if (
    assertionAudience &&
    assertionAudience !== 'token_endpoint' &&
    assertionAudience !== 'issuer'
  ) {
    httpsUrl('assertionAudience', assertionAudience)
  }

  const result: ProgramConfig = {
    issuer: httpsUrl('issuer', required('issuer')),
    clientId: required('clientId'),
    endpoints: {},
    providerName,
    idpScopes: stringList('idpScopes', ['openid', 'email', 'profile']),
    attributesRequestMethod,
    attributeMapping: parseAttributeMapping(text('attributeMapping') ?? '', (problem) =>
      fail('attributeMapping', problem),
    ),
    pkce: bool('pkce', true),
    authorizationParams: parseAuthorizationParams(text('authorizationParams') ?? '', (problem) =>
      fail('authorizationParams', problem),
    ),
    domainPrefix,
    callbackUrls,
    logoutUrls,
    appScopes: stringList('appScopes', ['openid', 'email', 'profile']),
    generateAppClientSecret: bool('generateAppClientSecret', false),
    store: 'dynamodb',
    pointInTimeRecovery: bool('pointInTimeRecovery', false),
    keyMode: oneOf('keyMode', KEY_MODES, 'secretsmanager'),
    kmsKeySpec: oneOf('kmsKeySpec', KMS_KEY_SPECS, 'RSA_2048'),
    logLevel: oneOf('logLevel', LOG_LEVELS, 'info'),
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

  const endpoints: [keyof IdpEndpointConfig, string][] = [
    ['authorizationEndpoint', 'idpAuthorizationEndpoint'],
    ['tokenEndpoint', 'idpTokenEndpoint'],
    ['userinfoEndpoint', 'idpUserinfoEndpoint'],
    ['jwksUri', 'idpJwksUri'],
  ]
  for (const [field, key] of endpoints) {
    const value = optionalUrl(key)
    if (value) result.endpoints[field] = value
  }
  if (assertionAudience) result.assertionAudience = assertionAudience
  const kmsKeyKid = text('kmsKeyKid')
  if (kmsKeyKid) result.kmsKeyKid = kmsKeyKid
  // Relative to the project root (where Pulumi.yaml is), not to the program's directory.
  const bundleDir = text('lambdaBundleDir')
  if (bundleDir) {
    result.lambdaBundleDir = isAbsolute(bundleDir) ? bundleDir : resolve(projectRoot, bundleDir)
  }
  return result
}
