/**
 * A strict OpenID provider as a Web handler (`(Request) => Response`), as the IdPs this product
 * exists for behave: its token endpoint takes only private_key_jwt and verifies the client
 * assertion's signature against the client's JWKS, its claims and lifetime, a never-seen jti, the
 * one-time code, the redirect_uri and the PKCE verifier. Reach it in-process through msw
 * (`handlers`) or from another process over loopback (`listen()`).
 */
import {
  createHash,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
} from 'node:crypto'
import {
  createLocalJWKSet,
  type JSONWebKeySet,
  type JWK,
  type JWTHeaderParameters,
  jwtVerify,
  SignJWT,
} from 'jose'
import { type HttpHandler, http } from 'msw'
import { type LoopbackServer, serveOnLoopback } from './loopback.js'

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export interface StrictIdpOptions {
  /**
   * The issuer URL (msw intercepts it in-process). Omit it for an IdP that only other processes
   * reach: the issuer is then the loopback origin `listen()` binds.
   */
  issuer?: string
  clientId: string
  /** The client's public keys, as the IdP knows them (uploaded, or fetched from a jwks_uri). */
  jwks: () => Promise<JSONWebKeySet>
  /** Expected `aud` of client assertions. Default: the token endpoint. */
  audience?: string
  /** Refuse authorization requests without an S256 challenge and token requests without a verifier. */
  requirePkce?: boolean
  /** Assertion algorithms accepted. Default: any the client's keys allow. */
  algorithms?: string[]
  /** Longest `exp - iat` accepted. Default 60. */
  maxAssertionLifetimeSeconds?: number
  /**
   * Announce `authorization_response_iss_parameter_supported` (RFC 9207) and put `iss` in the
   * sign-in redirect; a client then requires `iss` on its callback.
   */
  issParameter?: boolean
  /** Endpoint paths under the issuer. Defaults: /oauth2/authorize and /oauth2/token. */
  paths?: { authorization?: string; token?: string }
  /** Lifetime of the id_tokens it issues, in seconds. Default 300. */
  idTokenLifetimeSeconds?: number
}

/** How the next id_token is spoiled, for tests of the proxy's verification. */
export interface IdTokenTamper {
  /** Claims set (or, with `undefined`, removed) over the real ones. */
  claims?: Record<string, unknown>
  /** Sign with a key that has the published kid but is not the published key. */
  wrongSignature?: boolean
  /** Leave the id_token out of the token answer. */
  omit?: boolean
}

export interface SignIn {
  code: string
  state: string
  redirectUri: string
  /** Where the IdP sends the browser back: redirect_uri?code=…&state=…(&iss=…). */
  callbackUrl: string
}

export interface Exchange {
  /** Whether the code had a PKCE challenge. */
  pkce: boolean
  /** The token response the IdP sent. */
  tokens: { access_token: string; id_token: string; token_type: string; expires_in: number }
}

export interface StrictIdp {
  /** Throws before `listen()` when the issuer was omitted. */
  readonly issuer: string
  readonly authorizationEndpoint: string
  readonly tokenEndpoint: string
  handle(request: Request): Promise<Response>
  /** msw handlers sending every request under the issuer to `handle`. */
  readonly handlers: HttpHandler[]
  /** Serves `handle` on 127.0.0.1, port 0, for another process to reach. */
  listen(): Promise<LoopbackServer>
  /** Plays the user signing in: checks the authorization request and issues a one-time code. */
  signIn(authorizationUrl: string): SignIn
  /** An authorization request to this IdP (client_id and response_type=code, plus `params`). */
  authorizationUrl(params: Record<string, string>): string
  /** Invalidates an issued code (as if it had been used or had expired at the IdP). */
  revoke(code: string): void
  /** Holds the next token request until `release()`; `reached` resolves when it arrives. */
  holdNextToken(): { reached: Promise<void>; release: () => void }
  /** Every token request's form, refused or not. */
  readonly tokenRequests: URLSearchParams[]
  /** The protected header of every assertion that verified. */
  readonly assertionHeaders: JWTHeaderParameters[]
  /** Why token requests were refused, as `error: description` (empty when all were good). */
  readonly refusals: string[]
  /** Successful token exchanges. */
  readonly exchanges: Exchange[]
  /** How many times the discovery document was fetched. */
  readonly discoveryCount: number
  /** How many times the JWKS was fetched. */
  readonly jwksCount: number
  /** The JWKS at `${issuer}/jwks`: the public half of the id_token signing key. */
  readonly jwks: JSONWebKeySet
  /** A new id_token signing key with a new kid; the JWKS then publishes only it. */
  rotateSigningKey(): void
  /** Spoils the next id_token issued (once). */
  tamperNextIdToken(tamper: IdTokenTamper): void
}

interface SigningKey {
  kid: string
  privateKey: KeyObject
  publicJwk: JWK
}

let keyCount = 0

function newSigningKey(kid = `idp-es256-${++keyCount}`): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return {
    kid,
    privateKey,
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'ES256', use: 'sig' },
  }
}

interface IssuedCode {
  redirectUri: string
  challenge: string | undefined
  nonce: string | undefined
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`${error}: ${description}`)
  }
}

export function createStrictIdp(options: StrictIdpOptions): StrictIdp {
  let issuer = options.issuer?.replace(/\/+$/, '')
  const paths = {
    authorization: options.paths?.authorization ?? '/oauth2/authorize',
    token: options.paths?.token ?? '/oauth2/token',
  }
  const maxLifetime = options.maxAssertionLifetimeSeconds ?? 60
  const codes = new Map<string, IssuedCode>()
  const seenJti = new Set<string>()
  const tokenRequests: URLSearchParams[] = []
  const assertionHeaders: JWTHeaderParameters[] = []
  const refusals: string[] = []
  const exchanges: Exchange[] = []
  let discoveryCount = 0
  let jwksCount = 0
  let signingKey = newSigningKey()
  let tamper: IdTokenTamper | undefined
  const idTokenLifetime = options.idTokenLifetimeSeconds ?? 300
  let hold: { reached: () => void; released: Promise<void> } | undefined

  const issuerUrl = (): string => {
    if (!issuer) throw new Error('strict IdP: no issuer until listen() has bound its port')
    return issuer
  }
  const authorizationEndpoint = () => `${issuerUrl()}${paths.authorization}`
  const tokenEndpoint = () => `${issuerUrl()}${paths.token}`

  async function verifyAssertion(form: URLSearchParams): Promise<void> {
    if (form.get('client_assertion_type') !== JWT_BEARER) {
      throw new Refusal(401, 'invalid_client', 'private_key_jwt required')
    }
    let verified: Awaited<ReturnType<typeof jwtVerify>>
    try {
      verified = await jwtVerify(
        form.get('client_assertion') ?? '',
        createLocalJWKSet(await options.jwks()),
        {
          issuer: options.clientId,
          subject: options.clientId,
          audience: options.audience ?? tokenEndpoint(),
          requiredClaims: ['jti', 'exp', 'iat'],
          maxTokenAge: maxLifetime * 2,
          ...(options.algorithms ? { algorithms: options.algorithms } : {}),
        },
      )
    } catch (error) {
      throw new Refusal(401, 'invalid_client', `assertion rejected: ${(error as Error).message}`)
    }
    const { payload, protectedHeader } = verified
    assertionHeaders.push(protectedHeader)
    if (!protectedHeader.kid) throw new Refusal(401, 'invalid_client', 'assertion without kid')
    if (typeof payload.aud !== 'string') {
      throw new Refusal(401, 'invalid_client', 'aud must be a string')
    }
    const jti = payload.jti as string
    if (seenJti.has(jti)) throw new Refusal(401, 'invalid_client', 'jti reused')
    seenJti.add(jti)
    if ((payload.exp as number) - (payload.iat as number) > maxLifetime) {
      throw new Refusal(401, 'invalid_client', 'assertion lives too long')
    }
  }

  function checkVerifier(form: URLSearchParams, issued: IssuedCode): void {
    const verifier = form.get('code_verifier')
    if (issued.challenge === undefined && !options.requirePkce) {
      if (verifier !== null) {
        throw new Refusal(400, 'invalid_request', 'code_verifier without a challenge')
      }
      return
    }
    const computed = createHash('sha256')
      .update(verifier ?? '')
      .digest('base64url')
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier ?? '') || computed !== issued.challenge) {
      throw new Refusal(400, 'invalid_grant', 'PKCE verification failed')
    }
  }

  /** A signed id_token, as the IdP would issue it (ES256, with the nonce of the request). */
  async function idToken(issued: IssuedCode): Promise<string> {
    const now = Math.floor(Date.now() / 1000)
    const claims: Record<string, unknown> = {
      iss: issuerUrl(),
      aud: options.clientId,
      sub: 'user-1234',
      iat: now,
      exp: now + idTokenLifetime,
      ...(issued.nonce === undefined ? {} : { nonce: issued.nonce }),
    }
    const spoil = tamper
    tamper = undefined
    for (const [name, value] of Object.entries(spoil?.claims ?? {})) {
      if (value === undefined) delete claims[name]
      else claims[name] = value
    }
    const key = spoil?.wrongSignature ? newSigningKey(signingKey.kid) : signingKey
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey)
  }

  async function token(request: Request): Promise<Response> {
    if (hold) {
      const current = hold
      hold = undefined
      current.reached()
      await current.released
    }
    const form = new URLSearchParams(await request.text())
    tokenRequests.push(form)
    try {
      if (form.has('client_secret')) {
        throw new Refusal(400, 'invalid_request', 'client_secret must not be sent')
      }
      await verifyAssertion(form)
      if (form.get('grant_type') !== 'authorization_code') {
        throw new Refusal(400, 'unsupported_grant_type', 'grant_type')
      }
      const code = form.get('code') ?? ''
      const issued = codes.get(code)
      codes.delete(code)
      if (!issued) throw new Refusal(400, 'invalid_grant', 'unknown or used code')
      if (form.get('redirect_uri') !== issued.redirectUri) {
        throw new Refusal(400, 'invalid_grant', 'redirect_uri mismatch')
      }
      checkVerifier(form, issued)
      const omit = tamper?.omit === true
      const tokens = {
        access_token: `at-${randomUUID()}`,
        id_token: omit ? '' : await idToken(issued),
        token_type: 'Bearer',
        expires_in: 3600,
      }
      if (omit) tamper = undefined
      exchanges.push({ pkce: issued.challenge !== undefined, tokens })
      const { id_token, ...withoutIdToken } = tokens
      return Response.json(omit ? withoutIdToken : tokens, {
        headers: { 'cache-control': 'no-store' },
      })
    } catch (error) {
      if (!(error instanceof Refusal)) throw error
      refusals.push(error.message)
      return Response.json(
        { error: error.error, error_description: error.description },
        { status: error.status, headers: { 'cache-control': 'no-store' } },
      )
    }
  }

  function discovery(): Response {
    discoveryCount++
    return Response.json({
      issuer: issuerUrl(),
      authorization_endpoint: authorizationEndpoint(),
      token_endpoint: tokenEndpoint(),
      jwks_uri: `${issuerUrl()}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      code_challenge_methods_supported: ['S256'],
      ...(options.issParameter ? { authorization_response_iss_parameter_supported: true } : {}),
    })
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const at = `${url.origin}${url.pathname}`
    if (request.method === 'GET' && at === `${issuerUrl()}/.well-known/openid-configuration`) {
      return discovery()
    }
    if (request.method === 'POST' && at === tokenEndpoint()) return token(request)
    if (request.method === 'GET' && at === `${issuerUrl()}/jwks`) {
      jwksCount++
      return Response.json(
        { keys: [signingKey.publicJwk] },
        { headers: { 'content-type': 'application/jwk-set+json' } },
      )
    }
    return new Response('not found', { status: 404 })
  }

  function signIn(authorizationUrl: string): SignIn {
    const url = new URL(authorizationUrl)
    if (`${url.origin}${url.pathname}` !== authorizationEndpoint()) {
      throw new Error(`not the IdP: ${authorizationUrl}`)
    }
    const q = url.searchParams
    if (q.get('client_id') !== options.clientId) throw new Error('sign-in: unknown client_id')
    if (q.get('response_type') !== 'code') throw new Error('sign-in: response_type')
    const redirectUri = q.get('redirect_uri')
    const state = q.get('state')
    if (!redirectUri || !state) throw new Error('sign-in: redirect_uri and state are required')
    const challenge = q.get('code_challenge') ?? undefined
    if (
      (challenge !== undefined || options.requirePkce) &&
      (!challenge || q.get('code_challenge_method') !== 'S256')
    ) {
      throw new Error('sign-in: PKCE S256 required')
    }
    const code = randomBytes(18).toString('base64url')
    codes.set(code, { redirectUri, challenge, nonce: q.get('nonce') ?? undefined })
    const back = new URL(redirectUri)
    back.searchParams.set('code', code)
    back.searchParams.set('state', state)
    if (options.issParameter) back.searchParams.set('iss', issuerUrl())
    return { code, state, redirectUri, callbackUrl: back.href }
  }

  let handlers: HttpHandler[] | undefined

  return {
    get issuer() {
      return issuerUrl()
    },
    get authorizationEndpoint() {
      return authorizationEndpoint()
    },
    get tokenEndpoint() {
      return tokenEndpoint()
    },
    handle,
    get handlers() {
      handlers ??= [http.all(`${issuerUrl()}/*`, ({ request }) => handle(request))]
      return handlers
    },
    async listen() {
      // The issuer is the origin the other process dials, so it must be the bound one.
      if (issuer) throw new Error('strict IdP: listen() serves an IdP created without an issuer')
      const server = await serveOnLoopback(handle)
      issuer = server.url
      return server
    },
    signIn,
    authorizationUrl(params) {
      const url = new URL(authorizationEndpoint())
      url.search = new URLSearchParams({
        client_id: options.clientId,
        response_type: 'code',
        ...params,
      }).toString()
      return url.href
    },
    revoke(code) {
      codes.delete(code)
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
    tokenRequests,
    assertionHeaders,
    refusals,
    exchanges,
    get discoveryCount() {
      return discoveryCount
    },
    get jwksCount() {
      return jwksCount
    },
    get jwks() {
      return { keys: [signingKey.publicJwk] } as JSONWebKeySet
    },
    rotateSigningKey() {
      signingKey = newSigningKey()
    },
    tamperNextIdToken(next) {
      tamper = next
    },
  }
}
