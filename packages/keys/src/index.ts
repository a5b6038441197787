export type { CliIo } from './cli/io.js'
export { runCli } from './cli/run.js'
export { PRIVATE_FILE_MODE, PUBLIC_FILE_MODE } from './files.js'
export {
  checkAlgorithm,
  checkBits,
  checkCurve,
  checkEncryptionAlgorithm,
  checkUse,
  DEFAULT_ALGORITHM,
  DEFAULT_ENCRYPTION_ALGORITHM,
  DEFAULT_ENCRYPTION_CURVE,
  DEFAULT_RSA_BITS,
  type GenerateOptions,
  generateKey,
} from './generate.js'
export {
  type CertificateInfo,
  type ImportedKey,
  type ImportPemOptions,
  importPem,
} from './import-pem.js'
export { type KeyUse, thumbprintKid } from './jwk-form.js'
export {
  type PrivateKeySetJson,
  publicJwk,
  publicJwks,
  readKeySet,
  toKeySetJson,
} from './key-set.js'
export {
  type PromoteOptions,
  type PromoteResult,
  promote,
  type RotateOptions,
  type RotateResult,
  rotate,
} from './rotate.js'
