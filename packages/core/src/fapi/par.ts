/**
 * Pushed authorization requests (RFC 9126): /authorize sends the whole authorization request to
 * the IdP's PAR endpoint, client-authenticated and DPoP-bound, and redirects the browser with
 * `client_id` and `request_uri` only (FAPI 2.0 section 5.3.3.2 items 2 and 6).
 *
 * Failures are ProxyErrors that /authorize can send back to Cognito's redirect_uri with Cognito's
 * state: ERR_IDP_REJECTED (the IdP answered with an OAuth error), ERR_IDP_TIMEOUT and
 * ERR_IDP_UNAVAILABLE (unreachable, or an answer that is not a PAR response).
 */
import * as oauth from 'oauth4webapi'
import { bufferResponse, MAX_IDP_RESPONSE_BYTES } from '../bounded-read.js'
import { ProxyError } from '../errors.js'
import { idpFailure } from '../idp-metadata.js'
import { type DpopNonceCache, withDpopNonceRetry } from './dpop.js'
import { idpRejection } from './idp-errors.js'
import { type IdpHttp, oauthRequestOptions } from './idp-http.js'

export interface DpopBinding {
  handle: oauth.DPoPHandle
  nonces: DpopNonceCache
}

export interface PushedAuthorizationInput {
  server: oauth.AuthorizationServer
  clientId: string
  /** The proxy's client authentication (assertionClientAuth); called once per attempt. */
  clientAuth: oauth.ClientAuth
  /**
   * Every authorization parameter: response_type, scope, redirect_uri (the proxy's callback),
   * state (the proxy's handle), nonce, code_challenge, code_challenge_method=S256, and any
   * configured extras. client_id is added.
   */
  parameters: URLSearchParams | Record<string, string>
  /** Binds the authorization code to the sign-in's DPoP key with a proof in the `DPoP` header. */
  dpop?: DpopBinding
  http: IdpHttp
}

export interface PushedAuthorization {
  requestUri: string
  /** Seconds the request_uri is valid (oidc-provider: 60). */
  expiresIn: number
}

export async function pushAuthorizationRequest(
  input: PushedAuthorizationInput,
): Promise<PushedAuthorization> {
  const endpoint = input.server.pushed_authorization_request_endpoint
  if (!endpoint) {
    throw new ProxyError(
      'ERR_IDP_UNAVAILABLE',
      "the IdP's metadata has no pushed_authorization_request_endpoint",
    )
  }
  const client: oauth.Client = { client_id: input.clientId }
  const signal = AbortSignal.timeout(input.http.timeoutMs)
  const max = input.http.maxResponseBytes ?? MAX_IDP_RESPONSE_BYTES
  const send = () =>
    oauth.pushedAuthorizationRequest(input.server, client, input.clientAuth, input.parameters, {
      ...oauthRequestOptions(input.http, signal),
      ...(input.dpop ? { DPoP: input.dpop.handle } : {}),
    })
  let response: Response
  try {
    const raw = input.dpop
      ? await withDpopNonceRetry(endpoint, input.dpop.nonces, send)
      : await send()
    response = await bufferResponse(raw, {
      maxBytes: max,
      option: input.http.maxResponseOption ?? 'maxIdpTokenBytes',
      what: 'pushed authorization response',
    })
  } catch (cause) {
    throw idpFailure(cause, signal, 'pushed authorization request')
  }
  let result: oauth.PushedAuthorizationResponse
  try {
    result = await oauth.processPushedAuthorizationResponse(input.server, client, response)
  } catch (cause) {
    throw idpRejection(cause, 'pushed authorization request')
  }
  return { requestUri: result.request_uri, expiresIn: result.expires_in }
}

/** The browser's redirect after PAR: the authorization endpoint with client_id and request_uri only. */
export function pushedAuthorizationRedirect(
  server: oauth.AuthorizationServer,
  clientId: string,
  requestUri: string,
): URL {
  if (!server.authorization_endpoint) {
    throw new ProxyError('ERR_IDP_UNAVAILABLE', "the IdP's metadata has no authorization_endpoint")
  }
  const url = new URL(server.authorization_endpoint)
  // Any query the endpoint already has stays; the request's own parameters live at the IdP.
  url.searchParams.set('client_id', clientId)
  url.searchParams.set('request_uri', requestUri)
  return url
}
