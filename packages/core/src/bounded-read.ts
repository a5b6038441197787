/**
 * Every answer from the IdP is read through here: its size is counted after decompression (fetch
 * has already inflated gzip/deflate/br by the time bytes reach the stream), and reading stops, and
 * the connection is cancelled, as soon as the bound is passed. A hostile or broken IdP therefore
 * costs at most the bound plus one chunk of memory, whatever it sends.
 */
import { ProxyError } from './errors.js'

/** What an answer is, for messages: `discovery`, `token request`, `JWKS`. */
export interface ReadBound {
  /** Most bytes accepted (after decompression). */
  maxBytes: number
  /** The option that sets the bound, named in the message so an operator knows what to raise. */
  option: string
  /** What is being read, for the message. */
  what: string
}

/** The whole body of `response`, or ERR_IDP_RESPONSE_TOO_LARGE once it passes `bound.maxBytes`. */
export async function readBounded(
  response: Response,
  bound: ReadBound,
): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  // A declared length is checked before a byte is read (it is the length before decompression,
  // so it can only tell us early that the bound is passed, never that it is not).
  if (declared > bound.maxBytes) {
    discard(response)
    throw tooLarge(bound)
  }
  if (!response.body) return new Uint8Array(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > bound.maxBytes) {
      // Cancelling aborts the transfer (and the decompression) instead of draining it.
      void reader.cancel().catch(() => {})
      throw tooLarge(bound)
    }
    chunks.push(value)
  }
  return concat(chunks, size)
}

/** The body as text (UTF-8), bounded. */
export async function readBoundedText(response: Response, bound: ReadBound): Promise<string> {
  return new TextDecoder().decode(await readBounded(response, bound))
}

/** Default bound for one FAPI answer (PAR, userinfo, a JWE) when no option gives one. */
export const MAX_IDP_RESPONSE_BYTES = 256 * 1024

/**
 * A copy of `response` whose body was already read, bounded, so that a library (oauth4webapi)
 * or a second reader never sees more than the bound. Statuses a `Response` cannot carry
 * (outside 200–599) are refused here as an outage.
 */
export async function bufferResponse(
  response: Response,
  bound: ReadBound = {
    maxBytes: MAX_IDP_RESPONSE_BYTES,
    option: 'maxIdpTokenBytes',
    what: 'answer',
  },
): Promise<Response> {
  checkStatus(response, bound.what)
  const body = await readBounded(response, bound)
  const headers = new Headers(response.headers)
  // The bytes are already decoded: the copy must not claim an encoding or a stale length.
  headers.delete('content-encoding')
  headers.delete('content-length')
  return new Response(statusHasBody(response.status) ? body : null, {
    status: response.status,
    statusText: response.statusText,
    headers,
  })
}

/** A fetch for a library that reads bodies itself (oauth4webapi): every answer bounded. */
export function boundedFetch(fetchFn: typeof fetch, bound: ReadBound): typeof fetch {
  return async (input, init) => bufferResponse(await fetchFn(input, init), bound)
}

/** An IdP status a Web `Response` cannot be built with (1xx, 600+) is an outage, not a crash. */
export function checkStatus(response: Response, what: string): void {
  const { status } = response
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    discard(response)
    throw new ProxyError(
      'ERR_IDP_UNAVAILABLE',
      `${what}: the IdP answered with HTTP status ${status}, which is not a valid final status`,
    )
  }
}

/**
 * Cancels a body we will not read. Not awaited: a cancel can stay pending (a tee whose other
 * branch nobody reads), and the answer to Cognito must not wait on it.
 */
export function discard(response: Response): void {
  if (response.body && !response.bodyUsed) void response.body.cancel().catch(() => {})
}

function statusHasBody(status: number): boolean {
  return status !== 204 && status !== 205 && status !== 304
}

function tooLarge(bound: ReadBound): ProxyError {
  return new ProxyError(
    'ERR_IDP_RESPONSE_TOO_LARGE',
    `${bound.what}: the IdP's answer is larger than ${bound.option} (${bound.maxBytes} bytes)`,
  )
}

function concat(chunks: Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/**
 * True when `text` nests arrays/objects deeper than `maxDepth`. Checked before JSON.parse and
 * before anything re-serialises the value: a deeply nested answer would overflow the stack there.
 */
export function jsonNestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return true
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return false
}

/**
 * Parses an IdP's JSON answer that must be an object; anything else (not JSON, an array, nested
 * past `maxDepth`) is undefined.
 */
export function parseJsonObject(text: string, maxDepth = 32): Record<string, unknown> | undefined {
  if (jsonNestsDeeperThan(text, maxDepth)) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}
