export {
  ACCESS_LOG_FORMAT,
  DEFAULT_THROTTLE,
  FUNCTION_LAYOUTS,
  type FunctionLayout,
  type IdpProxyArgs,
  type IdpProxyResourceArgs,
  PROTECTIONS,
  type Protection,
  SHARED_SECRET_MIN_LENGTH,
  type Throttle,
} from './args.js'
export {
  BUNDLES,
  type BundleName,
  BundleNotFoundError,
  bundleDirectory,
  installedBundleDirectory,
} from './bundles.js'
export {
  discoveryUrl,
  type IdpEndpoints,
  missingEndpoints,
  resolveEndpoints,
} from './discovery.js'
export { FLOW_TABLE_ATTRIBUTES } from './flow-table.js'
export { DEFAULT_ATTRIBUTE_MAPPING, IdpProxy } from './idp-proxy.js'
export { KMS_ADMIN_ACTIONS, kmsKeyPolicy } from './kms-key-policy.js'
export { KMS_ACTIONS, type ProxyFunction, TABLE_ACTIONS } from './policies.js'
export {
  FUNCTION_BUNDLES,
  FUNCTION_ROUTES,
  LAMBDA_RUNTIME,
  TOKEN_ROUTES,
} from './proxy-function.js'
