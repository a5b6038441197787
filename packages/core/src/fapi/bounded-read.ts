/**
 * Bounded reads of IdP answers (PAR, token, userinfo). oauth4webapi reads bodies without a limit,
 * so the FAPI calls buffer the body here first, with a byte cap, and hand oauth4webapi (or our own
 * parsing) a copy.
 *
 * Helper E writes the proxy-wide bounded reader; this one is deliberately small so the two can be
 * deduplicated at the merge.
 */
import { ProxyError } from '../errors.js'

/** Default cap for one IdP answer: ID tokens with many claims and JWE userinfo stay far below. */
export const MAX_IDP_RESPONSE_BYTES = 256 * 1024

/** Reads `response`'s body as text, refusing (and cancelling) it beyond `maxBytes`. */
export async function readBounded(
  response: Response,
  maxBytes: number = MAX_IDP_RESPONSE_BYTES,
  what = 'answer',
): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) {
    // Not awaited: a cancel can wait on the peer, and the refusal must not.
    response.body?.cancel().catch(() => undefined)
    throw tooLarge(what, maxBytes)
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      reader.cancel().catch(() => undefined)
      throw tooLarge(what, maxBytes)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new TextDecoder().decode(bytes)
}

/** A copy of `response` with its body read (bounded) into memory, so it can be read again. */
export async function bufferResponse(
  response: Response,
  maxBytes: number = MAX_IDP_RESPONSE_BYTES,
  what = 'answer',
): Promise<Response> {
  const text = await readBounded(response, maxBytes, what)
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  headers.delete('content-encoding')
  const status = response.status
  // Statuses that may not carry a body (204, 304) must be rebuilt without one.
  const body = status === 204 || status === 304 ? null : text
  return new Response(body, { status, statusText: response.statusText, headers })
}

function tooLarge(what: string, maxBytes: number): ProxyError {
  return new ProxyError('ERR_IDP_UNAVAILABLE', `the IdP's ${what} is larger than ${maxBytes} bytes`)
}
