/**
 * API Gateway HTTP API (payload format 2.0) and Lambda Function URL events to Web `Request`, and
 * Web `Response` back to the result both expect. Both services send the same 2.0 shape; these are
 * pure functions so every shape is tested with fixture events.
 */
import { ProxyError } from '@idp-proxy/core'

/** The fields of a payload-2.0 event the proxy reads (API Gateway v2 and Function URLs). */
export interface HttpEventV2 {
  version?: string
  rawPath: string
  rawQueryString?: string
  cookies?: string[]
  headers?: Record<string, string | undefined>
  body?: string
  isBase64Encoded?: boolean
  requestContext: {
    domainName?: string
    requestId?: string
    http: { method: string }
  }
}

/** The result API Gateway v2 and Function URLs accept (`APIGatewayProxyStructuredResultV2`). */
export interface HttpResultV2 {
  statusCode: number
  headers: Record<string, string>
  /** Each `Set-Cookie` value on its own: API Gateway writes one header per entry. */
  cookies?: string[]
  body: string
  isBase64Encoded: boolean
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/
const METHOD = /^[A-Z]{1,16}$/

function malformed(problem: string): ProxyError {
  return new ProxyError('ERR_INVALID_REQUEST', `malformed event: ${problem}`)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * True for a payload-2.0 HTTP event. API Gateway REST (1.0) events, SQS records and the like
 * return false, so a function wired to the wrong trigger answers 400 instead of failing.
 */
export function isHttpEventV2(event: unknown): event is HttpEventV2 {
  if (!isRecord(event) || typeof event.rawPath !== 'string') return false
  const context = event.requestContext
  return isRecord(context) && isRecord(context.http) && typeof context.http.method === 'string'
}

/**
 * Builds the Web Request for an event. The host is the event's domain name (the proxy routes on
 * the path, and its public base URL is configured, never derived from the request). Throws a
 * ProxyError ERR_INVALID_REQUEST for a malformed event.
 */
export function toRequest(event: unknown): Request {
  if (!isHttpEventV2(event)) throw malformed('not an API Gateway v2 or Function URL event')
  const method = event.requestContext.http.method.toUpperCase()
  if (!METHOD.test(method)) throw malformed('bad HTTP method')
  if (!event.rawPath.startsWith('/')) throw malformed('rawPath must start with "/"')

  const headers = toHeaders(event)
  const domain = event.requestContext.domainName || headers.get('host') || 'localhost'
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(domain)) throw malformed('bad domain name')
  const query = typeof event.rawQueryString === 'string' ? event.rawQueryString : ''

  let url: URL
  try {
    // `//` at the start of rawPath must stay a path, not become an authority.
    url = new URL(`https://${domain}`)
    url.pathname = event.rawPath
    url.search = query
  } catch {
    throw malformed('the path or query string is not a valid URL')
  }

  const requestId = event.requestContext.requestId
  if (!headers.has('x-request-id') && typeof requestId === 'string') {
    // Correlates the proxy's log lines with API Gateway's access log.
    headers.set('x-request-id', requestId.replace(/[^\w.-]/g, '').slice(0, 128))
  }

  const init: RequestInit = { method, headers }
  if (method !== 'GET' && method !== 'HEAD') {
    const body = toBody(event)
    if (body !== undefined) init.body = body
  }
  return new Request(url, init)
}

function toHeaders(event: HttpEventV2): Headers {
  const headers = new Headers()
  if (event.headers !== undefined && !isRecord(event.headers)) {
    throw malformed('headers must be an object')
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (typeof value !== 'string') continue
    try {
      headers.set(name, value)
    } catch {
      throw malformed('a header name or value is invalid')
    }
  }
  // Payload 2.0 moves cookies out of the headers into an array.
  if (event.cookies !== undefined) {
    if (!Array.isArray(event.cookies) || !event.cookies.every((c) => typeof c === 'string')) {
      throw malformed('cookies must be an array of strings')
    }
    if (event.cookies.length > 0) {
      try {
        headers.set('cookie', event.cookies.join('; '))
      } catch {
        throw malformed('a cookie is invalid')
      }
    }
  }
  return headers
}

function toBody(event: HttpEventV2): Uint8Array<ArrayBuffer> | string | undefined {
  const { body } = event
  if (body === undefined || body === null) return undefined
  if (typeof body !== 'string') throw malformed('body must be a string')
  if (!event.isBase64Encoded) return body
  // API Gateway base64-encodes form posts and binary bodies.
  const compact = body.replace(/\s+/g, '')
  if (compact.length % 4 === 1 || !BASE64.test(compact)) throw malformed('body is not valid base64')
  return new Uint8Array(Buffer.from(compact, 'base64'))
}

const TEXT = /^(text\/|application\/(json|.*\+json|x-www-form-urlencoded|javascript|xml|.*\+xml))/i

/** Converts the proxy's Response to the Lambda result, keeping every Set-Cookie separate. */
export async function toResult(response: Response): Promise<HttpResultV2> {
  const headers: Record<string, string> = {}
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') headers[name] = value
  }
  const result: HttpResultV2 = {
    statusCode: response.status,
    headers,
    body: '',
    isBase64Encoded: false,
  }
  // Never split Set-Cookie on commas: Expires dates contain them.
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) result.cookies = cookies

  if (response.body) {
    const bytes = Buffer.from(await response.arrayBuffer())
    if (TEXT.test(response.headers.get('content-type') ?? '')) {
      result.body = bytes.toString('utf8')
    } else if (bytes.length > 0) {
      result.body = bytes.toString('base64')
      result.isBase64Encoded = true
    }
  }
  return result
}
