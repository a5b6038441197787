/**
 * A stub OpenID provider as a Web handler (`(Request) => Response`): used through msw in-process,
 * and as a real HTTP server on 127.0.0.1 for the standalone server (another process msw cannot
 * reach). Its token endpoint checks what a strict IdP checks: the client assertion's signature
 * and claims, a never-seen jti, the PKCE verifier against the challenge, the redirect_uri.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { jwtVerify } from 'jose'

export interface StubIdpOptions {
  issuer: string
  clientId: string
  publicKey: CryptoKey
}

interface IssuedCode {
  redirectUri: string
  challenge: string | undefined
}

export interface StubIdp {
  readonly issuer: string
  readonly tokenEndpoint: string
  readonly authorizationEndpoint: string
  handle(request: Request): Promise<Response>
  /**
   * Plays the user signing in: takes the authorization URL the browser was sent to, checks it and
   * returns where the IdP redirects the browser (redirect_uri?code=...&state=...&iss=...).
   */
  authorize(url: string): string
  /** Why token requests were refused (empty when all were good). */
  readonly refusals: string[]
  /** Successful token exchanges. */
  readonly exchanges: { pkce: boolean }[]
  /** Holds the next token request until `release()`; `reached` resolves when it arrives. */
  holdNextToken(): { reached: Promise<void>; release: () => void }
}

export function stubIdp(options: StubIdpOptions): StubIdp {
  const issuer = options.issuer.replace(/\/+$/, '')
  const authorizationEndpoint = `${issuer}/authorize`
  const tokenEndpoint = `${issuer}/token`
  const codes = new Map<string, IssuedCode>()
  const seenJti = new Set<string>()
  const refusals: string[] = []
  const exchanges: { pkce: boolean }[] = []
  let hold: { reached: () => void; released: Promise<void> } | undefined

  function refuse(error: string, description: string): Response {
    refusals.push(`${error}: ${description}`)
    return Response.json({ error, error_description: description }, { status: 400 })
  }

  async function token(request: Request): Promise<Response> {
    if (hold) {
      const current = hold
      hold = undefined
      current.reached()
      await current.released
    }
    const form = new URLSearchParams(await request.text())
    if (form.get('grant_type') !== 'authorization_code')
      return refuse('unsupported_grant_type', 'grant_type')
    if (
      form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
    ) {
      return refuse('invalid_client', 'client_assertion_type')
    }
    if (form.has('client_secret'))
      return refuse('invalid_request', 'a client_secret reached the IdP')
    try {
      const { payload, protectedHeader } = await jwtVerify(
        form.get('client_assertion') ?? '',
        options.publicKey,
        {
          issuer: options.clientId,
          subject: options.clientId,
          audience: tokenEndpoint,
          maxTokenAge: 120,
        },
      )
      if (!protectedHeader.kid) return refuse('invalid_client', 'assertion without kid')
      if (typeof payload.jti !== 'string' || seenJti.has(payload.jti)) {
        return refuse('invalid_client', 'assertion jti missing or replayed')
      }
      seenJti.add(payload.jti)
      if (
        typeof payload.exp !== 'number' ||
        typeof payload.iat !== 'number' ||
        payload.exp - payload.iat > 60
      ) {
        return refuse('invalid_client', 'assertion lifetime')
      }
    } catch (error) {
      return refuse('invalid_client', `assertion: ${(error as Error).message}`)
    }
    const code = form.get('code') ?? ''
    const issued = codes.get(code)
    codes.delete(code)
    if (!issued) return refuse('invalid_grant', 'unknown or used code')
    if (form.get('redirect_uri') !== issued.redirectUri)
      return refuse('invalid_grant', 'redirect_uri differs')
    const verifier = form.get('code_verifier')
    if (issued.challenge === undefined) {
      if (verifier !== null) return refuse('invalid_request', 'code_verifier without a challenge')
    } else {
      if (!verifier) return refuse('invalid_grant', 'code_verifier missing')
      const computed = createHash('sha256').update(verifier).digest('base64url')
      if (computed !== issued.challenge)
        return refuse('invalid_grant', 'code_verifier does not match')
    }
    exchanges.push({ pkce: issued.challenge !== undefined })
    return Response.json(
      {
        access_token: randomBytes(16).toString('base64url'),
        token_type: 'Bearer',
        expires_in: 300,
        id_token: 'h.p.s',
      },
      { headers: { 'cache-control': 'no-store' } },
    )
  }

  return {
    issuer,
    tokenEndpoint,
    authorizationEndpoint,
    refusals,
    exchanges,
    async handle(request) {
      const url = new URL(request.url)
      if (request.method === 'GET' && url.pathname.endsWith('/.well-known/openid-configuration')) {
        return Response.json({
          issuer,
          authorization_endpoint: authorizationEndpoint,
          token_endpoint: tokenEndpoint,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['ES256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
          code_challenge_methods_supported: ['S256'],
          authorization_response_iss_parameter_supported: true,
        })
      }
      if (request.method === 'POST' && `${url.origin}${url.pathname}` === tokenEndpoint)
        return token(request)
      return new Response('not found', { status: 404 })
    },
    authorize(location) {
      const url = new URL(location)
      if (`${url.origin}${url.pathname}` !== authorizationEndpoint)
        throw new Error(`not the IdP: ${location}`)
      const q = url.searchParams
      if (q.get('client_id') !== options.clientId) throw new Error('authorize: wrong client_id')
      if (q.get('response_type') !== 'code') throw new Error('authorize: response_type')
      const redirectUri = q.get('redirect_uri')
      const state = q.get('state')
      if (!redirectUri || !state) throw new Error('authorize: redirect_uri and state are required')
      const challenge = q.get('code_challenge') ?? undefined
      if (challenge !== undefined && q.get('code_challenge_method') !== 'S256')
        throw new Error('authorize: S256')
      const code = randomBytes(18).toString('base64url')
      codes.set(code, { redirectUri, challenge })
      const back = new URL(redirectUri)
      back.searchParams.set('code', code)
      back.searchParams.set('state', state)
      back.searchParams.set('iss', issuer)
      return back.href
    },
    holdNextToken() {
      let reached!: () => void
      let release!: () => void
      const reachedPromise = new Promise<void>((resolve) => {
        reached = resolve
      })
      const released = new Promise<void>((resolve) => {
        release = resolve
      })
      hold = { reached, released }
      return { reached: reachedPromise, release }
    },
  }
}

/** Serves a Web handler on 127.0.0.1 (port 0) for another process to reach. */
export async function serveOnLoopback(
  handle: (request: Request) => Promise<Response>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks)
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === 'string') headers.set(name, value)
    const address = server.address() as AddressInfo
    const response = await handle(
      new Request(`http://127.0.0.1:${address.port}${req.url}`, {
        method: req.method,
        headers,
        body,
      }),
    )
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
