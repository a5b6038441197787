/**
 * IdP profiles: one data table of what each IdP documents (docs/idps/README.md, "Profile
 * defaults", with the sources in each IdP's page). A profile gives defaults, which explicit
 * options override, and hard limits, which an explicit option may not cross (Singpass refuses an
 * assertion living longer than 120 s or signed with RSA: a deployment that configures one would
 * only fail at the first sign-in).
 *
 * Never in a profile: the issuer (sandbox and production differ), client id, keys, scopes, the
 * level of assurance beyond a safe authentication-only default (docs/idps/README.md).
 */
import type { ContentEncryptionAlgorithm } from './fapi/jwe.js'

/** What a profile may default: the options of the same names in ProxyOptions. */
export interface ProfileDefaults {
  assertionAudience?: 'token_endpoint' | 'issuer'
  assertionLifetimeSeconds?: number
  par?: 'auto' | 'always' | 'never'
  dpop?: boolean
  dpopProofLifetimeSeconds?: number
  addNonce?: boolean
  requireEncryptedIdToken?: boolean
  contentEncryptionAlgorithms?: readonly ContentEncryptionAlgorithm[]
  authorizationParams?: Readonly<Record<string, string>>
  userinfo?: boolean
}

/** What an explicit option may not cross. */
export interface ProfileLimits {
  /** Longest assertion lifetime the IdP accepts, in seconds. */
  maxAssertionLifetimeSeconds?: number
  /** The assertion algorithms the IdP accepts: a signing key with another is refused at start-up. */
  assertionAlgorithms?: readonly string[]
  /** The assertion must carry `x5t#S256` (a key imported with its certificate). */
  requireX5tS256?: boolean
  /** Options the profile requires on, each with why: refused if set to false. */
  required?: readonly ('dpop' | 'requireEncryptedIdToken' | 'addNonce')[]
  /** PAR must be pushed: `par: 'never'` is refused. */
  requirePar?: boolean
}

export interface IdpProfile {
  /** Who, in a few words (the docs and the start-up log). */
  readonly title: string
  readonly defaults: ProfileDefaults
  readonly limits: ProfileLimits
}

const EC_ASSERTIONS = ['ES256', 'ES384', 'ES512'] as const

export const IDP_PROFILES = {
  singpass: {
    title: 'Singpass (FAPI 2.0)',
    defaults: {
      assertionAudience: 'issuer',
      assertionLifetimeSeconds: 60,
      par: 'always',
      dpop: true,
      // Singpass's demo app puts exp in each proof, at most iat + 120 s.
      dpopProofLifetimeSeconds: 120,
      addNonce: true,
      requireEncryptedIdToken: true,
      userinfo: true,
    },
    limits: {
      maxAssertionLifetimeSeconds: 120,
      assertionAlgorithms: EC_ASSERTIONS,
      required: ['dpop', 'requireEncryptedIdToken'],
      requirePar: true,
    },
  },
  corppass: {
    title: 'Corppass (FAPI 2.0)',
    defaults: {
      assertionAudience: 'issuer',
      assertionLifetimeSeconds: 60,
      par: 'always',
      dpop: true,
      addNonce: true,
      requireEncryptedIdToken: true,
      userinfo: true,
    },
    limits: {
      maxAssertionLifetimeSeconds: 600,
      assertionAlgorithms: ['ES256', 'ES256K', 'ES384', 'ES512'],
      required: ['dpop', 'requireEncryptedIdToken', 'addNonce'],
      requirePar: true,
    },
  },
  'login-gov': {
    title: 'Login.gov',
    defaults: {
      assertionAudience: 'token_endpoint',
      assertionLifetimeSeconds: 60,
      addNonce: true,
      authorizationParams: { acr_values: 'urn:acr.login.gov:auth-only', prompt: 'select_account' },
    },
    limits: {
      maxAssertionLifetimeSeconds: 300,
      assertionAlgorithms: ['RS256'],
      required: ['addNonce'],
    },
  },
  'nhs-login': {
    title: 'NHS login',
    defaults: {
      assertionAudience: 'token_endpoint',
      assertionLifetimeSeconds: 60,
      addNonce: true,
      authorizationParams: { vtr: '["P9.Cp.Cd","P9.Cp.Ck","P9.Cm"]' },
    },
    limits: {
      maxAssertionLifetimeSeconds: 60,
      assertionAlgorithms: ['RS512', 'RS256'],
      required: ['addNonce'],
    },
  },
  'govuk-one-login': {
    title: 'GOV.UK One Login',
    defaults: {
      assertionAudience: 'token_endpoint',
      assertionLifetimeSeconds: 60,
      addNonce: true,
      authorizationParams: { vtr: '["Cl.Cm"]' },
    },
    limits: {
      maxAssertionLifetimeSeconds: 300,
      assertionAlgorithms: ['RS256'],
      required: ['addNonce'],
    },
  },
  okta: {
    title: 'Okta',
    defaults: { assertionAudience: 'token_endpoint', assertionLifetimeSeconds: 60 },
    limits: {
      maxAssertionLifetimeSeconds: 3600,
      assertionAlgorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'],
    },
  },
  'entra-id': {
    title: 'Microsoft Entra ID',
    defaults: { assertionAudience: 'token_endpoint', assertionLifetimeSeconds: 60 },
    limits: { assertionAlgorithms: ['PS256', 'RS256'], requireX5tS256: true },
  },
  keycloak: {
    title: 'Keycloak',
    // PAR, DPoP and encryption are per client policy: PAR follows discovery (`auto`).
    defaults: { assertionAudience: 'issuer', assertionLifetimeSeconds: 60 },
    limits: {},
  },
  auth0: {
    title: 'Auth0',
    defaults: { assertionAudience: 'issuer', assertionLifetimeSeconds: 60 },
    limits: { maxAssertionLifetimeSeconds: 300, assertionAlgorithms: ['RS256', 'RS384', 'PS256'] },
  },
  helseid: {
    title: 'HelseID',
    defaults: { assertionAudience: 'issuer', assertionLifetimeSeconds: 60, par: 'always' },
    limits: { maxAssertionLifetimeSeconds: 60, requirePar: true },
  },
} as const satisfies Record<string, IdpProfile>

export type IdpProfileName = keyof typeof IDP_PROFILES

export const IDP_PROFILE_NAMES = Object.keys(IDP_PROFILES) as IdpProfileName[]

export function isIdpProfileName(value: unknown): value is IdpProfileName {
  return typeof value === 'string' && Object.hasOwn(IDP_PROFILES, value)
}
