/**
 * GET /authorize (PKCE mode): Cognito's authorization request, forwarded to the IdP with a
 * PKCE challenge, the proxy's callback and an opaque state handle in place of Cognito's state.
 */
import { isProxyError, ProxyError } from '../errors.js'
import { dpopJkt, generateDpopKey } from '../fapi/dpop.js'
import { idpErrorCode } from '../fapi/idp-errors.js'
import { pushAuthorizationRequest, pushedAuthorizationRedirect } from '../fapi/par.js'
import { clientAuthFor, dpopBinding, idpHttp, type ProxyState } from '../idp-client.js'
import type { IdpMetadataSource } from '../idp-metadata.js'
import type { Logger } from '../logger.js'
import type { ResolvedOptions } from '../options.js'
import { codeChallengeS256, generateCodeVerifier, generateNonce } from '../pkce.js'
import { redirect } from '../responses.js'
import type { FlowStore } from '../stores/flow-store.js'
import { checkClient, checkQuerySize, saveFlow, singleParam, takeFlow } from './shared.js'

// Parameters the proxy replaces; everything else Cognito sends is forwarded.
const OWNED = new Set(['redirect_uri', 'state', 'code_challenge', 'code_challenge_method'])

/**
 * `url` is the request's URL, parsed once by the proxy for routing and shared (a Cognito-sized
 * URL costs a microsecond or more per parse): the route reads nothing else of the request.
 */
export async function authorize(
  url: URL,
  options: ResolvedOptions,
  store: FlowStore,
  metadata: IdpMetadataSource,
  proxyState: ProxyState,
  logger?: Logger,
): Promise<Response> {
  const query = checkQuerySize(url, options, {
    state: { max: options.maxStateBytes, option: 'maxStateBytes' },
  })
  checkClient(options, singleParam(query, 'client_id'))
  // Checked before anything else that could redirect: an unlisted redirect_uri never gets one.
  const redirectUri = singleParam(query, 'redirect_uri')
  if (!options.redirectUris.has(redirectUri)) {
    throw new ProxyError(
      'ERR_REDIRECT_URI_NOT_ALLOWED',
      'redirect_uri is not a configured Cognito redirect URI',
    )
  }
  const state = singleParam(query, 'state')
  if (singleParam(query, 'response_type') !== 'code') {
    throw new ProxyError('ERR_INVALID_REQUEST', 'response_type must be "code"')
  }

  const verifier = generateCodeVerifier()
  // Cognito's nonce if it sent one (then it checks the id_token too), else ours; either way the
  // proxy keeps it and checks the IdP's id_token against it at /token.
  const nonce = query.get('nonce') ?? (options.addNonce ? generateNonce() : undefined)
  const challenge = codeChallengeS256(verifier)
  const [idp, dpopKey] = await Promise.all([
    metadata(),
    // A key per sign-in (docs/fapi.md, "DPoP key per sign-in"); it rides in the flow records.
    options.dpop ? generateDpopKey() : undefined,
  ])
  // Saved before PAR: the handle is the state inside the pushed request.
  const handle = await saveFlow(
    store,
    {
      kind: 'authorize',
      state,
      redirectUri,
      verifier,
      ...(nonce ? { nonce } : {}),
      ...(dpopKey ? { dpopKey } : {}),
    },
    options.flowTtl,
  )

  const params = new URLSearchParams()
  for (const [name, value] of query) if (!OWNED.has(name)) params.set(name, value)
  if (nonce) params.set('nonce', nonce)
  for (const [name, value] of Object.entries(options.authorizationParams)) params.set(name, value)
  params.set('redirect_uri', options.callbackUrl)
  params.set('state', handle)
  params.set('code_challenge', challenge)
  params.set('code_challenge_method', 'S256')

  const push = options.par === 'always' || (options.par === 'auto' && idp.requirePar)
  if (!push) {
    // Without PAR, DPoP binds the code to the key through dpop_jkt (RFC 9449 section 10).
    if (dpopKey)
      params.set(
        'dpop_jkt',
        await dpopJkt((await dpopBinding(options, proxyState, dpopKey)).handle),
      )
    return redirect(authorizationUrl(idp.authorizationEndpoint, params))
  }
  try {
    const pushed = await pushAuthorizationRequest({
      server: idp.server,
      clientId: options.clientId,
      clientAuth: await clientAuthFor(options, idp),
      parameters: params,
      ...(dpopKey ? { dpop: await dpopBinding(options, proxyState, dpopKey) } : {}),
      http: idpHttp(options),
    })
    return redirect(
      pushedAuthorizationRedirect(idp.server, options.clientId, pushed.requestUri).href,
    )
  } catch (thrown) {
    if (!isProxyError(thrown)) throw thrown
    // A failing IdP is never a dead end: Cognito gets an OAuth error with its own state, and
    // the flow is consumed (its handle was in the refused request).
    await takeFlow(store, handle, 'authorize').catch(() => undefined)
    logger?.log('warn', 'par_failed', { code: thrown.code, message: thrown.message })
    const back = new URL(redirectUri)
    back.searchParams.set('error', parErrorFor(thrown))
    back.searchParams.set(
      'error_description',
      'the identity provider refused or failed the sign-in request',
    )
    back.searchParams.set('state', state)
    return redirect(back.href)
  }
}

interface ParsedEndpoint {
  endpoint: string
  /** The endpoint's URL up to its query. */
  prefix: string
  /** Its own query without the `?` ('' for none), and its fragment with the `#` ('' for none). */
  search: string
  hash: string
}

// The last endpoint parsed: one per IdP, and discovery rarely changes it.
let parsed: ParsedEndpoint | undefined

/**
 * The IdP's authorization endpoint with `params` set on its query (a parameter the endpoint
 * carries itself is replaced), serialised once: what `new URL(endpoint)` with every parameter
 * set on its `searchParams` gives, without parsing the endpoint per request or re-serialising
 * the whole ~1 KB query per parameter.
 */
export function authorizationUrl(endpoint: string, params: URLSearchParams): string {
  if (parsed?.endpoint !== endpoint) {
    const target = new URL(endpoint)
    const search = target.search.slice(1)
    const hash = target.hash
    target.search = ''
    target.hash = ''
    parsed = { endpoint, prefix: target.href, search, hash }
  }
  let query: URLSearchParams = params
  if (parsed.search) {
    query = new URLSearchParams(parsed.search)
    for (const [name, value] of params) query.set(name, value)
  }
  return `${parsed.prefix}?${query.toString()}${parsed.hash}`
}

/**
 * The OAuth error Cognito gets for a failed PAR: the IdP's own code when it is one an
 * authorization response may carry (RFC 6749 4.1.2.1), else `temporarily_unavailable` for an
 * outage and `server_error` for anything else.
 */
function parErrorFor(error: ProxyError): string {
  const idpError = idpErrorCode(error)
  if (idpError && AUTHORIZATION_ERRORS.has(idpError)) return idpError
  if (error.error === 'temporarily_unavailable') return 'temporarily_unavailable'
  return 'server_error'
}

const AUTHORIZATION_ERRORS: ReadonlySet<string> = new Set([
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
])
