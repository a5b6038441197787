/** Lambda entry for GET /callback: built once per container, at init. Flow store only, no keys. */
import { browserProxyFromEnv } from '../browser-proxy.js'
import { createHandler } from '../handler.js'

export const handler = createHandler(() => browserProxyFromEnv(process.env, { fn: 'callback' }))
