/**
 * A development OpenID provider (oidc-provider 9) that behaves like the IdPs idp-proxy exists
 * for: its one client must authenticate with `private_key_jwt` (keys fetched from the proxy's
 * JWKS URL), must use PKCE with S256, and optionally must ask for a given `acr_values`.
 * Local use only: plain http on 127.0.0.1, demo accounts, keys made at start.
 */
import express from 'express'
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import Provider, { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider'
import { DEMO_USERS, type DemoUser, findUser, userBySub } from './demo-users.js'
import { memoryAdapter } from './dev-idp-adapter.js'
import { escapeHtml, page } from './html.js'

export interface DevIdpOptions {
  /** The issuer: the origin the IdP is served on, e.g. `http://127.0.0.1:4000`. */
  issuer: string
  clientId: string
  /** Where the IdP fetches the client's public keys: the proxy's `/.well-known/jwks.json`. */
  jwksUri: string
  /** The client's redirect URIs (the proxy's /callback; the stand-in's idpresponse). */
  redirectUris: string[]
  /** Refuse authorization requests without a PKCE S256 challenge. Default true. */
  requirePkce?: boolean
  /** Refuse authorization requests whose `acr_values` do not include this value. */
  requireAcr?: string
  /** `alg` the client's assertions must use. Default RS256. */
  assertionAlg?: 'RS256' | 'PS256' | 'ES256'
  users?: readonly DemoUser[]
}

export interface DevIdp {
  /** Mount on the IdP's server (`server.on('request', app)`). */
  app: express.Express
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  jwksUri: string
  userinfoEndpoint: string
}

// Routes are oidc-provider's defaults; named here so the stand-in and tests need no discovery.
const ROUTES = { authorization: '/auth', token: '/token', jwks: '/jwks', userinfo: '/me' }

export async function createDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const users = options.users ?? DEMO_USERS
  const requirePkce = options.requirePkce ?? true
  const provider = new Provider(options.issuer, await configuration(options, users, requirePkce))
  const app = express()
  app.disable('x-powered-by')
  mountInteractions(app, provider, users, options.requireAcr)
  app.use(provider.callback())
  return {
    app,
    issuer: options.issuer,
    authorizationEndpoint: options.issuer + ROUTES.authorization,
    tokenEndpoint: options.issuer + ROUTES.token,
    jwksUri: options.issuer + ROUTES.jwks,
    userinfoEndpoint: options.issuer + ROUTES.userinfo,
  }
}

async function configuration(
  options: DevIdpOptions,
  users: readonly DemoUser[],
  requirePkce: boolean,
): Promise<Configuration> {
  const acr = options.requireAcr
  return {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: options.clientId,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: options.assertionAlg ?? 'RS256',
        jwks_uri: options.jwksUri,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // Always ask for PKCE (oidc-provider on its own asks only public clients).
    pkce: { required: () => requirePkce },
    responseTypes: ['code'],
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    // Put the scope claims in the ID token too, so the stand-in can show them from it.
    conformIdTokenClaims: false,
    ...(acr ? { acrValues: [acr], extraParams: { acr_values: requireAcrValue(acr) } } : {}),
    findAccount(_ctx, sub) {
      const user = userBySub(users, sub)
      if (!user) return undefined
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: user.email,
          email_verified: true,
          name: `${user.givenName} ${user.familyName}`,
          given_name: user.givenName,
          family_name: user.familyName,
        }),
      }
    },
    // Short lifetimes, set explicitly (oidc-provider prints a notice for each default it uses).
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomKey()] },
    jwks: { keys: [await signingKey()] },
    // oidc-provider's fetch refuses loopback addresses (SSRF protection, through an undici
    // dispatcher); the proxy's JWKS is on 127.0.0.1 here, so fetch without that dispatcher.
    fetch: (url, init) => {
      const { dispatcher: _dropped, ...rest } = (init ?? {}) as RequestInit & {
        dispatcher?: unknown
      }
      return fetch(url, rest)
    },
  }
}

/** An `extraParams` validator: refuse the request unless `acr_values` lists `acr`. */
function requireAcrValue(acr: string) {
  return (_ctx: KoaContextWithOIDC, value: string | undefined) => {
    if (!value?.split(' ').includes(acr)) {
      throw new errors.InvalidRequest(`acr_values must include ${acr}`)
    }
  }
}

async function signingKey() {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk = await exportJWK(privateKey)
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' }
}

function randomKey(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
}

/** The login and consent pages (oidc-provider's own dev pages accept any password). */
function mountInteractions(
  app: express.Express,
  provider: Provider,
  users: readonly DemoUser[],
  acr: string | undefined,
): void {
  const form = express.urlencoded({ extended: false, limit: '4kb' })

  app.get('/interaction/:uid', async (req, res) => {
    const details = await provider.interactionDetails(req, res)
    res.set('cache-control', 'no-store')
    if (details.prompt.name === 'login') {
      res.type('html').send(loginPage(details.uid, users))
    } else {
      const scopes = String(details.params.scope ?? '').split(' ')
      res.type('html').send(consentPage(details.uid, String(details.params.client_id), scopes))
    }
  })

  app.post('/interaction/:uid/login', form, async (req, res) => {
    const details = await provider.interactionDetails(req, res)
    const body = (req.body ?? {}) as Record<string, string | undefined>
    const user = findUser(users, body.username ?? '')
    if (details.prompt.name !== 'login' || !user || user.password !== body.password) {
      res
        .status(401)
        .type('html')
        .send(loginPage(details.uid, users, 'Wrong username or password.'))
      return
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.sub, ...(acr ? { acr } : {}) } },
      { mergeWithLastSubmission: false },
    )
  })

  app.post('/interaction/:uid/consent', form, async (req, res) => {
    const { prompt, params, session, grantId } = await provider.interactionDetails(req, res)
    const body = (req.body ?? {}) as Record<string, string | undefined>
    if (body.decision !== 'allow' || prompt.name !== 'consent' || !session) {
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'the user denied the request',
      })
      return
    }
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) })
    if (!grant) throw new Error('grant not found')
    const details = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] }
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '))
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims)
    const saved = await grant.save()
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId: saved } },
      { mergeWithLastSubmission: true },
    )
  })

  // Expired or unknown interactions (SessionNotFound) and the like: a short page, no stack.
  app.use(
    '/interaction',
    (error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res
        .status(400)
        .type('html')
        .send(
          idpPage('Sign-in failed', `<p class="error" id="error">${escapeHtml(error.message)}</p>`),
        )
    },
  )
}

function idpPage(title: string, body: string): string {
  return page({
    title,
    banner: 'Development IdP (local development only)',
    colour: '#5b2a86',
    body,
  })
}

function loginPage(uid: string, users: readonly DemoUser[], error?: string): string {
  const hint = users[0]
    ? `Demo user: <code>${escapeHtml(users[0].username)}</code> / <code>${escapeHtml(users[0].password)}</code>`
    : ''
  return idpPage(
    'Sign in',
    `<h1>Sign in</h1>
${error ? `<p class="error" id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <div><button id="login" type="submit">Sign in</button></div>
</form>
<p class="hint">${hint}</p>`,
  )
}

function consentPage(uid: string, clientId: string, scopes: string[]): string {
  const items = scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('')
  return idpPage(
    'Allow access',
    `<h1>Allow access?</h1>
<p><code>${escapeHtml(clientId)}</code> asks for:</p>
<ul>${items}</ul>
<form method="post" action="/interaction/${escapeHtml(uid)}/consent">
  <button id="allow" name="decision" value="allow" type="submit">Allow</button>
  <button id="deny" name="decision" value="deny" type="submit">Deny</button>
</form>`,
  )
}
