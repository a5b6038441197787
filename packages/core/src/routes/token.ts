/**
 * POST /token: Cognito's token request. Cognito is authenticated with its client secret (post or
 * basic), the proxy's code handle is taken (one time) and the IdP's code is exchanged with a
 * signed client assertion and the PKCE verifier.
 */
import { decodeJwt } from 'jose'
import { timingSafeEqual } from '../encoding.js'
import { isProxyError, ProxyError } from '../errors.js'
import type { DpopPrivateJwk } from '../fapi/dpop.js'
import { decryptIdToken, isCompactJwe } from '../fapi/jwe.js'
import { userinfoFromIdToken } from '../fapi/userinfo.js'
import type { IdTokenVerifier } from '../id-token.js'
import { decryptersOf, dpopBinding, type ProxyState } from '../idp-client.js'
import type { IdpMetadataSource } from '../idp-metadata.js'
import type { ResolvedOptions } from '../options.js'
import { json } from '../responses.js'
import type { FlowStore } from '../stores/flow-store.js'
import { type CodeExchange, exchangeCode } from '../token-exchange.js'
import { checkClient, saveFlow, singleParam, takeFlow } from './shared.js'

export async function token(
  request: Request,
  options: ResolvedOptions,
  metadata: IdpMetadataSource,
  verifyIdToken: IdTokenVerifier,
  proxyState: ProxyState,
): Promise<Response> {
  const form = await readForm(request, options.maxBodyBytes)
  await authenticateClient(request, form, options)
  if (form.get('grant_type') !== 'authorization_code') {
    throw new ProxyError('ERR_UNSUPPORTED_GRANT', 'only grant_type=authorization_code is supported')
  }
  const code = singleParam(form, 'code')
  const redirectUri = singleParam(form, 'redirect_uri')

  let exchange: CodeExchange
  let nonce: string | undefined
  let dpopKey: DpopPrivateJwk | undefined
  if (options.pkce && options.store) {
    const flow = await takeFlow(options.store, code, 'code')
    if (!flow)
      throw new ProxyError('ERR_FLOW_NOT_FOUND', 'the code is invalid, expired or already used')
    if (flow.redirectUri !== redirectUri) {
      throw new ProxyError(
        'ERR_FLOW_NOT_FOUND',
        'redirect_uri does not match the authorization request',
      )
    }
    exchange = { code: flow.code, redirectUri: options.callbackUrl, verifier: flow.verifier }
    nonce = flow.nonce
    dpopKey = flow.dpopKey
  } else {
    if (!options.redirectUris.has(redirectUri)) {
      throw new ProxyError(
        'ERR_REDIRECT_URI_NOT_ALLOWED',
        'redirect_uri is not a configured Cognito redirect URI',
      )
    }
    exchange = { code, redirectUri }
  }

  const idp = await metadata(options.verifyIdToken ? 'jwks' : undefined)
  const dpop = dpopKey ? await dpopBinding(options, proxyState, dpopKey) : undefined
  const result = await exchangeCode(options, idp, exchange, dpop)
  if (result.status < 200 || result.status >= 300) return json(result.body, result.status)

  const body = { ...result.body }
  if (typeof body.id_token === 'string') {
    // An encrypted ID token is decrypted (Cognito verifies the inner signed one itself).
    body.id_token = await innerIdToken(body.id_token, options)
  } else if (options.requireEncryptedIdToken) {
    throw new ProxyError('ERR_IDP_RESPONSE_INVALID', 'the IdP sent no ID token')
  }
  let claims: Record<string, unknown> | undefined
  if (options.verifyIdToken) {
    if (!idp.jwksUri) {
      throw new ProxyError(
        'ERR_IDP_UNAVAILABLE',
        "the IdP's discovery document has no jwks_uri to verify id_tokens with",
      )
    }
    claims = await verifyIdToken(body.id_token, {
      issuer: idp.issuer,
      jwksUri: idp.jwksUri,
      nonce,
    })
  }
  if (options.userinfo && options.store) {
    return json(await withAccessHandle(body, claims, dpopKey, options, options.store, proxyState))
  }
  return json(body, result.status)
}

async function innerIdToken(idToken: string, options: ResolvedOptions): Promise<string> {
  const encrypted = isCompactJwe(idToken)
  const decrypters = encrypted ? await decryptersOf(options) : []
  if (encrypted && decrypters.length === 0) {
    throw new ProxyError(
      'ERR_DECRYPTION_FAILED',
      'the IdP sent an encrypted ID token but the key source has no decryption key',
    )
  }
  return decryptIdToken(idToken, decrypters, {
    required: options.requireEncryptedIdToken,
    contentEncryption: options.contentEncryption,
    maxLength: options.maxIdpTokenBytes,
  })
}

/**
 * The token answer with the IdP's access token replaced by an opaque Bearer handle (record A):
 * Cognito never holds the IdP's token (DPoP-bound or not), and calls the proxy's /userinfo with
 * the handle. The refresh token stays with the IdP too: Cognito does not use it.
 */
async function withAccessHandle(
  body: Record<string, unknown>,
  verified: Record<string, unknown> | undefined,
  dpopKey: DpopPrivateJwk | undefined,
  options: ResolvedOptions,
  store: FlowStore,
  proxyState: ProxyState,
): Promise<Record<string, unknown>> {
  const accessToken = body.access_token
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new ProxyError('ERR_IDP_RESPONSE_INVALID', 'the IdP sent no access_token')
  }
  const type = typeof body.token_type === 'string' ? body.token_type.toLowerCase() : 'bearer'
  if (type === 'dpop' && !dpopKey) {
    throw new ProxyError(
      'ERR_IDP_RESPONSE_INVALID',
      'the IdP bound the access token to DPoP, but DPoP is off',
    )
  }
  // Without verification (verifyIdToken: false, by choice) the claims are read as they are.
  const claims = verified ?? unverifiedClaims(body.id_token)
  if (typeof claims.sub !== 'string') {
    throw new ProxyError('ERR_IDP_RESPONSE_INVALID', 'the ID token has no sub')
  }
  if (claims.at_hash !== undefined) proxyState.noteAtHash?.()
  const expiresIn =
    typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : undefined
  const ttl = Math.max(
    1,
    Math.min(Math.floor(expiresIn ?? options.accessTokenTtl), options.accessTokenTtl),
  )
  const handle = await saveFlow(
    store,
    {
      kind: 'access',
      accessToken,
      tokenType: type === 'dpop' ? 'dpop' : 'bearer',
      ...(type === 'dpop' && dpopKey ? { dpopKey } : {}),
      sub: claims.sub,
      claims: userinfoFromIdToken(claims as Record<string, unknown> & { sub: string }),
    },
    ttl,
  )
  const { refresh_token: _kept, ...rest } = body
  return { ...rest, access_token: handle, token_type: 'Bearer', expires_in: ttl }
}

function unverifiedClaims(idToken: unknown): Record<string, unknown> {
  try {
    return decodeJwt(String(idToken))
  } catch (cause) {
    throw new ProxyError('ERR_IDP_RESPONSE_INVALID', 'the ID token is not a JWT', { cause })
  }
}

/** Reads an application/x-www-form-urlencoded body of at most `maxBytes`. */
export async function readForm(request: Request, maxBytes: number): Promise<URLSearchParams> {
  const type = request.headers.get('content-type') ?? ''
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    throw new ProxyError(
      'ERR_INVALID_REQUEST',
      'the body must be application/x-www-form-urlencoded',
    )
  }
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > maxBytes) throw tooLarge(maxBytes)
  if (!request.body) return new URLSearchParams()
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>
    try {
      chunk = await reader.read()
    } catch (cause) {
      // An adapter's own refusal (a 413 past its bound) is rendered as it is.
      if (isProxyError(cause)) throw cause
      // The client went away mid-body: nothing to answer, and nothing for an operator to fix.
      throw new ProxyError('ERR_CLIENT_ABORTED', 'the client closed the request mid-body', {
        cause,
      })
    }
    const { done, value } = chunk
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return new URLSearchParams(new TextDecoder().decode(bytes))
}

function tooLarge(maxBytes: number): ProxyError {
  return new ProxyError('ERR_INVALID_REQUEST', `the body is larger than ${maxBytes} bytes`, {
    status: 413,
  })
}

/**
 * client_secret_post (what Cognito sends) or client_secret_basic (RFC 6749 2.3.1), never both.
 * The secret is compared in constant time.
 */
async function authenticateClient(
  request: Request,
  form: URLSearchParams,
  options: ResolvedOptions,
): Promise<void> {
  const basic = parseBasic(request.headers.get('authorization'))
  if (basic && form.has('client_secret')) {
    throw new ProxyError('ERR_INVALID_REQUEST', 'use one client authentication method, not two')
  }
  const clientId = basic?.id ?? form.get('client_id')
  const secret = basic?.secret ?? form.get('client_secret')
  if (!clientId || !secret) {
    throw new ProxyError('ERR_CLIENT_AUTH', 'client authentication is required')
  }
  if (basic && form.has('client_id') && form.get('client_id') !== basic.id) {
    throw new ProxyError('ERR_INVALID_REQUEST', 'client_id differs from the authenticated client')
  }
  let expected: string
  try {
    expected = await options.clientSecret()
  } catch (cause) {
    throw new ProxyError('ERR_KEYS_UNAVAILABLE', 'the client secret is unavailable', { cause })
  }
  // Both compared, always: which one failed must not show in the timing.
  const idOk = timingSafeEqual(clientId, options.clientId)
  const secretOk = timingSafeEqual(secret, expected)
  if (!idOk || !secretOk) throw new ProxyError('ERR_CLIENT_AUTH', 'client authentication failed')
  checkClient(options, clientId)
}

function parseBasic(header: string | null): { id: string; secret: string } | undefined {
  if (!header) return undefined
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim())
  if (!match) throw new ProxyError('ERR_CLIENT_AUTH', 'the Authorization header is not Basic')
  let decoded: string
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(
      Uint8Array.from(atob(match[1] as string), (c) => c.charCodeAt(0)),
    )
  } catch {
    throw new ProxyError('ERR_CLIENT_AUTH', 'the Authorization header is malformed')
  }
  const colon = decoded.indexOf(':')
  if (colon < 0) throw new ProxyError('ERR_CLIENT_AUTH', 'the Authorization header is malformed')
  // RFC 6749 2.3.1: both parts are form-urlencoded before being joined.
  const unform = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '))
  try {
    return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) }
  } catch {
    throw new ProxyError('ERR_CLIENT_AUTH', 'the Authorization header is malformed')
  }
}
