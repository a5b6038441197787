/**
 * The proxy as Express middleware. Requests for the proxy's routes go to `proxy.handle`; anything
 * else falls through to the app (`next()`), so the router can be mounted at `/` beside other routes.
 */
import type { ServerResponse } from 'node:http'
import { errorResponse, type Proxy as IdpProxy, invalidOption, isProxyError } from '@idp-proxy/core'
import express from 'express'
import { type ConvertOptions, type NodeRequest, sendWebResponse, toWebRequest } from './convert.js'

export interface ProxyRouterOptions {
  /**
   * Largest request body read, in bytes (Cognito's token request is well under 1 KiB). A larger
   * body gets 413 with an OAuth JSON error. Default 16 384, core's own default `maxBodyBytes`.
   */
  maxBodyBytes?: number
  /**
   * Longest wait for the rest of a body once the request reaches the proxy, in ms; past it the answer is
   * 408 with an OAuth JSON error and the connection is closed. Default: none (the standalone
   * server sets one; an app sets its server's `requestTimeout`).
   */
  bodyTimeoutMs?: number
}

/** Express-compatible middleware; the same function works on Express 4 and 5. */
export type ProxyHandler = (
  req: NodeRequest & { url?: string },
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void

/**
 * An `express.Router` serving the proxy's routes: `app.use(proxyRouter(proxy))`, or under a
 * prefix, `app.use('/idp', proxyRouter(proxy))` with the proxy's base URL ending in `/idp`.
 */
export function proxyRouter(proxy: IdpProxy, options: ProxyRouterOptions = {}): express.Router {
  const router = express.Router()
  router.use(proxyHandler(proxy, options))
  return router
}

/**
 * The middleware inside `proxyRouter`, for an app that wants to mount it on a router of its own
 * (e.g. an Express 4 app: `express.Router().use(proxyHandler(proxy))`).
 */
export function proxyHandler(proxy: IdpProxy, options: ProxyRouterOptions = {}): ProxyHandler {
  const base = proxy.baseUrl
  const maxBodyBytes = options.maxBodyBytes ?? 16_384
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw invalidOption('maxBodyBytes', 'must be a positive whole number')
  }
  const { bodyTimeoutMs } = options
  if (bodyTimeoutMs !== undefined && (!Number.isInteger(bodyTimeoutMs) || bodyTimeoutMs < 1)) {
    throw invalidOption('bodyTimeoutMs', 'must be a positive whole number')
  }
  const routes = new Set(Object.values(proxy.urls).map((url) => trimSlash(new URL(url).pathname)))
  const basePath = new URL(base).pathname.replace(/\/+$/, '')

  return (req, res, next) => {
    // Express sets req.url to the path below the mount point; the public path is base + that.
    const relative = req.url ?? '/'
    const pathname = publicPath(base, basePath, relative)
    if (pathname === undefined || !routes.has(trimSlash(pathname))) {
      next()
      return
    }
    serve(proxy, req, res, relative, {
      base,
      maxBodyBytes,
      ...(bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs }),
    }).catch(next)
  }
}

async function serve(
  proxy: IdpProxy,
  req: NodeRequest,
  res: ServerResponse,
  relative: string,
  options: ConvertOptions,
): Promise<void> {
  let request: Request
  try {
    request = toWebRequest(req, relative, options)
  } catch (error) {
    if (!isProxyError(error)) throw error
    // Rendered by core like every other error; the unread body may be large, so do not keep
    // reading it for a next request on this connection.
    const response = errorResponse(error)
    response.headers.set('connection', 'close')
    await sendWebResponse(req, res, response)
    return
  }
  const response = await proxy.handle(request)
  await sendWebResponse(req, res, response)
}

// A path of these characters is one the URL parser leaves as it is (no dot segments, no
// escapes, no backslashes): its public path is the base's path and it, with no parse.
const PLAIN_PATH = /^\/[\w~/-]*$/

/** The public URL's path for `relative` (below the mount point), or undefined if it is no URL. */
export function publicPath(base: string, basePath: string, relative: string): string | undefined {
  const path = relative.startsWith('/') ? relative : `/${relative}`
  const end = path.search(/[?#]/)
  const plain = end === -1 ? path : path.slice(0, end)
  if (PLAIN_PATH.test(plain)) return basePath + plain
  try {
    return new URL(`${base}${path}`).pathname
  } catch {
    return undefined
  }
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path
}
