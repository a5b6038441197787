/**
 * The IdP's token endpoint, stubbed: answers every POST with a token JSON after an optional
 * delay. Its id_token is a real RS256-2048 JWS (iss = the origin it was called at, aud = the
 * form's client_id, the nonce carried in the code as `code.<nonce>`), verifiable with the key at
 * `/jwks`, so the proxy's id_token verification is part of every figure. Plain HTTP, or HTTPS
 * when given a certificate (for the seed-pattern model).
 */

import { generateKeyPairSync, sign } from 'node:crypto'
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttps } from 'node:https'

const KID = 'bench-idp-1'
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const JWKS = JSON.stringify({
  keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }],
})

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url')

/** A signed id_token, kept per (issuer, audience, nonce): one signature each, an hour valid. */
const signed = new Map<string, string>()
function idToken(issuer: string, audience: string, nonce: string | undefined): string {
  const key = `${issuer} ${audience} ${nonce ?? ''}`
  const cached = signed.get(key)
  if (cached) return cached
  const now = Math.floor(Date.now() / 1000)
  const input = `${b64(JSON.stringify({ alg: 'RS256', kid: KID, typ: 'JWT' }))}.${b64(
    JSON.stringify({
      iss: issuer,
      sub: 'bench-user-0123456789',
      aud: audience,
      iat: now,
      exp: now + 3600,
      ...(nonce ? { nonce } : {}),
      email: 'bench.user@example.com',
      email_verified: true,
      name: 'Bench User',
    }),
  )}`
  const token = `${input}.${b64(sign('sha256', Buffer.from(input), privateKey))}`
  if (signed.size > 1000) signed.clear()
  signed.set(key, token)
  return token
}

function tokenBody(issuer: string, form: URLSearchParams): string {
  const code = form.get('code') ?? ''
  const dot = code.indexOf('.')
  return JSON.stringify({
    access_token: 'a'.repeat(64),
    id_token: idToken(
      issuer,
      form.get('client_id') ?? '',
      dot > 0 ? code.slice(dot + 1) : undefined,
    ),
    token_type: 'Bearer',
    expires_in: 3600,
    scope: 'openid email',
  })
}

export interface IdpStubOptions {
  delayMs?: number
  tls?: { key: string; cert: string }
  /**
   * The origin the proxy reaches the stub at (e.g. through the delay relay). When set, the stub
   * serves a discovery document naming it, so the proxy can be configured with the issuer alone.
   */
  issuer?: string
  /** Serve discovery with the origin the stub was called at (the Host header) as the issuer. */
  discoveryFromHost?: boolean
}

/** What the stub saw: to check connection reuse and discovery caching, not to time anything. */
export interface IdpStubCounts {
  connections: number
  discovery: number
  jwks: number
  token: number
}

export type IdpStub = Server & { counts: IdpStubCounts }

export function idpStub(options: IdpStubOptions = {}): IdpStub {
  const counts: IdpStubCounts = { connections: 0, discovery: 0, jwks: 0, token: 0 }
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const origin = options.issuer ?? `${options.tls ? 'https' : 'http'}://${req.headers.host}`
    const later = (answer: () => void) =>
      options.delayMs ? setTimeout(answer, options.delayMs) : answer()
    if (
      req.method === 'GET' &&
      req.url === '/.well-known/openid-configuration' &&
      (options.issuer || options.discoveryFromHost)
    ) {
      counts.discovery++
      later(() => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            issuer: origin,
            authorization_endpoint: `${origin}/authorize`,
            token_endpoint: `${origin}/token`,
            jwks_uri: `${origin}/jwks`,
            response_types_supported: ['code'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['private_key_jwt'],
          }),
        )
      })
      return
    }
    if (req.method === 'GET' && req.url === '/jwks') {
      counts.jwks++
      later(() => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JWKS)
      })
      return
    }
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
    })
    req.on('end', () => {
      counts.token++
      const answer = () => {
        // A body without a form is a harness bug, not a figure: make it visible.
        const status = req.method === 'POST' && body.length > 0 ? 200 : 400
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        res.end(
          status === 200
            ? tokenBody(origin, new URLSearchParams(body))
            : '{"error":"invalid_request"}',
        )
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
