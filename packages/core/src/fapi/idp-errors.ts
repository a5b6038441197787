/**
 * Turns oauth4webapi's processing errors into ProxyErrors. An OAuth error body from the IdP is
 * ERR_IDP_REJECTED, with the IdP's `error` code (an RFC 6749 token, safe to log) in the message
 * and in `idpError`; anything else that is not a conform answer is ERR_IDP_UNAVAILABLE.
 */
import * as oauth from 'oauth4webapi'
import { isProxyError, ProxyError } from '../errors.js'

// RFC 6749 error codes are %x20-21 / %x23-5B / %x5D-7E; keep them short for logs.
const ERROR_CODE = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}$/

export function idpRejection(cause: unknown, what: string): ProxyError {
  if (isProxyError(cause)) return cause
  const error = idpErrorCode(cause)
  if (error !== undefined) {
    return new ProxyError('ERR_IDP_REJECTED', `the IdP refused the ${what} (${error})`, { cause })
  }
  return new ProxyError(
    'ERR_IDP_UNAVAILABLE',
    `the IdP's ${what} answer is not a conform response`,
    {
      cause,
    },
  )
}

/** The IdP's OAuth `error` code behind a ProxyError or an oauth4webapi error, if it sent one. */
export function idpErrorCode(error: unknown): string | undefined {
  let value: unknown = error
  for (let depth = 0; depth < 3 && value; depth++) {
    if (value instanceof oauth.ResponseBodyError) {
      return ERROR_CODE.test(value.error) ? value.error : 'invalid_error_code'
    }
    if (value instanceof oauth.WWWAuthenticateChallengeError) {
      const code = value.cause[0]?.parameters.error
      return typeof code === 'string' && ERROR_CODE.test(code) ? code : 'invalid_token'
    }
    value = (value as { cause?: unknown }).cause
  }
  return undefined
}
