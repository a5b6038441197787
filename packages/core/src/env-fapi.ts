/**
 * The FAPI 2.0 and IdP-profile settings (the end of PROXY_SETTINGS) as `createProxy` options.
 * Apart from env.ts so that the two grow without touching each other.
 */
import type { ProxyOptions } from './options.js'
import type { SettingsReading } from './settings/read.js'

/** Adds the FAPI settings that are set to `options` (explicit ones only: a profile fills the rest). */
export function fapiOptionsFrom(reading: SettingsReading, options: ProxyOptions): void {
  const { values } = reading
  if (values.IDP_PROFILE) options.profile = values.IDP_PROFILE
  if (values.IDP_PAR_ENDPOINT) options.idp.parEndpoint = values.IDP_PAR_ENDPOINT
  if (values.IDP_USERINFO_ENDPOINT) options.idp.userinfoEndpoint = values.IDP_USERINFO_ENDPOINT
  if (values.PAR) options.par = values.PAR
  if (values.DPOP !== undefined) options.dpop = values.DPOP
  if (values.DPOP_PROOF_LIFETIME_SECONDS !== undefined) {
    options.dpopProofLifetimeSeconds = values.DPOP_PROOF_LIFETIME_SECONDS
  }
  if (values.ID_TOKEN_ENCRYPTION_REQUIRED !== undefined) {
    options.requireEncryptedIdToken = values.ID_TOKEN_ENCRYPTION_REQUIRED
  }
  if (values.JWE_CONTENT_ENCRYPTION) {
    options.contentEncryptionAlgorithms = values.JWE_CONTENT_ENCRYPTION
  }
  if (values.ASSERTION_ALGORITHMS) {
    options.assertion = { ...options.assertion, algorithms: values.ASSERTION_ALGORITHMS }
  }
  if (values.USERINFO !== undefined) options.userinfo = values.USERINFO
  if (values.ACCESS_TOKEN_TTL_SECONDS !== undefined) {
    options.accessTokenTtlSeconds = values.ACCESS_TOKEN_TTL_SECONDS
  }
}
