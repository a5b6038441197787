/**
 * startLocal: the development IdP, the proxy and the Cognito stand-in, wired to each other on
 * 127.0.0.1. `pnpm start` and the end-to-end test both use it.
 */
import { randomBytes } from 'node:crypto'
import { type Logger, type PrivateJwk, silentLogger } from '@idp-proxy/core'
import type Provider from 'oidc-provider'
import { createStandin, IDP_RESPONSE_PATH, type StandinSignIn } from './cognito-standin.js'
import { DEMO_USERS, type DemoUser } from './demo-users.js'
import { createDevIdp } from './dev-idp.js'
import { DEFAULT_KEY_FILE, generateDevKey, loadOrCreateDevKey } from './dev-key.js'
import { createDevProxy, type DevStore } from './dev-proxy.js'
import type { FapiKeySet } from './fapi-keys.js'
import { type FapiPieces, startFapiLocal } from './fapi-local.js'
import { bindLocalServers } from './listen.js'

export interface LocalOptions {
  /** Default 127.0.0.1. */
  host?: string
  /** Default 0 (any free port) for each. */
  ports?: { idp?: number; proxy?: number; standin?: number }
  /** PKCE through the proxy (default true). With false the stand-in goes to the IdP directly. */
  pkce?: boolean
  store?: DevStore
  /** The IdP refuses authorization requests whose acr_values lack this value. */
  idpRequireAcr?: string
  /** Extra authorization parameters the proxy adds (AUTHORIZATION_PARAMS). */
  authorizationParams?: Record<string, string>
  /** The proxy's key file (created when missing); `false` for a throw-away key in memory. */
  keyFile?: string | false
  /** The proxy's private key, given directly (tests share one); overrides `keyFile`. */
  key?: PrivateJwk
  /** The proxy's logger. Default silent. */
  logger?: Logger
  clientId?: string
  /** `fapi`: the IdP in its FAPI 2.0 profile (dev/src/fapi-local.ts). Default `dev`. */
  idp?: 'dev' | 'fapi'
  /** FAPI mode: which pieces the IdP requires (each on by default). */
  fapi?: FapiPieces
  /** FAPI mode: the proxy's signing and `enc` keys, given directly; overrides `keyFile`. */
  fapiKeys?: FapiKeySet
  /** Called after each successful sign-in at the stand-in (tests). */
  onSignIn?: (result: StandinSignIn) => void
}

export interface LocalRun {
  urls: { standin: string; proxy: string; idp: string }
  clientId: string
  issuer: string
  idp: { authorizationEndpoint: string; tokenEndpoint: string }
  proxy: { authorize: string; token: string; jwks: string; callback: string }
  users: readonly DemoUser[]
  keyCreated: boolean
  keyFile: string | undefined
  /** FAPI mode only: what the IdP requires, the IdP itself (tests listen to its events). */
  fapi?: { requires: string[]; provider: Provider; jwksUri: string }
  close(): Promise<void>
}

export async function startLocal(options: LocalOptions = {}): Promise<LocalRun> {
  if (options.idp === 'fapi') return startFapiLocal(options)
  const host = options.host ?? '127.0.0.1'
  const pkce = options.pkce ?? true
  const clientId = options.clientId ?? 'idp-proxy-dev'
  // The secret Cognito and the proxy share; both live in this process.
  const clientSecret = randomBytes(24).toString('base64url')

  const keyed = options.key
    ? { key: options.key, created: false }
    : options.keyFile === false
      ? { key: await generateDevKey(), created: true }
      : await loadOrCreateDevKey(options.keyFile)

  const {
    idp: idpServer,
    proxy: proxyServer,
    standin: standinServer,
    close,
  } = await bindLocalServers(host, options.ports)
  try {
    const idpResponse = standinServer.origin + IDP_RESPONSE_PATH

    const idp = await createDevIdp({
      issuer: idpServer.origin,
      clientId,
      jwksUri: `${proxyServer.origin}/.well-known/jwks.json`,
      // The stand-in's own URI is registered in both modes: with PKCE on, a direct sign-in is
      // then refused for the missing PKCE, not for an unknown redirect URI.
      redirectUris: [`${proxyServer.origin}/callback`, idpResponse],
      requirePkce: pkce,
      ...(options.idpRequireAcr ? { requireAcr: options.idpRequireAcr } : {}),
    })
    idpServer.serve(idp.app)

    const { app: proxyApp, proxy } = createDevProxy({
      baseUrl: proxyServer.origin,
      clientId,
      clientSecret,
      redirectUris: [idpResponse],
      idpIssuer: idp.issuer,
      key: keyed.key as PrivateJwk,
      pkce,
      store: options.store ?? 'memory',
      logger: options.logger ?? silentLogger,
      ...(options.authorizationParams ? { authorizationParams: options.authorizationParams } : {}),
    })
    proxyServer.serve(proxyApp)
    await proxy.ready()

    standinServer.serve(
      createStandin({
        origin: standinServer.origin,
        clientId,
        clientSecret,
        authorizationEndpoint: pkce ? proxy.urls.authorize : idp.authorizationEndpoint,
        tokenEndpoint: proxy.urls.token,
        idp: {
          issuer: idp.issuer,
          authorizationEndpoint: idp.authorizationEndpoint,
          tokenEndpoint: idp.tokenEndpoint,
          jwksUri: idp.jwksUri,
          userinfoEndpoint: idp.userinfoEndpoint,
        },
        description: describe(pkce, options),
        ...(options.onSignIn ? { onSignIn: options.onSignIn } : {}),
      }),
    )

    return {
      urls: { standin: `${standinServer.origin}/`, proxy: proxyServer.origin, idp: idp.issuer },
      clientId,
      issuer: idp.issuer,
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
        options.key || options.keyFile === false
          ? undefined
          : (options.keyFile ?? DEFAULT_KEY_FILE),
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

function describe(pkce: boolean, options: LocalOptions): string {
  const parts = [
    pkce
      ? 'Sign-in goes through the proxy (PKCE added there).'
      : 'PKCE is off: sign-in goes to the IdP directly and only the token request goes through the proxy.',
    `Flow store: ${options.store ?? 'memory'}.`,
  ]
  if (options.idpRequireAcr) parts.push(`The IdP requires acr_values=${options.idpRequireAcr}.`)
  return parts.join(' ')
}
