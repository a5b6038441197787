/**
 * Lambda entry for GET /callback: built once per container, at init. Flow store only, no keys. With
 * METRICS=emf the proxy and the handler write CloudWatch EMF lines.
 */
import { browserProxyFromEnv } from '../browser-proxy.js'
import { createHandler } from '../handler.js'
import { emfMetricsFromEnv } from '../lambda-env.js'

const metrics = emfMetricsFromEnv(process.env, 'callback')
export const handler = createHandler(
  () => browserProxyFromEnv(process.env, { fn: 'callback' }, metrics ? { metrics } : {}),
  metrics ? { metrics } : {},
)
