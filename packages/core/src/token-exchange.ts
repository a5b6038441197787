/**
 * The token request to the IdP: Cognito's client secret is replaced by a signed client
 * assertion, and the PKCE verifier is added. The IdP's status and JSON body go back to Cognito
 * as they are.
 */
import * as oauth from 'oauth4webapi'
import { checkStatus, discard, parseJsonObject, readBoundedText } from './bounded-read.js'
import { ProxyError } from './errors.js'
import { withDpopNonceRetry } from './fapi/dpop.js'
import type { DpopBinding } from './fapi/par.js'
import { clientAuthFor } from './idp-client.js'
import { type IdpMetadata, idpFailure } from './idp-metadata.js'
import type { ResolvedOptions } from './options.js'

export interface CodeExchange {
  code: string
  /** The redirect_uri the code was issued for (the proxy's callback, or Cognito's without PKCE). */
  redirectUri: string
  /** Omitted without PKCE. */
  verifier?: string
}

export interface IdpTokenResponse {
  status: number
  body: Record<string, unknown>
}

export async function exchangeCode(
  options: ResolvedOptions,
  idp: IdpMetadata,
  exchange: CodeExchange,
  dpop?: DpopBinding,
): Promise<IdpTokenResponse> {
  // One ClientAuth for PAR and token (fapi/client-auth.ts); it signs afresh per attempt.
  const clientAuth = await clientAuthFor(options, idp)

  const parameters = new URLSearchParams({
    code: exchange.code,
    redirect_uri: exchange.redirectUri,
  })
  if (exchange.verifier) parameters.set('code_verifier', exchange.verifier)

  const signal = AbortSignal.timeout(options.idpTimeoutMs)
  const what = 'token request'
  let response: Response
  let text: string
  try {
    const send = () =>
      oauth.genericTokenEndpointRequest(
        idp.server,
        { client_id: options.clientId },
        clientAuth,
        'authorization_code',
        parameters,
        {
          signal,
          [oauth.customFetch]: options.fetch,
          [oauth.allowInsecureRequests]: options.allowInsecureHttp,
          ...(dpop ? { DPoP: dpop.handle } : {}),
        },
      )
    // RFC 9449 section 8: one retry on use_dpop_nonce, with a new proof and a new assertion.
    response = dpop ? await withDpopNonceRetry(idp.tokenEndpoint, dpop.nonces, send) : await send()
    checkStatus(response, what)
    if (response.status >= 300 && response.status < 400) {
      // Cognito would get a redirect without a Location (or to somewhere it must not go).
      discard(response)
      throw new ProxyError(
        'ERR_IDP_UNAVAILABLE',
        `${what}: the IdP answered with a redirect (HTTP ${response.status})`,
      )
    }
    text = await readBoundedText(response, {
      maxBytes: options.maxIdpTokenBytes,
      option: 'maxIdpTokenBytes',
      what,
    })
  } catch (cause) {
    throw idpFailure(cause, signal, what)
  }
  return { status: response.status, body: parseTokenBody(response.status, text) }
}

/**
 * The IdP's answer as Cognito gets it. A JSON object passes through with its status; a 4xx
 * without one is a refusal (Glewlwyd answers a refused assertion with a bare 403), told to Cognito
 * as the OAuth error it stands for; anything else is an outage.
 */
function parseTokenBody(status: number, text: string): Record<string, unknown> {
  const body = parseJsonObject(text)
  if (body && (status < 400 || typeof body.error === 'string')) return body
  if (status === 401 || status === 403) {
    throw new ProxyError(
      'ERR_IDP_REFUSED',
      `the IdP refused the client (HTTP ${status}) without an OAuth error body`,
      { status, error: 'invalid_client' },
    )
  }
  if (status === 400) {
    throw new ProxyError(
      'ERR_IDP_REFUSED',
      'the IdP refused the grant (HTTP 400) without an OAuth error body',
      { status, error: 'invalid_grant' },
    )
  }
  throw new ProxyError(
    'ERR_IDP_UNAVAILABLE',
    `the IdP's token endpoint answered ${status} without a JSON object`,
  )
}
