/**
 * The token request to the IdP: Cognito's client secret is replaced by a signed client
 * assertion, and the PKCE verifier is added. The IdP's status and JSON body go back to Cognito
 * as they are.
 */
import * as oauth from 'oauth4webapi'
import { signClientAssertion } from './assertion.js'
import { ProxyError } from './errors.js'
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
): Promise<IdpTokenResponse> {
  const signer = await options.keys.signer().catch((cause: unknown) => {
    throw new ProxyError('ERR_KEYS_UNAVAILABLE', 'no signing key is available', { cause })
  })
  const audience =
    options.audience === 'token_endpoint'
      ? idp.tokenEndpoint
      : options.audience === 'issuer'
        ? idp.issuer
        : options.audience

  // Our own ClientAuth: oauth4webapi's PrivateKeyJwt needs a CryptoKey, and KMS keys have none.
  const clientAuth: oauth.ClientAuth = async (_as, client, body) => {
    body.set('client_id', client.client_id)
    body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    body.set(
      'client_assertion',
      await signClientAssertion(signer, {
        clientId: client.client_id,
        audience,
        lifetimeSeconds: options.assertionLifetime,
        now: options.now(),
      }),
    )
  }

  const parameters = new URLSearchParams({
    code: exchange.code,
    redirect_uri: exchange.redirectUri,
  })
  if (exchange.verifier) parameters.set('code_verifier', exchange.verifier)

  const signal = AbortSignal.timeout(options.idpTimeoutMs)
  let response: Response
  let text: string
  try {
    response = await oauth.genericTokenEndpointRequest(
      idp.server,
      { client_id: options.clientId },
      clientAuth,
      'authorization_code',
      parameters,
      {
        signal,
        [oauth.customFetch]: options.fetch,
        [oauth.allowInsecureRequests]: options.allowInsecureHttp,
      },
    )
    text = await response.text()
  } catch (cause) {
    throw idpFailure(cause, signal, 'token request')
  }
  return { status: response.status, body: parseTokenBody(response.status, text) }
}

function parseTokenBody(status: number, text: string): Record<string, unknown> {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProxyError(
      'ERR_IDP_UNAVAILABLE',
      `the IdP's token endpoint answered ${status} without a JSON object`,
    )
  }
  return body as Record<string, unknown>
}
