/**
 * A development OpenID provider (oidc-provider 9) that behaves like the IdPs idp-proxy exists
 * for: its one client must authenticate with `private_key_jwt` (keys fetched from the proxy's
 * JWKS URL), must use PKCE with S256, and optionally must ask for a given `acr_values`.
 * Local use only: plain http on 127.0.0.1, demo accounts, keys made at start.
 */
import express from 'express'
import Provider, { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider'
import {
  DEMO_SCOPE_CLAIMS,
  DEMO_SCOPES,
  DEMO_USERS,
  type DemoUser,
  findDemoAccount,
} from './demo-users.js'
import { memoryAdapter } from './dev-idp-adapter.js'
import { idpSigningKey, mountInteractions, randomKey } from './idp-interactions.js'

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
  mountInteractions(app, provider, {
    users,
    look: { banner: 'Development IdP (local development only)', colour: '#5b2a86' },
    acr: options.requireAcr,
    consent: true,
  })
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
    scopes: DEMO_SCOPES,
    claims: DEMO_SCOPE_CLAIMS,
    // Put the scope claims in the ID token too, so the stand-in can show them from it.
    conformIdTokenClaims: false,
    ...(acr ? { acrValues: [acr], extraParams: { acr_values: requireAcrValue(acr) } } : {}),
    findAccount: findDemoAccount(users),
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
    jwks: { keys: [await idpSigningKey('RS256')] },
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
