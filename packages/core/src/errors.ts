/**
 * One error type for the whole proxy. `code` is stable and is what tests and callers match on;
 * `status` and `error` say how it is rendered (an OAuth error on /token, a plain page elsewhere).
 */

/** OAuth 2.0 error codes the proxy answers with (RFC 6749 5.2, plus server-side ones). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'unauthorized_client'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_token'

export type ProxyErrorCode =
  /** An option given to `createProxy` or `optionsFromEnv` is missing or invalid. */
  | 'ERR_INVALID_OPTION'
  /** A private key (JWK/JWKS) is malformed, public-only, lacks a `kid`, or has an unsupported algorithm. */
  | 'ERR_INVALID_KEY'
  /** The request is malformed (missing parameter, wrong content type, body too large). */
  | 'ERR_INVALID_REQUEST'
  /** `client_id` is not the configured one. */
  | 'ERR_UNKNOWN_CLIENT'
  /** `redirect_uri` is not one of the configured Cognito redirect URIs. */
  | 'ERR_REDIRECT_URI_NOT_ALLOWED'
  /** Cognito's client authentication at /token failed. */
  | 'ERR_CLIENT_AUTH'
  /** `grant_type` is not `authorization_code`. */
  | 'ERR_UNSUPPORTED_GRANT'
  /** The state or code handle is unknown, expired or already used. */
  | 'ERR_FLOW_NOT_FOUND'
  /** The IdP's callback names another issuer (RFC 9207 `iss` mismatch). */
  | 'ERR_ISSUER_MISMATCH'
  /** The IdP could not be reached or answered something that is not an OAuth response. */
  | 'ERR_IDP_UNAVAILABLE'
  /** The IdP did not answer within the configured timeout. */
  | 'ERR_IDP_TIMEOUT'
  /** An answer from the IdP was larger than its configured bound (counted after decompression). */
  | 'ERR_IDP_RESPONSE_TOO_LARGE'
  /** The IdP refused the token request with a 4xx that carried no OAuth error body. */
  | 'ERR_IDP_REFUSED'
  /** The IdP's id_token failed verification (signature, iss, aud, exp or nonce). */
  | 'ERR_ID_TOKEN_INVALID'
  /** The client went away while its request body was being read: its own, quiet outcome. */
  | 'ERR_CLIENT_ABORTED'
  /** The IdP answered with an OAuth error (a refused pushed authorization or userinfo request). */
  | 'ERR_IDP_REJECTED'
  /** A JWE from the IdP (ID token, userinfo) cannot be decrypted: unknown kid, algorithm not allowed, bad tag. */
  | 'ERR_DECRYPTION_FAILED'
  /** A signed answer from the IdP (JWT userinfo) fails verification (signature, iss, aud, sub). */
  | 'ERR_IDP_RESPONSE_INVALID'
  /** /userinfo: the Bearer handle is missing, unknown, expired or already used (RFC 6750). */
  | 'ERR_INVALID_TOKEN'
  /** The flow store failed (database down). */
  | 'ERR_STORE_UNAVAILABLE'
  /** The key source failed (secret or KMS unreachable, no usable key). */
  | 'ERR_KEYS_UNAVAILABLE'
  /** The route does not exist (or is off in this mode). */
  | 'ERR_NOT_FOUND'
  /** The route exists but not for this HTTP method. */
  | 'ERR_METHOD_NOT_ALLOWED'
  /** Anything unexpected: rendered as 500 without detail. */
  | 'ERR_INTERNAL'

const defaults: Record<ProxyErrorCode, { status: number; error: OAuthErrorCode }> = {
  ERR_INVALID_OPTION: { status: 500, error: 'server_error' },
  ERR_INVALID_KEY: { status: 500, error: 'server_error' },
  ERR_INVALID_REQUEST: { status: 400, error: 'invalid_request' },
  ERR_UNKNOWN_CLIENT: { status: 400, error: 'invalid_request' },
  ERR_REDIRECT_URI_NOT_ALLOWED: { status: 400, error: 'invalid_request' },
  ERR_CLIENT_AUTH: { status: 401, error: 'invalid_client' },
  ERR_UNSUPPORTED_GRANT: { status: 400, error: 'unsupported_grant_type' },
  ERR_FLOW_NOT_FOUND: { status: 400, error: 'invalid_grant' },
  ERR_ISSUER_MISMATCH: { status: 400, error: 'invalid_request' },
  ERR_IDP_UNAVAILABLE: { status: 502, error: 'temporarily_unavailable' },
  ERR_IDP_TIMEOUT: { status: 504, error: 'temporarily_unavailable' },
  ERR_IDP_RESPONSE_TOO_LARGE: { status: 502, error: 'temporarily_unavailable' },
  ERR_IDP_REFUSED: { status: 400, error: 'invalid_grant' },
  ERR_ID_TOKEN_INVALID: { status: 400, error: 'invalid_grant' },
  ERR_CLIENT_ABORTED: { status: 400, error: 'invalid_request' },
  ERR_IDP_REJECTED: { status: 502, error: 'server_error' },
  ERR_DECRYPTION_FAILED: { status: 502, error: 'server_error' },
  ERR_IDP_RESPONSE_INVALID: { status: 502, error: 'server_error' },
  ERR_INVALID_TOKEN: { status: 401, error: 'invalid_token' },
  ERR_STORE_UNAVAILABLE: { status: 503, error: 'temporarily_unavailable' },
  ERR_KEYS_UNAVAILABLE: { status: 503, error: 'temporarily_unavailable' },
  ERR_NOT_FOUND: { status: 404, error: 'invalid_request' },
  ERR_METHOD_NOT_ALLOWED: { status: 405, error: 'invalid_request' },
  ERR_INTERNAL: { status: 500, error: 'server_error' },
}

export interface ProxyErrorOptions {
  cause?: unknown
  /** Overrides the default HTTP status of the code. */
  status?: number
  /** Overrides the default OAuth error of the code. */
  error?: OAuthErrorCode
  /** For ERR_INVALID_OPTION: the option (or environment variable) at fault. */
  option?: string
  /** For ERR_INVALID_OPTION: every problem found, when a whole configuration was checked. */
  problems?: readonly ConfigProblem[]
}

/** One configuration problem: the option, environment variable or config key, and what is wrong. */
export interface ConfigProblem {
  readonly name: string
  readonly message: string
}

export class ProxyError extends Error {
  // A literal, not constructor.name: minifiers rename classes in the Lambda bundles.
  override readonly name = 'ProxyError'
  readonly code: ProxyErrorCode
  readonly status: number
  readonly error: OAuthErrorCode
  readonly option: string | undefined
  /** ERR_INVALID_OPTION: every problem (at least the one named by `option`). */
  readonly problems: readonly ConfigProblem[]

  constructor(code: ProxyErrorCode, message: string, options: ProxyErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = options.status ?? defaults[code].status
    this.error = options.error ?? defaults[code].error
    this.option = options.option ?? options.problems?.[0]?.name
    this.problems = options.problems ?? (options.option ? [{ name: options.option, message }] : [])
  }
}

export function isProxyError(value: unknown): value is ProxyError {
  return value instanceof ProxyError || (value as { name?: unknown } | null)?.name === 'ProxyError'
}

/** Shorthand for a configuration error that names the option at fault. */
export function invalidOption(option: string, problem: string): ProxyError {
  return new ProxyError('ERR_INVALID_OPTION', `${option}: ${problem}`, {
    option,
    problems: [{ name: option, message: problem }],
  })
}

/**
 * One ERR_INVALID_OPTION for a whole configuration: every problem, each on its own line and
 * naming its option or variable, so a deployment is fixed in one round instead of one per error.
 */
export function invalidOptions(problems: readonly ConfigProblem[]): ProxyError {
  const lines = problems.map((problem) => `${problem.name}: ${problem.message}`)
  const message =
    lines.length === 1
      ? (lines[0] as string)
      : `${lines.length} problems:\n${lines.map((line) => `  ${line}`).join('\n')}`
  return new ProxyError('ERR_INVALID_OPTION', message, { problems })
}

/** The problems an error carries: its list, or itself as one problem named by its option. */
export function problemsOf(error: unknown, fallbackName: string): ConfigProblem[] {
  if (isProxyError(error) && error.code === 'ERR_INVALID_OPTION' && error.problems.length) {
    return [...error.problems]
  }
  const message = (error as Error)?.message ?? String(error)
  return [{ name: fallbackName, message }]
}
