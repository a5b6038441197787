/**
 * The standalone server's request handler on plain `node:http`: the proxy's routes (under the
 * base URL's path or already stripped by a reverse proxy), an optional `/metrics`, a JSON 404 for
 * anything else and a JSON 500 if the conversion itself fails. No Express: the server needs none
 * of its routing, and its per-request work cost as much as the proxy's own /authorize.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Proxy as IdpProxy, Logger } from '@idp-proxy/core'
import { proxyHandler } from './router.js'

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void

export interface StandaloneHandlerOptions {
  logger: Logger
  /** Passed to the proxy's body reader (see `ProxyRouterOptions.bodyTimeoutMs`). */
  bodyTimeoutMs?: number
  /** Serves `GET`/`HEAD /metrics` on the proxy's port when given. */
  metrics?: NodeHandler | undefined
}

const NOT_FOUND = JSON.stringify({ error: 'invalid_request', error_description: 'no such route' })
const INTERNAL = JSON.stringify({ error: 'server_error', error_description: 'internal error' })

export function standaloneHandler(proxy: IdpProxy, options: StandaloneHandlerOptions): NodeHandler {
  const { logger, metrics } = options
  const handler = proxyHandler(
    proxy,
    options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs },
  )
  const basePath = new URL(proxy.baseUrl).pathname.replace(/\/+$/, '')

  return (req, res) => {
    const url = req.url ?? '/'
    if (metrics && isMetrics(url) && (req.method === 'GET' || req.method === 'HEAD')) {
      metrics(req, res)
      return
    }
    // The base URL's path may arrive as is or already stripped by a reverse proxy: serve both.
    const relative = basePath && hasPrefix(url, basePath) ? url.slice(basePath.length) || '/' : url
    const routed = Object.assign(req, { url: relative })
    handler(routed, res, (error?: unknown) => {
      if (error === undefined) return send(res, 404, NOT_FOUND)
      logger.log('error', 'request_failed', { message: (error as Error)?.message?.slice(0, 300) })
      if (res.headersSent) res.destroy()
      else send(res, 500, INTERNAL)
    })
  }
}

function hasPrefix(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false
  const next = url.charCodeAt(prefix.length)
  // The end, '/', '?' or '#': "/idp" must not match "/idpx".
  return Number.isNaN(next) || next === 47 || next === 63 || next === 35
}

function isMetrics(url: string): boolean {
  const path = url.split('?', 1)[0]
  return path === '/metrics' || path === '/metrics/'
}

function send(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status
  res.setHeader('content-type', 'application/json; charset=utf-8')
  res.setHeader('content-length', Buffer.byteLength(body))
  res.end(body)
}
