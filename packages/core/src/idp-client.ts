/**
 * What every call the proxy makes to the IdP on a sign-in's behalf shares (PAR, token,
 * userinfo): the client assertion (one ClientAuth, fapi/client-auth.ts), the sign-in's DPoP
 * binding with the proxy's one nonce cache, the decryption keys, and the time and size bounds.
 */
import type * as oauth from 'oauth4webapi'
import { ProxyError } from './errors.js'
import { assertionClientAuth } from './fapi/client-auth.js'
import {
  createDpopHandle,
  type DpopNonceCache,
  type DpopPrivateJwk,
  importDpopKey,
} from './fapi/dpop.js'
import type { IdpHttp } from './fapi/idp-http.js'
import type { Decrypter } from './fapi/jwe.js'
import type { DpopBinding } from './fapi/par.js'
import type { IdpMetadata } from './idp-metadata.js'
import type { Signer } from './keys/key-source.js'
import type { ResolvedOptions } from './options.js'

/** State one proxy keeps across requests: DPoP nonces are the server's, not a sign-in's. */
export interface ProxyState {
  nonces: DpopNonceCache
  /** Called when an ID token given to Cognito with a handle carries `at_hash` (logged once). */
  noteAtHash?: () => void
}

/** The assertion `aud`: the token endpoint, the issuer (FAPI 2.0), or a configured URL. */
export function assertionAudience(options: ResolvedOptions, idp: IdpMetadata): string {
  if (options.audience === 'token_endpoint') return idp.tokenEndpoint
  if (options.audience === 'issuer') return idp.issuer
  return options.audience
}

/**
 * The signing key, checked against what the IdP accepts (a profile's algorithms, Entra's
 * `x5t#S256`): a key the IdP would refuse fails here, at start-up, not at the first sign-in.
 */
export async function assertionSigner(options: ResolvedOptions): Promise<Signer> {
  const signer = await options.keys.signer().catch((cause: unknown) => {
    throw new ProxyError('ERR_KEYS_UNAVAILABLE', 'no signing key is available', { cause })
  })
  const allowed = options.assertionAlgorithms
  if (allowed && !allowed.includes(signer.alg)) {
    throw new ProxyError(
      'ERR_INVALID_KEY',
      `the signing key "${signer.kid}" signs ${signer.alg}; the IdP${profileNote(options)} accepts only ${allowed.join(', ')}`,
    )
  }
  if (options.requireX5tS256 && !signer.header?.['x5t#S256']) {
    throw new ProxyError(
      'ERR_INVALID_KEY',
      `the signing key "${signer.kid}" has no certificate: the IdP${profileNote(options)} needs x5t#S256 in the assertion (import the key with its certificate)`,
    )
  }
  return signer
}

function profileNote(options: ResolvedOptions): string {
  return options.profile ? ` (profile ${options.profile.name})` : ''
}

/** private_key_jwt for one request to the IdP; a retry signs a new assertion (new jti). */
export async function clientAuthFor(
  options: ResolvedOptions,
  idp: IdpMetadata,
): Promise<oauth.ClientAuth> {
  return assertionClientAuth(await assertionSigner(options), {
    audience: assertionAudience(options, idp),
    lifetimeSeconds: options.assertionLifetime,
    now: options.now,
  })
}

/** The sign-in's DPoP binding: its key (from the flow record) with the proxy's nonce cache. */
export async function dpopBinding(
  options: ResolvedOptions,
  state: ProxyState,
  key: DpopPrivateJwk,
): Promise<DpopBinding> {
  const pair = await importDpopKey(key)
  return {
    handle: createDpopHandle(pair, {
      now: options.now,
      nonces: state.nonces,
      ...(options.dpopProofLifetime === undefined
        ? {}
        : { proofLifetimeSeconds: options.dpopProofLifetime }),
    }),
    nonces: state.nonces,
  }
}

/** The bounds of one FAPI call (PAR, userinfo): the IdP timeout and the token answer bound. */
export function idpHttp(options: ResolvedOptions): IdpHttp {
  return {
    fetch: options.fetch,
    timeoutMs: options.idpTimeoutMs,
    maxResponseBytes: options.maxIdpTokenBytes,
    maxResponseOption: 'maxIdpTokenBytes',
    allowInsecureHttp: options.allowInsecureHttp,
  }
}

/** The key source's decryption keys (none when it has no `decrypters`). */
export async function decryptersOf(options: ResolvedOptions): Promise<readonly Decrypter[]> {
  if (!options.keys.decrypters) return []
  try {
    return await options.keys.decrypters()
  } catch (cause) {
    throw new ProxyError('ERR_KEYS_UNAVAILABLE', 'the decryption keys are unavailable', { cause })
  }
}
