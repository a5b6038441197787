/** Every response the proxy makes is built here, so headers stay consistent. */
import { randomToken } from './encoding.js'
import type { ProxyError, ProxyErrorCode } from './errors.js'
import { escapeHtml, htmlPage } from './html-page.js'

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' }

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8', ...NO_STORE, ...headers },
  })
}

/**
 * An OAuth error body (RFC 6749 5.2). `invalid_client` gets the Basic challenge it requires.
 * Adapters render their own failures (a malformed event, an oversized body) through this too,
 * so every error the product answers has one shape.
 */
export function oauthError(error: ProxyError): Response {
  const headers: Record<string, string> =
    error.code === 'ERR_INVALID_TOKEN'
      ? // RFC 6750 3.1: the Bearer challenge of a protected resource (/userinfo).
        { 'www-authenticate': 'Bearer realm="idp-proxy", error="invalid_token"' }
      : error.status === 401
        ? { 'www-authenticate': 'Basic realm="idp-proxy"' }
        : {}
  if (error.status === 405) headers.allow = 'GET, POST'
  return json({ error: error.error, error_description: error.message }, error.status, headers)
}

/** The proxy's banner on its own pages (the local run's pages use other colours). */
const BANNER = { banner: 'idp-proxy', colour: '#1f4e79' }

/**
 * What a person reads first, per error code: a whole sentence, since `error.message` is written
 * for logs and developers ("client_id is not the configured client").
 */
const SENTENCES: Partial<Record<ProxyErrorCode, string>> = {
  ERR_INVALID_REQUEST: 'This sign-in request is incomplete or malformed.',
  ERR_UNKNOWN_CLIENT: 'This sign-in request is for an application this service does not know.',
  ERR_REDIRECT_URI_NOT_ALLOWED:
    'This sign-in request asks to return to an address this service does not know.',
  ERR_FLOW_NOT_FOUND: 'This sign-in has expired or was already completed.',
  ERR_ISSUER_MISMATCH: 'The answer to this sign-in came from an unexpected identity provider.',
  ERR_IDP_UNAVAILABLE: 'The identity provider cannot be reached at the moment.',
  ERR_IDP_TIMEOUT: 'The identity provider did not answer in time.',
  ERR_STORE_UNAVAILABLE: 'Sign-in is unavailable at the moment.',
  ERR_KEYS_UNAVAILABLE: 'Sign-in is unavailable at the moment.',
  ERR_NOT_FOUND: 'There is no sign-in page at this address.',
  ERR_METHOD_NOT_ALLOWED: 'This address does not accept this kind of request.',
}

// Shows the "Go back" link only where it works (scripts on); it goes back in the browser's own
// history, never to an address taken from the request.
const BACK_SCRIPT =
  "const back=document.getElementById('back');back.hidden=false;back.addEventListener('click',(event)=>{event.preventDefault();history.back()})"

/**
 * The page for browser-facing errors (/authorize, /callback): never a redirect, and no link to
 * any address but this page itself ("Try again" reloads it, for outages) and the browser's
 * history. Inline CSS and the one script carry a per-response nonce, so the CSP stays
 * `default-src 'none'` with nothing else allowed.
 */
export function errorPage(error: ProxyError, requestId?: string): Response {
  const unavailable = error.status >= 500
  const title = unavailable ? 'Sign-in is unavailable' : 'Sign-in request refused'
  const sentence =
    SENTENCES[error.code] ??
    (unavailable ? 'Something went wrong on our side.' : 'This sign-in request was refused.')
  const advice = unavailable
    ? 'Please try again in a moment.'
    : 'Go back to the application you came from and sign in again.'
  const nonce = randomToken(16)
  const body = `<h1>${title}</h1>
<p id="message">${escapeHtml(sentence)} ${advice}</p>
<p class="actions"><a id="back" href="#" hidden>Go back</a>${unavailable ? '<a id="retry" href="">Try again</a>' : ''}</p>
<p class="hint">Error code: <code id="error-code">${escapeHtml(error.code)}</code><br>
Details: ${escapeHtml(error.message)}${requestId ? `<br>\nRequest id: <code id="request-id">${escapeHtml(requestId)}</code>` : ''}</p>
<script nonce="${nonce}">${BACK_SCRIPT}</script>`
  const html = htmlPage({ title, ...BANNER, body, nonce })
  return new Response(html, {
    status: error.status,
    headers: {
      'content-type': 'text/html;charset=UTF-8',
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      ...NO_STORE,
    },
  })
}

export function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: { location, ...NO_STORE } })
}
