/**
 * An OpenID provider played by msw: discovery, and a token endpoint that insists on
 * private_key_jwt (verifying the client assertion against the client's public key) and, for
 * codes issued with a challenge, on the matching PKCE verifier.
 */
import { createHash } from 'node:crypto'
import { importJWK, type JWK, jwtVerify } from 'jose'
import { HttpResponse, http } from 'msw'

export const ISSUER = 'https://idp.example.com'
export const TOKEN_ENDPOINT = `${ISSUER}/oauth2/token`
export const AUTHORIZATION_ENDPOINT = `${ISSUER}/oauth2/authorize`

export interface IssuedCode {
  redirectUri: string
  /** S256 challenge, when the authorization request had one. */
  challenge?: string
}

export interface IdpMock {
  clientId: string
  publicJwk: JWK
  codes: Map<string, IssuedCode>
  seenJtis: Set<string>
  tokenCalls: number
}

function tokenError(error: string, description: string, status = 400) {
  return HttpResponse.json({ error, error_description: description }, { status })
}

export function idpHandlers(idp: IdpMock) {
  return [
    http.get(`${ISSUER}/.well-known/openid-configuration`, () =>
      HttpResponse.json({
        issuer: ISSUER,
        authorization_endpoint: AUTHORIZATION_ENDPOINT,
        token_endpoint: TOKEN_ENDPOINT,
        jwks_uri: `${ISSUER}/jwks`,
        response_types_supported: ['code'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        code_challenge_methods_supported: ['S256'],
      }),
    ),
    http.post(TOKEN_ENDPOINT, async ({ request }) => {
      idp.tokenCalls++
      const form = new URLSearchParams(await request.text())
      if (
        form.get('client_assertion_type') !==
        'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
      ) {
        return tokenError('invalid_client', 'private_key_jwt required', 401)
      }
      try {
        const { payload } = await jwtVerify(
          form.get('client_assertion') ?? '',
          await importJWK(idp.publicJwk, 'RS256'),
          {
            issuer: idp.clientId,
            subject: idp.clientId,
            audience: TOKEN_ENDPOINT,
            algorithms: ['RS256'],
          },
        )
        if (typeof payload.jti !== 'string' || idp.seenJtis.has(payload.jti)) throw new Error('jti')
        idp.seenJtis.add(payload.jti)
      } catch {
        return tokenError('invalid_client', 'client assertion refused', 401)
      }
      const code = form.get('code') ?? ''
      const issued = idp.codes.get(code)
      idp.codes.delete(code)
      if (!issued || form.get('redirect_uri') !== issued.redirectUri) {
        return tokenError('invalid_grant', 'unknown code or redirect_uri mismatch')
      }
      const verifier = form.get('code_verifier')
      if (issued.challenge) {
        const computed = verifier && createHash('sha256').update(verifier).digest('base64url')
        if (computed !== issued.challenge)
          return tokenError('invalid_grant', 'PKCE verification failed')
      } else if (verifier) {
        return tokenError('invalid_request', 'unexpected code_verifier')
      }
      return HttpResponse.json(
        {
          access_token: 'at-123',
          id_token: 'header.payload.signature',
          token_type: 'Bearer',
          expires_in: 3600,
        },
        { headers: { 'cache-control': 'no-store' } },
      )
    }),
  ]
}
