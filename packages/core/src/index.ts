export { type AssertionClaims, signClientAssertion } from './assertion.js'
export { timingSafeEqual } from './encoding.js'
export {
  ENV_VARIABLES,
  type Env,
  type EnvOptions,
  keyOptionsFromEnv,
  keysFromEnv,
  keysFromText,
  optionsFromEnv,
  storeFromEnv,
} from './env.js'
export {
  invalidOption,
  isProxyError,
  type OAuthErrorCode,
  ProxyError,
  type ProxyErrorCode,
} from './errors.js'
export type { IdpMetadata } from './idp-metadata.js'
export {
  isSigningAlgorithm,
  type Jwks,
  type KeySource,
  type PublicJwk,
  SIGNING_ALGORITHMS,
  type Signer,
  type SigningAlgorithm,
} from './keys/key-source.js'
export {
  hasPrivateMembers,
  type ParseKeysOptions,
  type PrivateJwk,
  type PrivateKeySet,
  parsePrivateKeySet,
  toPublicJwk,
  toPublicJwks,
} from './keys/private-jwk.js'
export { keySourceFromSet, staticKeySource } from './keys/static-key-source.js'
export { importSigner } from './keys/webcrypto-signer.js'
export {
  type JsonLoggerOptions,
  jsonLogger,
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
export { DEFAULT_PATHS, type IdpOptions, type ProxyOptions, type RoutePaths } from './options.js'
export { createProxy, type Proxy, type RouteName } from './proxy.js'
export { oauthError as errorResponse } from './responses.js'
export {
  type AuthorizeFlow,
  type CodeFlow,
  decodeRecord,
  encodeRecord,
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
