/** Lambda entry for POST /token, GET /.well-known/jwks.json and GET /health. Built once per container. */
import { createHandler, warmUp } from '../handler.js'
import { tokenProxyFromEnv } from '../token-proxy.js'

export const handler = createHandler(() => tokenProxyFromEnv(process.env))

// Discovery and the signing key during the init phase, not in the first request.
await warmUp(handler)
