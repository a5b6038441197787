/**
 * Lambda entry for POST /token, GET and POST /userinfo, GET /.well-known/jwks.json and GET
 * /health. Built once per container; with METRICS=emf the proxy and the handler write CloudWatch EMF lines.
 */
import { createHandler, warmUp } from '../handler.js'
import { emfMetricsFromEnv } from '../lambda-env.js'
import { tokenProxyFromEnv } from '../token-proxy.js'

const metrics = emfMetricsFromEnv(process.env, 'token')
export const handler = createHandler(
  () => tokenProxyFromEnv(process.env, {}, metrics ? { metrics } : {}),
  metrics ? { metrics } : {},
)

// Discovery and the signing key during the init phase, not in the first request.
await warmUp(handler)
