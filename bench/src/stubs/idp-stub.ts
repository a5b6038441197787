/**
 * The IdP's token endpoint, stubbed: answers every POST with the same token JSON after an
 * optional delay. Plain HTTP, or HTTPS when given a certificate (for the seed-pattern model).
 */
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttps } from 'node:https'

// Realistic sizes: an id_token of ~900 bytes and an opaque access token.
export const TOKEN_BODY = JSON.stringify({
  access_token: 'a'.repeat(64),
  id_token: `eyJhbGciOiJSUzI1NiJ9.${'p'.repeat(700)}.${'s'.repeat(342)}`,
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'openid email',
})

export interface IdpStubOptions {
  delayMs?: number
  tls?: { key: string; cert: string }
  /**
   * The origin the proxy reaches the stub at (e.g. through the delay relay). When set, the stub
   * serves a discovery document naming it, so the proxy can be configured with the issuer alone.
   */
  issuer?: string
}

/** What the stub saw: to check connection reuse and discovery caching, not to time anything. */
export interface IdpStubCounts {
  connections: number
  discovery: number
  token: number
}

export type IdpStub = Server & { counts: IdpStubCounts }

export function idpStub(options: IdpStubOptions = {}): IdpStub {
  const counts: IdpStubCounts = { connections: 0, discovery: 0, token: 0 }
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/.well-known/openid-configuration' && options.issuer) {
      counts.discovery++
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          issuer: options.issuer,
          authorization_endpoint: `${options.issuer}/authorize`,
          token_endpoint: `${options.issuer}/token`,
          jwks_uri: `${options.issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        }),
      )
      return
    }
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
    })
    req.on('end', () => {
      counts.token++
      const answer = () => {
        // A body without a form is a harness bug, not a figure: make it visible.
        const status = req.method === 'POST' && size > 0 ? 200 : 400
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        res.end(status === 200 ? TOKEN_BODY : '{"error":"invalid_request"}')
      }
      if (options.delayMs) setTimeout(answer, options.delayMs)
      else answer()
    })
  }
  const server = options.tls
    ? createHttps({ key: options.tls.key, cert: options.tls.cert }, listener)
    : createHttp(listener)
  // TLS servers see the TCP connection first; either way one event per connection.
  server.on(options.tls ? 'secureConnection' : 'connection', () => {
    counts.connections++
  })
  return Object.assign(server, { counts })
}
