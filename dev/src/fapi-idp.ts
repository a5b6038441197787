/**
 * A development OpenID provider (oidc-provider 9) in its FAPI 2.0 profile, shaped like Singpass:
 * pushed authorization requests required, DPoP required with server nonces, ID tokens signed
 * ES256 and encrypted to the client's `use: "enc"` key, optional JWT/JWE userinfo, and
 * `private_key_jwt` with ES256 or PS256 and `aud` = the issuer. Each piece can be switched off
 * alone (issue 13: "PAR only, DPoP only, encryption only").
 *
 * `pnpm start --fapi` runs it (fapi-local.ts). Local use only: plain http on 127.0.0.1, demo accounts, keys
 * made at start, consent skipped (Singpass shows none for its Login apps).
 */
import express from 'express'
import type { JWK } from 'jose'
import Provider, { type Configuration } from 'oidc-provider'
import {
  DEMO_SCOPE_CLAIMS,
  DEMO_SCOPES,
  DEMO_USERS,
  type DemoUser,
  findDemoAccount,
} from './demo-users.js'
import { memoryAdapter } from './dev-idp-adapter.js'
import { idpSigningKey, mountInteractions, randomKey } from './idp-interactions.js'

/** ID token / userinfo encryption, as the client registers it. */
export interface FapiEncryption {
  alg: 'ECDH-ES+A256KW' | 'ECDH-ES' | 'RSA-OAEP-256'
  enc: 'A256GCM' | 'A128GCM' | 'A256CBC-HS512' | 'A128CBC-HS256'
}

export interface FapiIdpOptions {
  /** The issuer: the origin the IdP is served on, e.g. `http://127.0.0.1:4100`. */
  issuer: string
  clientId: string
  /**
   * The client's public keys (signing and `use: "enc"`) given inline; oidc-provider's fetch
   * refuses loopback `jwks_uri`s. Set `jwksUri` instead to exercise the proxy's JWKS route.
   */
  clientJwks?: { keys: JWK[] }
  jwksUri?: string
  redirectUris: string[]
  /** `alg` of the client's assertions. Default ES256. */
  assertionAlg?: 'ES256' | 'PS256'
  /** Require PAR. Default true. */
  par?: boolean
  /** Require DPoP (bound tokens, nonces). Default true. */
  dpop?: boolean
  /** Encrypt ID tokens. Default ECDH-ES+A256KW with A256CBC-HS512 (Singpass's choice); false: signed only. */
  idTokenEncryption?: FapiEncryption | false
  /** Userinfo form: plain JSON (default), a signed JWT, or a JWE around a signed JWT (Myinfo). */
  userinfo?: 'json' | 'jwt' | { encrypted: FapiEncryption }
  users?: readonly DemoUser[]
}

export interface FapiIdp {
  /** Mount on the IdP's server (`server.on('request', app)`). */
  app: express.Express
  provider: Provider
  issuer: string
}

const SINGPASS_ENCRYPTION: FapiEncryption = { alg: 'ECDH-ES+A256KW', enc: 'A256CBC-HS512' }
const ENCRYPTION_ALGS = ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW', 'RSA-OAEP-256']
const ENCRYPTION_ENCS = ['A128CBC-HS256', 'A128GCM', 'A256CBC-HS512', 'A256GCM']

export async function createFapiIdp(options: FapiIdpOptions): Promise<FapiIdp> {
  const users = options.users ?? DEMO_USERS
  const provider = new Provider(options.issuer, await configuration(options, users))
  const app = express()
  app.disable('x-powered-by')
  mountInteractions(app, provider, {
    users,
    look: { banner: 'Development FAPI 2.0 IdP (local development only)', colour: '#8a3b12' },
    consent: false,
  })
  app.use(provider.callback())
  return { app, provider, issuer: options.issuer }
}

async function configuration(
  options: FapiIdpOptions,
  users: readonly DemoUser[],
): Promise<Configuration> {
  const par = options.par ?? true
  const dpop = options.dpop ?? true
  const idTokenEncryption = options.idTokenEncryption ?? SINGPASS_ENCRYPTION
  const userinfo = options.userinfo ?? 'json'
  if (!options.clientJwks === !options.jwksUri) {
    throw new Error('createFapiIdp: give exactly one of clientJwks and jwksUri')
  }
  return {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: options.clientId,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: options.assertionAlg ?? 'ES256',
        ...(options.clientJwks ? { jwks: options.clientJwks } : { jwks_uri: options.jwksUri }),
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        require_pushed_authorization_requests: par,
        dpop_bound_access_tokens: dpop,
        // ES256 like Singpass, and inside what Cognito accepts (docs/fapi.md).
        id_token_signed_response_alg: 'ES256',
        ...(idTokenEncryption
          ? {
              id_token_encrypted_response_alg: idTokenEncryption.alg,
              id_token_encrypted_response_enc: idTokenEncryption.enc,
            }
          : {}),
        ...(userinfo === 'json' ? {} : { userinfo_signed_response_alg: 'ES256' }),
        ...(typeof userinfo === 'object'
          ? {
              userinfo_encrypted_response_alg: userinfo.encrypted.alg,
              userinfo_encrypted_response_enc: userinfo.encrypted.enc,
            }
          : {}),
      },
    ],
    responseTypes: ['code'],
    scopes: DEMO_SCOPES,
    claims: DEMO_SCOPE_CLAIMS,
    findAccount: findDemoAccount(users),
    // No consent page: every requested scope is granted once the user has signed in.
    async loadExistingGrant(ctx) {
      const client = ctx.oidc.client
      const session = ctx.oidc.session
      if (!client || !session?.accountId) return undefined
      const existing = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId)
      if (existing) return ctx.oidc.provider.Grant.find(existing)
      const grant = new ctx.oidc.provider.Grant({
        clientId: client.clientId,
        accountId: session.accountId,
      })
      grant.addOIDCScope(String(ctx.oidc.params?.scope ?? 'openid'))
      await grant.save()
      return grant
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    features: {
      devInteractions: { enabled: false },
      fapi: { enabled: true, profile: '2.0' },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: par },
      dPoP: {
        enabled: true,
        // Without nonceSecret oidc-provider starts, then answers 500 at the first proof.
        nonceSecret: Buffer.from(crypto.getRandomValues(new Uint8Array(32))),
        requireNonce: () => dpop,
        allowReplay: false,
      },
      encryption: { enabled: true },
      jwtUserinfo: { enabled: true },
      userinfo: { enabled: true },
    },
    enabledJWA: {
      clientAuthSigningAlgValues: ['ES256', 'PS256'],
      dPoPSigningAlgValues: ['ES256'],
      idTokenSigningAlgValues: ['ES256'],
      userinfoSigningAlgValues: ['ES256'],
      idTokenEncryptionAlgValues: ENCRYPTION_ALGS,
      idTokenEncryptionEncValues: ENCRYPTION_ENCS,
      userinfoEncryptionAlgValues: ENCRYPTION_ALGS,
      userinfoEncryptionEncValues: ENCRYPTION_ENCS,
    } as Configuration['enabledJWA'],
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomKey()] },
    jwks: { keys: [await idpSigningKey('ES256')] },
    // oidc-provider's fetch refuses loopback addresses (an SSRF guard through an undici
    // dispatcher); a jwks_uri on 127.0.0.1 needs it dropped.
    fetch: (url, init) => {
      const { dispatcher: _dropped, ...rest } = (init ?? {}) as RequestInit & {
        dispatcher?: unknown
      }
      return fetch(url, rest)
    },
  }
}
