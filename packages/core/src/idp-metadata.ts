/**
 * The IdP's endpoints: explicit ones from the options, the rest from its discovery document
 * (fetched once and cached; a failed fetch is retried on the next request, not cached).
 */
import * as oauth from 'oauth4webapi'
import { checkStatus, discard, parseJsonObject, readBoundedText } from './bounded-read.js'
import { ProxyError } from './errors.js'
import type { ResolvedOptions } from './options.js'

export interface IdpMetadata {
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  /** Where the IdP publishes the keys its id_tokens are signed with. */
  jwksUri: string | undefined
  /** RFC 9126 pushed authorization request endpoint (explicit, or from discovery). */
  parEndpoint: string | undefined
  /** Discovery's `require_pushed_authorization_requests` (false with explicit endpoints). */
  requirePar: boolean
  userinfoEndpoint: string | undefined
  /**
   * oauth4webapi's view of the IdP (for the token, PAR and userinfo requests), with every
   * explicit endpoint in it.
   */
  server: oauth.AuthorizationServer
}

/**
 * The IdP's metadata. `need: 'jwks'` (at /token with id_token verification, and at start-up)
 * also requires `jwksUri`: with both endpoints configured but no JWKS URL, discovery then runs
 * for it alone, and /authorize keeps working without discovery.
 */
export type IdpMetadataSource = (need?: 'jwks') => Promise<IdpMetadata>

export function idpMetadataSource(options: ResolvedOptions): IdpMetadataSource {
  const { issuerId, authorizationEndpoint, tokenEndpoint } = options.idp
  let cached: Promise<IdpMetadata> | undefined
  const discovered = () => {
    cached ??= discover(options).catch((error: unknown) => {
      cached = undefined
      throw error
    })
    return cached
  }
  if (authorizationEndpoint && tokenEndpoint) {
    const metadata = toMetadata({ issuer: issuerId, ...explicitEndpoints(options) })
    return async (need) => (need === 'jwks' && !metadata.jwksUri ? discovered() : metadata)
  }
  return discovered
}

async function discover(options: ResolvedOptions): Promise<IdpMetadata> {
  const { issuer, issuerId } = options.idp
  const what = `discovery of ${issuerId}`
  const signal = AbortSignal.timeout(options.idpTimeoutMs)
  let text: string
  let response: Response
  try {
    response = await oauth.discoveryRequest(issuer, {
      algorithm: 'oidc',
      signal,
      [oauth.customFetch]: options.fetch,
      [oauth.allowInsecureRequests]: options.allowInsecureHttp,
    })
    checkStatus(response, what)
    if (response.status >= 300 && response.status < 400) {
      discard(response)
      const location = response.headers.get('location')
      throw unavailable(
        `${what}: the IdP redirected (HTTP ${response.status}${location ? ` to ${clip(location)}` : ''}); discovery does not follow redirects, configure the issuer it names`,
      )
    }
    text = await readBoundedText(response, {
      maxBytes: options.maxIdpMetadataBytes,
      option: 'maxIdpMetadataBytes',
      what,
    })
  } catch (cause) {
    throw idpFailure(cause, signal, what)
  }
  if (response.status !== 200) {
    throw unavailable(`${what}: the IdP answered HTTP ${response.status}, not 200`)
  }
  const document = parseJsonObject(text)
  if (!document) {
    const type = response.headers.get('content-type')
    throw unavailable(
      `${what}: the answer is not a JSON object (content-type ${type ? clip(type) : 'none'}, ${text.length} characters)`,
    )
  }
  if (typeof document.issuer === 'string' && !sameIssuer(document.issuer, issuer)) {
    throw unavailable(
      `${what}: the document names issuer "${clip(document.issuer)}", not the configured "${issuerId}"`,
    )
  }
  let server: oauth.AuthorizationServer
  try {
    // Its own checks (issuer present and equal, a JSON object) on a body already bounded.
    server = await oauth.processDiscoveryResponse(
      issuer,
      new Response(text, { headers: { 'content-type': 'application/json' } }),
    )
  } catch (cause) {
    throw unavailable(`${what}: the document is not valid discovery metadata`, cause)
  }
  return toMetadata({ ...server, ...explicitEndpoints(options) })
}

/** The endpoints configured explicitly, as discovery names them: they win over discovery's. */
function explicitEndpoints(options: ResolvedOptions): Partial<oauth.AuthorizationServer> {
  const { authorizationEndpoint, tokenEndpoint, jwksUri, parEndpoint, userinfoEndpoint } =
    options.idp
  return {
    ...(authorizationEndpoint ? { authorization_endpoint: authorizationEndpoint.href } : {}),
    ...(tokenEndpoint ? { token_endpoint: tokenEndpoint.href } : {}),
    ...(jwksUri ? { jwks_uri: jwksUri.href } : {}),
    ...(parEndpoint ? { pushed_authorization_request_endpoint: parEndpoint.href } : {}),
    ...(userinfoEndpoint ? { userinfo_endpoint: userinfoEndpoint.href } : {}),
  }
}

function sameIssuer(named: string, configured: URL): boolean {
  try {
    return new URL(named).href === configured.href
  } catch {
    return false
  }
}

function unavailable(message: string, cause?: unknown): ProxyError {
  return new ProxyError('ERR_IDP_UNAVAILABLE', message, cause === undefined ? {} : { cause })
}

/** What the IdP sent, shortened for a message. */
function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
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
    jwksUri: server.jwks_uri,
    parEndpoint: server.pushed_authorization_request_endpoint,
    requirePar: server.require_pushed_authorization_requests === true,
    userinfoEndpoint: server.userinfo_endpoint,
    server,
  }
}

/** Maps a failed call to the IdP to 504 (timed out) or 502 (anything else). */
export function idpFailure(cause: unknown, signal: AbortSignal, what: string): ProxyError {
  if (cause instanceof ProxyError) return cause
  // A bound passed inside a library (oauth4webapi reading a bounded body) comes back as a cause.
  const inner = (cause as { cause?: unknown } | null)?.cause
  if (inner instanceof ProxyError) return inner
  if (signal.aborted) {
    return new ProxyError('ERR_IDP_TIMEOUT', `${what}: the IdP did not answer in time`, { cause })
  }
  // The cause (with the network detail) goes to the log, not into the message Cognito sees.
  return new ProxyError('ERR_IDP_UNAVAILABLE', `${what}: the IdP could not be reached`, { cause })
}
