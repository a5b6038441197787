/**
 * Node/Express request and response <-> Web Request and Response. Only translation lives here:
 * the proxy's behaviour is all in core.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ProxyError } from '@idp-proxy/core'

/** What Express (or a body parser) may have added to the Node request. */
export type NodeRequest = IncomingMessage & {
  /** Set by a body parser (express.json/urlencoded/raw/text) that has read the stream. */
  body?: unknown
  /** body-parser 1.x marks a parsed request with this flag. */
  _body?: boolean
}

export interface ConvertOptions {
  /** The public URL's origin and path prefix (the proxy's base URL, without a trailing slash). */
  base: string
  /** Largest body accepted, in bytes. */
  maxBodyBytes: number
  /**
   * Longest wait for the rest of the body once the request reaches the proxy, in ms: past it the
   * body errors with a 408 ProxyError (rendered by core). Default: no deadline.
   */
  bodyTimeoutMs?: number
}

// Connection-level headers describe the hop to this server, not the request itself.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
])

const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])

/**
 * The Web Request for `req`. `path` is the path relative to where the router is mounted (Express's
 * `req.url`), so the URL is the public one: base URL + route path + query, whatever `Host` says.
 */
export function toWebRequest(req: NodeRequest, path: string, options: ConvertOptions): Request {
  const url = `${options.base}${path.startsWith('/') ? path : `/${path}`}`
  const method = (req.method ?? 'GET').toUpperCase()
  // The Fetch API refuses to build these; no route of the proxy accepts them either.
  if (FORBIDDEN_METHODS.has(method)) {
    throw new ProxyError('ERR_METHOD_NOT_ALLOWED', `${method} is not allowed`)
  }
  // The headers go straight into the request's own Headers: a Headers built first and passed as
  // `init.headers` is validated and copied a second time by the constructor.
  if (method === 'GET' || method === 'HEAD') {
    const request = new Request(url, { method })
    appendHeaders(request.headers, req)
    return request
  }

  const declared = Number(req.headers['content-length'] ?? '0')
  if (declared > options.maxBodyBytes) throw bodyTooLarge(options.maxBodyBytes)

  if (wasBodyRead(req)) {
    const headers = appendHeaders(new Headers(), req)
    // A body parser in front of the router consumed the stream: serialise what it parsed again.
    const bytes = reencodeBody(req.body, headers.get('content-type') ?? '')
    if (bytes.byteLength > options.maxBodyBytes) throw bodyTooLarge(options.maxBodyBytes)
    headers.set('content-length', String(bytes.byteLength))
    // The parser already decoded any gzip/deflate: the bytes now are plain.
    headers.delete('content-encoding')
    return new Request(url, { method, headers, body: bytes })
  }
  const request = new Request(url, {
    method,
    body: limitedBody(req, options.maxBodyBytes, options.bodyTimeoutMs),
    duplex: 'half',
  } as RequestInit)
  appendHeaders(request.headers, req)
  return request
}

/** Appends `req`'s end-to-end headers to `headers` (one the Fetch API refuses is left out). */
function appendHeaders(headers: Headers, req: IncomingMessage): Headers {
  const raw = req.rawHeaders
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.startsWith(':') || HOP_BY_HOP.has(name.toLowerCase())) continue
    try {
      headers.append(name, raw[i + 1] as string)
    } catch {
      // A value Node accepted but the Fetch API does not: the proxy reads no such header anyway.
    }
  }
  return headers
}

/** Did something (a body parser) already read the request stream? */
export function wasBodyRead(req: NodeRequest): boolean {
  return req._body === true || req.readableEnded || (req.complete && !req.readable)
}

/**
 * The bytes of a body a parser already turned into a value: a form object back to
 * `application/x-www-form-urlencoded`, a JSON value back to JSON, a Buffer or string as it was.
 * Nested values (qs's `a[b]=c`) have no place in an OAuth form and are dropped.
 */
export function reencodeBody(body: unknown, contentType: string): Uint8Array<ArrayBuffer> {
  if (body === undefined || body === null) return new Uint8Array()
  if (body instanceof Uint8Array) return new Uint8Array(body)
  if (typeof body === 'string') return new TextEncoder().encode(body)
  if (/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    return new TextEncoder().encode(JSON.stringify(body))
  }
  const form = new URLSearchParams()
  if (typeof body === 'object') {
    for (const [name, value] of Object.entries(body)) {
      const values: unknown[] = Array.isArray(value) ? value : [value]
      for (const item of values) if (typeof item === 'string') form.append(name, item)
    }
  }
  return new TextEncoder().encode(form.toString())
}

/**
 * The request stream as a Web stream that errors with a 413 ProxyError past `maxBytes`, or a 408
 * one when the body is not complete `timeoutMs` after the request reached the proxy (core renders
 * both as OAuth JSON errors). Cancelling it (core stops reading) never destroys the socket, so
 * the error response can still be sent.
 */
function limitedBody(
  req: IncomingMessage,
  maxBytes: number,
  timeoutMs: number | undefined,
): ReadableStream<Uint8Array> {
  let size = 0
  let controller: ReadableStreamDefaultController<Uint8Array>
  let deadline: ReturnType<typeof setTimeout> | undefined
  const onData = (chunk: Buffer) => {
    size += chunk.byteLength
    if (size > maxBytes) {
      detach()
      controller.error(bodyTooLarge(maxBytes))
      return
    }
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    if ((controller.desiredSize ?? 0) <= 0) req.pause()
  }
  const onEnd = () => {
    clearTimeout(deadline)
    controller.close()
  }
  const onError = (error: Error) => {
    clearTimeout(deadline)
    controller.error(error)
  }
  const detach = () => {
    clearTimeout(deadline)
    req.removeListener('data', onData)
    req.removeListener('end', onEnd)
    req.removeListener('error', onError)
    // The rest of the body flows into the void; the response then closes the connection.
    req.resume()
  }
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c
        req.on('data', onData)
        req.once('end', onEnd)
        req.once('error', onError)
        req.pause()
        if (timeoutMs !== undefined && !req.complete) {
          // A slow client (a trickled body) gets its answer instead of holding the socket.
          deadline = setTimeout(() => {
            detach()
            controller.error(bodyTimedOut(timeoutMs))
          }, timeoutMs)
          // A body nobody reads (the route answered first) leaves no timer behind.
          req.once('close', () => clearTimeout(deadline))
        }
      },
      pull() {
        req.resume()
      },
      cancel() {
        detach()
      },
    },
    { highWaterMark: 1 },
  )
}

export function bodyTimedOut(timeoutMs: number): ProxyError {
  return new ProxyError('ERR_INVALID_REQUEST', `the body did not arrive within ${timeoutMs} ms`, {
    status: 408,
  })
}

export function bodyTooLarge(maxBytes: number): ProxyError {
  return new ProxyError('ERR_INVALID_REQUEST', `the body is larger than ${maxBytes} bytes`, {
    status: 413,
  })
}

/**
 * Streams `response` to `res`: status, headers (every Set-Cookie kept separate, never split on
 * commas), body. A client that goes away mid-body ends the copy without an error.
 */
export async function sendWebResponse(
  req: IncomingMessage,
  res: ServerResponse,
  response: Response,
): Promise<void> {
  res.statusCode = response.status
  if (response.statusText) res.statusMessage = response.statusText
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) res.setHeader('set-cookie', cookies)
  // A body left unread (core answered without reading it) must not be parsed as the next request.
  if (!req.complete) res.setHeader('connection', 'close')

  if (!response.body || req.method === 'HEAD') {
    await response.body?.cancel()
    res.end()
    return
  }
  await copyBody(response.body, res)
}

/**
 * Copies a Web stream to the Node response chunk by chunk, waiting for `drain` when the socket is
 * full. (A plain loop: `Readable.fromWeb` + `pipeline` cost more than the proxy's own work on
 * these small bodies.) A client that goes away cancels the stream instead of failing.
 */
async function copyBody(body: ReadableStream<Uint8Array>, res: ServerResponse): Promise<void> {
  const reader = body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (res.destroyed) {
        await reader.cancel()
        return
      }
      if (!res.write(value)) await drained(res)
    }
  } catch {
    // The body's producer failed mid-way: the status is sent already, so cut the response short.
    res.destroy()
    return
  } finally {
    reader.releaseLock()
  }
  res.end()
}

/** Resolves on `drain`, or when the response closes (a client gone never drains). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
