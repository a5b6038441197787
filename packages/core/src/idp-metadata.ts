/**
 * The IdP's endpoints: explicit ones from the options, the rest from its discovery document
 * (fetched once and cached; a failed fetch is retried on the next request, not cached).
 */
import * as oauth from 'oauth4webapi'
import { ProxyError } from './errors.js'
import type { ResolvedOptions } from './options.js'

export interface IdpMetadata {
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  /** oauth4webapi's view of the IdP, for the token request. */
  server: oauth.AuthorizationServer
}

export type IdpMetadataSource = () => Promise<IdpMetadata>

export function idpMetadataSource(options: ResolvedOptions): IdpMetadataSource {
  const { issuerId, authorizationEndpoint, tokenEndpoint } = options.idp
  if (authorizationEndpoint && tokenEndpoint) {
    const metadata = toMetadata({
      issuer: issuerId,
      authorization_endpoint: authorizationEndpoint.href,
      token_endpoint: tokenEndpoint.href,
    })
    return async () => metadata
  }
  let cached: Promise<IdpMetadata> | undefined
  return () => {
    cached ??= discover(options).catch((error: unknown) => {
      cached = undefined
      throw error
    })
    return cached
  }
}

async function discover(options: ResolvedOptions): Promise<IdpMetadata> {
  const { issuer } = options.idp
  const signal = AbortSignal.timeout(options.idpTimeoutMs)
  let server: oauth.AuthorizationServer
  try {
    const response = await oauth.discoveryRequest(issuer, {
      algorithm: 'oidc',
      signal,
      [oauth.customFetch]: options.fetch,
      [oauth.allowInsecureRequests]: options.allowInsecureHttp,
    })
    server = await oauth.processDiscoveryResponse(issuer, response)
  } catch (cause) {
    throw idpFailure(cause, signal, `discovery of ${issuer.href} failed`)
  }
  return toMetadata({
    ...server,
    ...(options.idp.authorizationEndpoint
      ? { authorization_endpoint: options.idp.authorizationEndpoint.href }
      : {}),
    ...(options.idp.tokenEndpoint ? { token_endpoint: options.idp.tokenEndpoint.href } : {}),
  })
}

function toMetadata(server: oauth.AuthorizationServer): IdpMetadata {
  if (!server.authorization_endpoint || !server.token_endpoint) {
    throw new ProxyError(
      'ERR_IDP_UNAVAILABLE',
      "the IdP's discovery document lacks authorization_endpoint or token_endpoint",
    )
  }
  return {
    issuer: server.issuer,
    authorizationEndpoint: server.authorization_endpoint,
    tokenEndpoint: server.token_endpoint,
    server,
  }
}

/** Maps a failed call to the IdP to 504 (timed out) or 502 (anything else). */
export function idpFailure(cause: unknown, signal: AbortSignal, what: string): ProxyError {
  if (cause instanceof ProxyError) return cause
  if (signal.aborted) {
    return new ProxyError('ERR_IDP_TIMEOUT', `${what}: the IdP did not answer in time`, { cause })
  }
  // The cause (with the network detail) goes to the log, not into the message Cognito sees.
  return new ProxyError('ERR_IDP_UNAVAILABLE', `${what}: the IdP could not be reached`, { cause })
}
