/**
 * What every FAPI call to the IdP needs: an injected fetch, a time bound, a size bound. The
 * fields match ResolvedOptions (`fetch`, `idpTimeoutMs`, `allowInsecureHttp`), so a route passes
 * `{ fetch: options.fetch, timeoutMs: options.idpTimeoutMs, allowInsecureHttp: options.allowInsecureHttp }`.
 */
import * as oauth from 'oauth4webapi'

export interface IdpHttp {
  fetch: typeof fetch
  /** Time bound for one request to the IdP, retries included. */
  timeoutMs: number
  /** Size bound for one answer. Default MAX_IDP_RESPONSE_BYTES. */
  maxResponseBytes?: number
  /** The option that sets `maxResponseBytes`, named when an answer passes it. */
  maxResponseOption?: string
  /** Allows http:// endpoints (local runs only). */
  allowInsecureHttp?: boolean
}

/** oauth4webapi's request options for one call (fetch, signal, http allowance). */
export function oauthRequestOptions(http: IdpHttp, signal: AbortSignal) {
  return {
    signal,
    [oauth.customFetch]: http.fetch,
    [oauth.allowInsecureRequests]: http.allowInsecureHttp ?? false,
  }
}
