/** Lambda entry for GET /authorize: built once per container, at init. Flow store only, no keys. */
import { browserProxyFromEnv } from '../browser-proxy.js'
import { createHandler, warmUp } from '../handler.js'

export const handler = createHandler(() => browserProxyFromEnv(process.env, { fn: 'authorize' }))

// Discovery and the signing key during the init phase, not in the first request.
await warmUp(handler)
