export { type AssertionClaims, signClientAssertion } from './assertion.js'
export { timingSafeEqual } from './encoding.js'
export {
  createProxyFrom,
  ENV_VARIABLES,
  type Env,
  type EnvOptions,
  keyOptionsFrom,
  keysFromEnv,
  keysFromText,
  optionsFromEnv,
  proxyOptionsFrom,
  refuseWithoutPkce,
  storeFrom,
} from './env.js'
export {
  type ConfigProblem,
  invalidOption,
  invalidOptions,
  isProxyError,
  type OAuthErrorCode,
  ProxyError,
  type ProxyErrorCode,
} from './errors.js'
// FAPI 2.0 building blocks (PAR, DPoP, JWE, userinfo); not wired into the routes yet.
export * from './fapi/index.js'
export { escapeHtml, type HtmlPageOptions, htmlPage } from './html-page.js'
export type { IdpMetadata } from './idp-metadata.js'
export {
  curveOf,
  curveOfNamedCurve,
  ENCRYPTION_CURVES,
  type EncryptionCurve,
  isRsaAlgorithm,
  isSigningAlgorithm,
  type Jwks,
  type KeySource,
  type PublicJwk,
  type PublishedJwk,
  SIGNING_ALGORITHMS,
  SIGNING_CURVE_NAMES,
  SIGNING_CURVES,
  type Signer,
  type SigningAlgorithm,
  type SigningCurve,
} from './keys/key-source.js'
export {
  type AnyKeySet,
  encryptionKeysInOrder,
  hasPrivateMembers,
  type ParseKeysOptions,
  type PrivateEncryptionJwk,
  type PrivateJwk,
  type PrivateKeySet,
  parseAnyKeySet,
  parsePrivateKeySet,
  toPublicEncryptionJwk,
  toPublicJwk,
  toPublicJwks,
} from './keys/private-jwk.js'
export {
  type SignatureCheck,
  webCryptoSignatureCheck,
} from './keys/signature-check.js'
export { importDecrypters, keySourceFromSet, staticKeySource } from './keys/static-key-source.js'
export { importSigner } from './keys/webcrypto-signer.js'
export { withDecrypters } from './keys/with-decrypters.js'
export {
  type JsonLoggerOptions,
  jsonLogger,
  LOG_LEVELS,
  type LogFields,
  type Logger,
  type LogLevel,
  silentLogger,
} from './logger.js'
export {
  type CounterName,
  classifyOutcome,
  type HistogramName,
  IDP_ERROR_CODE,
  METRICS,
  type MetricDefinition,
  type MetricLabels,
  type MetricName,
  type MetricsSink,
  type Outcome,
  oauthErrorLabel,
  recordAdapterFailure,
} from './metrics.js'
export type { IdpEndpoint } from './metrics-instrument.js'
export {
  DEFAULT_PATHS,
  type IdpOptions,
  MIN_CLIENT_SECRET_LENGTH,
  type ProxyOptions,
  RESERVED_AUTHORIZATION_PARAMS,
  ROUTE_NAMES,
  ROUTE_REQUIREMENTS,
  type RoutePaths,
  resolveFapiOptions,
} from './options.js'
export {
  IDP_PROFILE_NAMES,
  IDP_PROFILES,
  type IdpProfile,
  type IdpProfileName,
  isIdpProfileName,
  type ProfileDefaults,
  type ProfileLimits,
} from './profiles.js'
export { createProxy, type Proxy, type RouteName } from './proxy.js'
export { oauthError as errorResponse } from './responses.js'
export {
  SETTINGS_TABLE_MARKERS,
  settingsHelp,
  settingsMarkdown,
  withSettingsTable,
} from './settings/docs.js'
export {
  type ParseContext,
  type Parser,
  parseUrl,
  SettingProblem,
  stringMap,
} from './settings/parsers.js'
export {
  readSettings,
  type SettingsReading,
  type SettingsSource,
  settingForOption,
  settingsOf,
} from './settings/read.js'
export {
  DEFAULT_EMF_NAMESPACE,
  DEFAULT_METRICS_PORT,
  type LimitRange,
  METRICS_KINDS,
  type MetricsKind,
  MIN_METRICS_TOKEN_LENGTH,
  SERVER_LIMITS,
  type ServerLimitName,
} from './settings/server-settings.js'
export { RUNTIMES, type Runtime, type Setting, type SettingGroup } from './settings/setting.js'
export { SETTING_GROUPS, SETTINGS, type SettingName, type SettingValues } from './settings/table.js'
export {
  type AccessFlow,
  type AuthorizeFlow,
  type CodeFlow,
  decodeRecord,
  encodeRecord,
  FLOW_KINDS,
  type FlowKind,
  type FlowRecord,
  type FlowStore,
  isFlowRecord,
  isPlausibleHandle,
  storageKey,
} from './stores/flow-store.js'
export { createMemoryStore, type MemoryStoreOptions } from './stores/memory-store.js'
export {
  createSealedStore,
  generateSealingKey,
  type SealedStoreOptions,
} from './stores/sealed-store.js'
