/**
 * The local run in FAPI 2.0 mode (`pnpm start --fapi`, LOCAL_IDP=fapi): the development IdP in
 * oidc-provider's FAPI 2.0 profile (dev/src/fapi-idp.ts), the proxy with PAR, DPoP, encrypted
 * ID tokens and its /userinfo route on, and the Cognito stand-in using the proxy's /userinfo as
 * its attributes_url, as a Cognito user pool federated with Singpass through the proxy would.
 */
import { randomBytes } from 'node:crypto'
import { type ProxyOptions, silentLogger, staticKeySource } from '@idp-proxy/core'
import { createStandin, IDP_RESPONSE_PATH } from './cognito-standin.js'
import { DEMO_USERS } from './demo-users.js'
import { createDevProxy } from './dev-proxy.js'
import { createFapiIdp, type FapiEncryption } from './fapi-idp.js'
import {
  assertionAlgOf,
  DEFAULT_FAPI_KEY_FILE,
  generateFapiKeys,
  loadOrCreateFapiKeys,
} from './fapi-keys.js'
import { bindLocalServers } from './listen.js'
import type { LocalOptions, LocalRun } from './local.js'

/** Which FAPI pieces the IdP requires (each on by default; issue 13's "each piece alone"). */
export interface FapiPieces {
  par?: boolean
  dpop?: boolean
  /** ID tokens encrypted to the proxy's `enc` key. */
  encryption?: boolean
}

/** Singpass's choice, and what the generated P-256 `enc` key serves. */
export const FAPI_ID_TOKEN_ENCRYPTION: FapiEncryption = {
  alg: 'ECDH-ES+A256KW',
  enc: 'A256CBC-HS512',
}

export async function startFapiLocal(options: LocalOptions): Promise<LocalRun> {
  if (options.pkce === false) {
    throw new Error('the FAPI 2.0 IdP requires PKCE: the local run cannot turn it off (PKCE=false)')
  }
  const host = options.host ?? '127.0.0.1'
  const clientId = options.clientId ?? 'idp-proxy-dev'
  const clientSecret = randomBytes(24).toString('base64url')
  const pieces = { par: true, dpop: true, encryption: true, ...options.fapi }

  const keyed = options.fapiKeys
    ? { keys: options.fapiKeys, created: false }
    : options.keyFile === false
      ? { keys: await generateFapiKeys(), created: true }
      : await loadOrCreateFapiKeys(options.keyFile)
  const assertionAlg = assertionAlgOf(keyed.keys)

  const {
    idp: idpServer,
    proxy: proxyServer,
    standin: standinServer,
    close,
  } = await bindLocalServers(host, options.ports)
  try {
    const idpResponse = standinServer.origin + IDP_RESPONSE_PATH

    const fapi = await createFapiIdp({
      issuer: idpServer.origin,
      clientId,
      // The IdP takes both the signing and the `enc` key from the proxy's JWKS route.
      jwksUri: `${proxyServer.origin}/.well-known/jwks.json`,
      redirectUris: [`${proxyServer.origin}/callback`, idpResponse],
      assertionAlg,
      par: pieces.par,
      dpop: pieces.dpop,
      idTokenEncryption: pieces.encryption ? FAPI_ID_TOKEN_ENCRYPTION : false,
    })
    idpServer.serve(fapi.app)
    const idp = await discover(fapi.issuer)

    const more: Partial<ProxyOptions> = {
      assertion: { audience: 'issuer', algorithms: [assertionAlg] },
      par: pieces.par ? 'always' : 'never',
      dpop: pieces.dpop,
      requireEncryptedIdToken: pieces.encryption,
      // Cognito's attributes_url: the proxy answers for the IdP (DPoP-bound tokens stay here).
      userinfo: true,
    }
    const { app: proxyApp, proxy } = createDevProxy({
      baseUrl: proxyServer.origin,
      clientId,
      clientSecret,
      redirectUris: [idpResponse],
      idpIssuer: fapi.issuer,
      key: staticKeySource(keyed.keys),
      pkce: true,
      store: options.store ?? 'memory',
      logger: options.logger ?? silentLogger,
      ...(options.authorizationParams ? { authorizationParams: options.authorizationParams } : {}),
      more,
    })
    proxyServer.serve(proxyApp)
    await proxy.ready()

    const requires = [
      pieces.par && 'PAR',
      pieces.dpop && 'DPoP',
      pieces.encryption &&
        `ID tokens encrypted ${FAPI_ID_TOKEN_ENCRYPTION.alg}/${FAPI_ID_TOKEN_ENCRYPTION.enc}`,
      `${assertionAlg} private_key_jwt with aud = issuer`,
      'PKCE S256',
    ].filter((part): part is string => typeof part === 'string')
    standinServer.serve(
      createStandin({
        origin: standinServer.origin,
        clientId,
        clientSecret,
        authorizationEndpoint: proxy.urls.authorize,
        tokenEndpoint: proxy.urls.token,
        userinfoEndpoint: `${proxyServer.origin}/userinfo`,
        idp,
        description: `FAPI 2.0 mode: the IdP requires ${requires.join(', ')}. Sign-in goes through the proxy, which also answers userinfo (Cognito's attributes_url). Flow store: ${options.store ?? 'memory'}.`,
        bypassRefusal: pieces.par
          ? 'not pushed, no PKCE, no client assertion'
          : 'no PKCE, no client assertion',
        ...(options.onSignIn ? { onSignIn: options.onSignIn } : {}),
      }),
    )

    return {
      urls: { standin: `${standinServer.origin}/`, proxy: proxyServer.origin, idp: fapi.issuer },
      clientId,
      issuer: fapi.issuer,
      idp: { authorizationEndpoint: idp.authorizationEndpoint, tokenEndpoint: idp.tokenEndpoint },
      proxy: {
        authorize: proxy.urls.authorize,
        token: proxy.urls.token,
        jwks: proxy.urls.jwks,
        callback: proxy.callbackUrl,
      },
      users: DEMO_USERS,
      keyCreated: keyed.created,
      keyFile:
        options.fapiKeys || options.keyFile === false
          ? undefined
          : (options.keyFile ?? DEFAULT_FAPI_KEY_FILE),
      fapi: { requires, provider: fapi.provider, jwksUri: idp.jwksUri },
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

/** The IdP's endpoints from its discovery document (oidc-provider names its own paths). */
async function discover(issuer: string) {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`, {
    signal: AbortSignal.timeout(5000),
  })
  if (!response.ok) throw new Error(`the FAPI IdP's discovery answered ${response.status}`)
  const metadata = (await response.json()) as Record<string, unknown>
  const endpoint = (name: string): string => {
    const value = metadata[name]
    if (typeof value !== 'string') throw new Error(`the FAPI IdP's discovery lacks ${name}`)
    return value
  }
  return {
    issuer,
    authorizationEndpoint: endpoint('authorization_endpoint'),
    tokenEndpoint: endpoint('token_endpoint'),
    jwksUri: endpoint('jwks_uri'),
    userinfoEndpoint: endpoint('userinfo_endpoint'),
  }
}
