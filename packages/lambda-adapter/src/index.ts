export { type BrowserProxyClients, browserProxyFromEnv } from './browser-proxy.js'
export { type CachedValueOptions, cachedValue } from './cached-value.js'
export {
  type HttpEventV2,
  type HttpResultV2,
  isHttpEventV2,
  toRequest,
  toResult,
} from './convert.js'
export {
  DYNAMODB_ATTRIBUTES,
  DynamoDbFlowStore,
  type DynamoDbFlowStoreOptions,
} from './dynamodb-store.js'
export { derToJose } from './ecdsa-der.js'
export {
  DEFAULT_EMF_NAMESPACE,
  type EmfMetricsOptions,
  emfMetrics,
} from './emf-metrics.js'
export {
  createHandler,
  type HandlerOptions,
  type LambdaHandler,
  type LambdaProxyOptions,
  type ProxyFactory,
} from './handler.js'
export { KmsKeySource, type KmsKeySourceOptions } from './kms-key-source.js'
export {
  keyCacheTtlFromEnv,
  LAMBDA_ENV_VARIABLES,
  type LambdaEnvVariable,
  lambdaStoreFromEnv,
  refusingClientSecret,
  refusingKeySource,
} from './lambda-env.js'
export { type ClientInput, lazy, lazyClient } from './lazy.js'
export {
  readSecret,
  type SecretOptions,
  SecretsManagerKeySource,
  type SecretsManagerKeySourceOptions,
  secretStringSource,
} from './secrets-manager.js'
export { type TokenProxyClients, tokenProxyFromEnv } from './token-proxy.js'
