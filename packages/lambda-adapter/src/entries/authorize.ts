/**
 * Lambda entry for GET /authorize: built once per container, at init. Flow store, and the signing
 * key when one is configured (PAR signs a client assertion; the key is read on first use). With
 * METRICS=emf the proxy and the handler write CloudWatch EMF lines.
 */
import { browserProxyFromEnv } from '../browser-proxy.js'
import { createHandler, warmUp } from '../handler.js'
import { emfMetricsFromEnv } from '../lambda-env.js'

const metrics = emfMetricsFromEnv(process.env, 'authorize')
export const handler = createHandler(
  () => browserProxyFromEnv(process.env, { fn: 'authorize' }, metrics ? { metrics } : {}),
  metrics ? { metrics } : {},
)

// Discovery and the signing key during the init phase, not in the first request.
await warmUp(handler)
