/** Every response the proxy makes is built here, so headers stay consistent. */
import type { ProxyError } from './errors.js'

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
    error.status === 401 ? { 'www-authenticate': 'Basic realm="idp-proxy"' } : {}
  if (error.status === 405) headers.allow = 'GET, POST'
  return json({ error: error.error, error_description: error.message }, error.status, headers)
}

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] as string)
}

/** A short plain page for browser-facing errors (/authorize, /callback): never a redirect. */
export function errorPage(error: ProxyError): Response {
  const title = error.status >= 500 ? 'Sign-in is unavailable' : 'Sign-in request refused'
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title><h1>${title}</h1><p>${escapeHtml(error.message)}</p><p>Code: ${error.code}</p></html>`
  return new Response(html, {
    status: error.status,
    headers: {
      'content-type': 'text/html;charset=UTF-8',
      'content-security-policy': "default-src 'none'",
      ...NO_STORE,
    },
  })
}

export function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: { location, ...NO_STORE } })
}
