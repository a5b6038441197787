/**
 * The proxy as the local run serves it: core's createProxy mounted with the express adapter's
 * proxyRouter, a memory or sealed store, http allowed (127.0.0.1 only), the development key.
 */
import {
  createMemoryStore,
  createProxy,
  createSealedStore,
  generateSealingKey,
  type Proxy as IdpProxy,
  type KeySource,
  type Logger,
  type PrivateJwk,
  type ProxyOptions,
  staticKeySource,
} from '@idp-proxy/core'
import { proxyRouter } from '@idp-proxy/express-adapter'
import express from 'express'

export type DevStore = 'memory' | 'sealed'

export interface DevProxyOptions {
  /** The proxy's own origin, e.g. `http://127.0.0.1:4001`. */
  baseUrl: string
  clientId: string
  /** The secret the stand-in (Cognito) presents at /token. */
  clientSecret: string
  /** The stand-in's `/oauth2/idpresponse`. */
  redirectUris: string[]
  idpIssuer: string
  /** The signing key, or a whole key source (the FAPI run's: signing and `enc` keys). */
  key: PrivateJwk | KeySource
  pkce: boolean
  store: DevStore
  authorizationParams?: Record<string, string>
  logger?: Logger
  /** More proxy options (the FAPI run's PAR, DPoP, encryption, userinfo). */
  more?: Partial<ProxyOptions>
}

export interface DevProxy {
  app: express.Express
  proxy: IdpProxy
}

export function createDevProxy(options: DevProxyOptions): DevProxy {
  const base: ProxyOptions = {
    baseUrl: options.baseUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUris: options.redirectUris,
    idp: { issuer: options.idpIssuer },
    keys: isKeySource(options.key) ? options.key : staticKeySource(options.key),
    pkce: options.pkce,
    // A sealed store's key lives only as long as the process: flows do not outlive a restart.
    store:
      options.store === 'sealed'
        ? createSealedStore({ keys: [generateSealingKey()] })
        : createMemoryStore(),
    allowInsecureHttp: true,
    ...(options.authorizationParams ? { authorizationParams: options.authorizationParams } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...options.more,
  }
  const proxy = createProxy(base)
  const app = express()
  app.disable('x-powered-by')
  app.use(proxyRouter(proxy))
  return { app, proxy }
}

function isKeySource(key: PrivateJwk | KeySource): key is KeySource {
  return typeof (key as KeySource).signer === 'function'
}
