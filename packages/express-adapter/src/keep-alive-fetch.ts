/**
 * A `fetch` for core's `fetch` option on node:http(s) with keep-alive agents: the proxy's calls
 * to the IdP (discovery, JWKS, token) reuse one connection and skip undici's Web-stream layers,
 * ~0.2 ms per /token call on loopback (BENCHMARKS.md). It covers what core's requests use:
 * method, headers, a string / URLSearchParams / bytes body, `signal`, `redirect: 'manual'` (Node
 * never follows redirects). The response body streams with backpressure, so core's bounded reader
 * stops a large answer at its bound and cancelling destroys the connection. It asks for no
 * compression; a compressed answer is passed through as sent (core then refuses it as malformed).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'

export interface KeepAliveFetchOptions {
  /** Idle sockets kept per origin. Default 4. */
  maxFreeSockets?: number
}

export function keepAliveFetch(options: KeepAliveFetchOptions = {}): typeof fetch {
  const agentOptions = { keepAlive: true, maxFreeSockets: options.maxFreeSockets ?? 4 }
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) }
  const send: typeof fetch = (input, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      if (input instanceof Request) {
        // Core never passes a Request; the global fetch handles that shape fully.
        resolve(fetch(input, init))
        return
      }
      const url = new URL(input)
      const secure = url.protocol === 'https:'
      if (!secure && url.protocol !== 'http:') {
        reject(new TypeError(`keepAliveFetch: unsupported protocol ${url.protocol}`))
        return
      }
      const signal = init.signal ?? undefined
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const headers: Record<string, string> = {}
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value
      })
      const body = bodyBytes(init.body)
      if (body !== undefined) {
        headers['content-length'] = String(body.byteLength)
        if (init.body instanceof URLSearchParams) {
          headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8'
        }
      }
      const req = (secure ? httpsRequest : httpRequest)(url, {
        method: init.method ?? 'GET',
        headers,
        agent: secure ? agents.https : agents.http,
      })
      const onAbort = () => req.destroy(signal?.reason as Error)
      signal?.addEventListener('abort', onAbort, { once: true })
      req.once('error', (error) => {
        signal?.removeEventListener('abort', onAbort)
        reject(signal?.aborted ? signal.reason : error)
      })
      req.once('response', (res) => {
        res.once('end', () => signal?.removeEventListener('abort', onAbort))
        resolve(toResponse(res))
      })
      req.end(body)
    })
  return send
}

function bodyBytes(body: RequestInit['body']): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string' || body instanceof URLSearchParams) {
    return Buffer.from(body.toString())
  }
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  throw new TypeError('keepAliveFetch: unsupported body type')
}

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers()
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    try {
      headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string)
    } catch {
      // A header the Fetch API refuses: core reads only content-type and standard ones.
    }
  }
  const status = res.statusCode ?? 502
  if (status === 204 || status === 304 || status < 200) {
    res.resume()
    return new Response(null, { status: status < 200 ? 502 : status, headers })
  }
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        res.on('data', (chunk: Buffer) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          if ((controller.desiredSize ?? 0) <= 0) res.pause()
        })
        res.once('end', () => controller.close())
        res.once('error', (error) => controller.error(error))
        res.once('aborted', () => controller.error(new Error('the IdP closed the connection')))
      },
      pull() {
        res.resume()
      },
      cancel() {
        // The reader stopped (a bound): no more bytes from this connection.
        res.destroy()
      },
    },
    { highWaterMark: 4 },
  )
  return new Response(body, { status, statusText: res.statusMessage ?? '', headers })
}
