/** One proxy configuration for every section, and how it is served over HTTP. */
import { createServer, type Server } from 'node:http'
import type { Server as NetServer } from 'node:net'
import {
  createMemoryStore,
  createProxy,
  type Proxy as IdpProxy,
  type PrivateJwk,
  type ProxyOptions,
  staticKeySource,
} from '@idp-proxy/core'
import { proxyRouter } from '@idp-proxy/express-adapter'
import express from 'express'
import { ALGORITHM_KEY_TYPES } from './keys.js'

export const CLIENT_ID = 'bench-client'
// Not a secret: a fixed value both sides of the benchmark know.
export const CLIENT_SECRET = 'bench-client-secret-0123456789abcdef'
export const REDIRECT_URI = 'https://auth.example.com/oauth2/idpresponse'
export const PROXY_ORIGIN = 'https://proxy.example.com'

/** Cognito's authorize redirect: its state is long (two gzip/base64 parts), ~600 characters. */
export const AUTHORIZE_PATH = `/authorize?${new URLSearchParams({
  client_id: CLIENT_ID,
  redirect_uri: REDIRECT_URI,
  response_type: 'code',
  scope: 'openid email profile',
  state: `H4sIAAAAAAAAA${'x'.repeat(280)}.H4sIAAAAAAAAA${'y'.repeat(280)}`,
})}`

/** Cognito's token request (client_secret_post), the same bytes for the proxy and the stub. */
export const TOKEN_FORM = new URLSearchParams({
  grant_type: 'authorization_code',
  code: 'idp-authorization-code-0123456789abcdef',
  redirect_uri: REDIRECT_URI,
  client_id: CLIENT_ID,
  client_secret: CLIENT_SECRET,
}).toString()

/** The key types the /token figure measures: every signing algorithm (RSA 2048-bit). */
export const TOKEN_KEY_TYPES = ALGORITHM_KEY_TYPES

/** The port name of the RS256-2048 proxy on the global fetch (undici) instead of keepAliveFetch. */
export const GLOBAL_FETCH_VARIANT = 'RS256-2048, global fetch'
/** The port name of the bare node:http pass-through to the IdP stub (the floor of any proxy). */
export const PASS_THROUGH_VARIANT = 'pass-through'

export function benchProxy(
  jwk: PrivateJwk,
  overrides: Partial<ProxyOptions> & { idpOrigin?: string } = {},
): IdpProxy {
  const { idpOrigin = 'https://idp.example.com', ...rest } = overrides
  return createProxy({
    baseUrl: PROXY_ORIGIN,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI],
    idp: {
      issuer: idpOrigin,
      authorizationEndpoint: `${idpOrigin}/authorize`,
      tokenEndpoint: `${idpOrigin}/token`,
      jwksUri: `${idpOrigin}/jwks`,
    },
    keys: staticKeySource(jwk),
    pkce: true,
    store: createMemoryStore(),
    allowInsecureHttp: idpOrigin.startsWith('http:'),
    ...rest,
  })
}

/** Serves `proxy` through the Express adapter, as an app that mounts `proxyRouter` does. */
export function serveProxy(proxy: IdpProxy): { server: Server; via: string } {
  const app = express()
  app.use(proxyRouter(proxy))
  return { server: createServer(app), via: 'express-adapter' }
}

export function listen(server: NetServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (typeof address === 'object' && address) resolve(address.port)
      else reject(new Error('no address'))
    })
  })
}
