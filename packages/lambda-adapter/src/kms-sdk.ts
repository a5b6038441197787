/**
 * The KMS SDK, imported on first use by the KMS key source and decrypters: a function without
 * KMS_KEY_ID or KMS_DECRYPTION_KEY_IDS never evaluates it (esbuild keeps `import()` lazy in the
 * single-file bundles). Named re-exports, so the bundles keep only what is used.
 */
export {
  DecryptCommand,
  DeriveSharedSecretCommand,
  GetPublicKeyCommand,
  KMSClient,
  SignCommand,
} from '@aws-sdk/client-kms'
