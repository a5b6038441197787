/** Lambda entry for POST /token, GET /.well-known/jwks.json and GET /health. Built once per container. */
import { createHandler } from '../handler.js'
import { tokenProxyFromEnv } from '../token-proxy.js'

export const handler = createHandler(() => tokenProxyFromEnv(process.env))
