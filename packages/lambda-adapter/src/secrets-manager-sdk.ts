/**
 * The Secrets Manager SDK, imported on first use when a secret is read through an SDK client
 * (secrets-manager.ts): on the lean path it is never evaluated. Named re-exports, so the
 * bundles keep only what is used.
 */
export { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
