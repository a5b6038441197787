export {
  type AwsCallSettings,
  type AwsCredentials,
  type AwsTarget,
  awsTargetFromEnv,
} from './aws-json.js'
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
  DYNAMODB_STORE_ACTIONS,
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
  warmUp,
} from './handler.js'
export {
  FUNCTION_ACTIONS,
  type FunctionActions,
  type FunctionMode,
  functionActionsFor,
  LOG_ACTIONS,
} from './iam.js'
export {
  KMS_DECRYPTER_ACTIONS,
  KMS_DECRYPTION_ALGORITHMS,
  KMS_DECRYPTION_KEY_SPECS,
  type KmsDecrypterOptions,
  type KmsDecryptionKeySpec,
  kmsDecrypter,
  kmsDecrypterActionsFor,
  kmsDecryptionKeySpecsFor,
} from './kms-decrypter.js'
export { KmsKeySource, type KmsKeySourceOptions } from './kms-key-source.js'
export {
  KMS_KEY_SOURCE_ACTIONS,
  KMS_KEY_SPECS,
  KMS_SIGNING_ALGORITHMS,
  type KmsKeySpec,
  kmsKeySpecsFor,
} from './kms-specs.js'
export {
  CLIENT_DEFAULTS,
  emfMetricsFromEnv,
  LAMBDA_FUNCTIONS,
  type LambdaFunction,
  lambdaMetricsFrom,
  lambdaStoreFrom,
} from './lambda-env.js'
export {
  type AsyncClientInput,
  type ClientInput,
  lazy,
  lazyAsyncClient,
  lazyClient,
} from './lazy.js'
export {
  readSecret,
  SECRETS_MANAGER_ACTIONS,
  type SecretOptions,
  SecretsManagerKeySource,
  type SecretsManagerKeySourceOptions,
  secretStringSource,
} from './secrets-manager.js'
export { type TokenProxyClients, tokenProxyFromEnv } from './token-proxy.js'
