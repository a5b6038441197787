/**
 * Lambda entry for one function serving every route (/authorize, /callback, /token, the JWKS and
 * /health). The token proxy has the flow store, the key and the client secret, so it answers the
 * browser routes too. Built once per container; with METRICS=emf the proxy and the handler
 * write their metrics as CloudWatch EMF lines.
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
