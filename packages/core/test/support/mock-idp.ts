/**
 * A strict IdP on msw, as the IdPs this product exists for behave: it verifies the client
 * assertion's signature against the client's JWKS, its claims, the uniqueness of its jti, the
 * one-time code, the redirect_uri and the PKCE verifier.
 */
import { createHash, randomUUID } from 'node:crypto'
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'
import { HttpResponse, http } from 'msw'

export const ISSUER = 'https://idp.example.com'
export const AUTHORIZATION_ENDPOINT = `${ISSUER}/oauth2/authorize`
export const TOKEN_ENDPOINT = `${ISSUER}/oauth2/token`

export interface MockIdpOptions {
  clientId: string
  /** The client's public keys, as the IdP knows them (uploaded, or fetched from a jwks_uri). */
  jwks: () => Promise<JSONWebKeySet>
  /** Expected `aud` of assertions. Default: the token endpoint. */
  audience?: string
  requirePkce?: boolean
}

interface IssuedCode {
  redirectUri: string
  challenge: string | null
  nonce: string | null
}

export function createMockIdp(options: MockIdpOptions) {
  const codes = new Map<string, IssuedCode>()
  const seenJti = new Set<string>()
  const tokenRequests: URLSearchParams[] = []
  const assertionHeaders: Record<string, unknown>[] = []
  let discoveryCount = 0
  const fail = (status: number, error: string, description: string) =>
    HttpResponse.json({ error, error_description: description }, { status })

  const handlers = [
    http.get(`${ISSUER}/.well-known/openid-configuration`, () => {
      discoveryCount++
      return HttpResponse.json({
        issuer: ISSUER,
        authorization_endpoint: AUTHORIZATION_ENDPOINT,
        token_endpoint: TOKEN_ENDPOINT,
        jwks_uri: `${ISSUER}/jwks`,
        response_types_supported: ['code'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        code_challenge_methods_supported: ['S256'],
      })
    }),
    http.post(TOKEN_ENDPOINT, async ({ request }) => {
      const form = new URLSearchParams(await request.text())
      tokenRequests.push(form)
      if (
        form.get('client_assertion_type') !==
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
      ) {
        return fail(401, 'invalid_client', 'private_key_jwt required')
      }
      const assertion = form.get('client_assertion') ?? ''
      try {
        const { payload, protectedHeader } = await jwtVerify(
          assertion,
          createLocalJWKSet(await options.jwks()),
          {
            issuer: options.clientId,
            subject: options.clientId,
            audience: options.audience ?? TOKEN_ENDPOINT,
            requiredClaims: ['jti', 'exp', 'iat'],
          },
        )
        assertionHeaders.push(protectedHeader)
        if (typeof payload.aud !== 'string')
          return fail(401, 'invalid_client', 'aud must be a string')
        if (seenJti.has(payload.jti as string)) return fail(401, 'invalid_client', 'jti reused')
        seenJti.add(payload.jti as string)
        if ((payload.exp as number) - (payload.iat as number) > 120) {
          return fail(401, 'invalid_client', 'assertion lives too long')
        }
      } catch (error) {
        return fail(401, 'invalid_client', `assertion rejected: ${(error as Error).message}`)
      }
      if (form.has('client_secret'))
        return fail(400, 'invalid_request', 'client_secret must not be sent')
      if (form.get('grant_type') !== 'authorization_code') {
        return fail(400, 'unsupported_grant_type', 'grant_type')
      }
      const code = form.get('code') ?? ''
      const issued = codes.get(code)
      codes.delete(code)
      if (!issued) return fail(400, 'invalid_grant', 'unknown or used code')
      if (form.get('redirect_uri') !== issued.redirectUri) {
        return fail(400, 'invalid_grant', 'redirect_uri mismatch')
      }
      if (issued.challenge !== null || options.requirePkce) {
        const verifier = form.get('code_verifier') ?? ''
        const computed = createHash('sha256').update(verifier).digest('base64url')
        if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || computed !== issued.challenge) {
          return fail(400, 'invalid_grant', 'PKCE verification failed')
        }
      }
      return HttpResponse.json(
        {
          access_token: `at-${randomUUID()}`,
          id_token: `idt-${randomUUID()}`,
          token_type: 'Bearer',
          expires_in: 3600,
          ...(issued.nonce ? { nonce_echo: issued.nonce } : {}),
        },
        { headers: { 'cache-control': 'no-store' } },
      )
    }),
  ]

  /** The IdP's side of a sign-in: validates the authorization request and issues a code. */
  function signIn(authorizationUrl: string): { code: string; state: string; redirectUri: string } {
    const url = new URL(authorizationUrl)
    if (`${url.origin}${url.pathname}` !== AUTHORIZATION_ENDPOINT)
      throw new Error(`not the IdP: ${url}`)
    const q = url.searchParams
    if (q.get('client_id') !== options.clientId) throw new Error('unknown client_id')
    if (q.get('response_type') !== 'code') throw new Error('response_type')
    const challenge = q.get('code_challenge')
    if (options.requirePkce && (!challenge || q.get('code_challenge_method') !== 'S256')) {
      throw new Error('PKCE S256 required')
    }
    const code = randomUUID()
    const redirectUri = q.get('redirect_uri') ?? ''
    codes.set(code, { redirectUri, challenge, nonce: q.get('nonce') })
    return { code, state: q.get('state') ?? '', redirectUri }
  }

  return {
    handlers,
    signIn,
    /** Invalidates an issued code (as if it had been used or expired at the IdP). */
    revoke(code: string) {
      codes.delete(code)
    },
    tokenRequests,
    assertionHeaders,
    get discoveryCount() {
      return discoveryCount
    },
  }
}
