/**
 * Lambda entry for one function serving every route (/authorize, /callback, /token, the JWKS and
 * /health). The token proxy has the flow store, the key and the client secret, so it answers the
 * browser routes too. Built once per container.
 */
import { createHandler, warmUp } from '../handler.js'
import { tokenProxyFromEnv } from '../token-proxy.js'

export const handler = createHandler(() => tokenProxyFromEnv(process.env))

// Discovery and the signing key during the init phase, not in the first request.
await warmUp(handler)
