/**
 * Lambda entry for GET /callback: built once per container, at init. Flow store only, no keys
 * (browser-route-proxy.ts: no Secrets Manager or KMS code in this bundle). With METRICS=emf the
 * proxy and the handler write CloudWatch EMF lines.
 */
import { browserRouteProxyFromEnv } from '../browser-route-proxy.js'
import { createHandler } from '../handler.js'
import { emfMetricsFromEnv } from '../lambda-env.js'

const metrics = emfMetricsFromEnv(process.env, 'callback')
export const handler = createHandler(
  () => browserRouteProxyFromEnv(process.env, { fn: 'callback' }, metrics ? { metrics } : {}),
  metrics ? { metrics } : {},
)
