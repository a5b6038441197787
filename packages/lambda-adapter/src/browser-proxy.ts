/**
 * The proxy for the /authorize and /callback functions: flow store, no client secret. The
 * authorize function also has the signing key when it is given one (PRIVATE_KEY_SECRET_ARN,
 * KMS_KEY_ID or PRIVATE_KEY, through key-env.ts as the token function): it signs the client
 * assertion of pushed authorization requests (PAR). Its clients are created on first use, so
 * without a key setting none is. The callback function never signs (its entry uses
 * browser-route-proxy.ts alone, keeping Secrets Manager and KMS code out of its bundle).
 */
import type { Env, Proxy as IdpProxy } from '@idp-proxy/core'
import { type BrowserRouteClients, browserRouteProxyFromEnv } from './browser-route-proxy.js'
import type { LambdaProxyOptions } from './handler.js'
import { type KeyClients, keyDeps, keysFrom } from './key-env.js'

export interface BrowserProxyClients extends BrowserRouteClients, KeyClients {}

/**
 * The proxy of the authorize or callback function from its environment. Throws one ProxyError
 * ERR_INVALID_OPTION naming every variable at fault.
 */
export function browserProxyFromEnv(
  env: Env,
  clients: BrowserProxyClients = {},
  extra: LambdaProxyOptions = {},
): IdpProxy {
  if (clients.fn === 'callback') return browserRouteProxyFromEnv(env, clients, extra)
  const deps = keyDeps(clients, env)
  return browserRouteProxyFromEnv(env, clients, extra, (reading, options) =>
    keysFrom(reading, options, deps),
  )
}
