/**
 * An IdP on a real loopback socket (node:http) that answers what a hostile or broken IdP would:
 * bodies of tens of MB with or without a length, gzip bombs, statuses a `Response` cannot carry,
 * redirects. Used by the bounded-read tests and the hostile-memory benchmark. Bodies are streamed
 * with backpressure and stop when the client goes away, and what was written is counted, so a
 * test can tell that the client stopped reading early.
 */
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'

export type HostileAnswer =
  /** A JSON-looking body of `bytes` bytes with a Content-Length. */
  | { kind: 'large'; bytes: number; status?: number }
  /** The same without a length (chunked transfer encoding). */
  | { kind: 'chunked'; bytes: number; status?: number }
  /** A gzip body of about bytes/1000 that inflates to `bytes` (Content-Encoding: gzip). */
  | { kind: 'gzip-bomb'; bytes: number; status?: number }
  /** Exactly this status, headers and body. */
  | { kind: 'raw'; status: number; headers?: Record<string, string>; body?: string }

export type HostileEndpoint = 'discovery' | 'token' | 'jwks'

export interface HostileIdp {
  /** `http://127.0.0.1:<port>`: the issuer its discovery document names. */
  readonly issuer: string
  readonly tokenEndpoint: string
  readonly authorizationEndpoint: string
  readonly jwksUri: string
  /** What `endpoint` answers from now on; undefined restores the well-behaved answer. */
  answer(endpoint: HostileEndpoint, answer: HostileAnswer | undefined): void
  /** Body bytes written for the last answer of `endpoint` (compressed bytes for a bomb). */
  bytesWritten(endpoint: HostileEndpoint): number
  /** Resolves when the last answer of `endpoint` has finished or its client has gone. */
  settled(endpoint: HostileEndpoint): Promise<void>
  close(): Promise<void>
}

const FILLER = Buffer.alloc(64 * 1024, 0x61)
// One gzip member of 1 MiB of spaces: ~1 KB compressed. Concatenated members are one valid
// gzip stream (RFC 1952), so N of them inflate to N MiB while costing N KB on the wire.
const BOMB_MEMBER = gzipSync(Buffer.alloc(1024 * 1024, 0x20), { level: 9 })

export async function startHostileIdp(): Promise<HostileIdp> {
  const answers = new Map<HostileEndpoint, HostileAnswer>()
  const written = new Map<HostileEndpoint, number>()
  const done = new Map<HostileEndpoint, Promise<void>>()
  let origin = ''

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const endpoint: HostileEndpoint | undefined =
      path === '/.well-known/openid-configuration'
        ? 'discovery'
        : path === '/token'
          ? 'token'
          : path === '/jwks'
            ? 'jwks'
            : undefined
    req.resume()
    if (!endpoint) {
      res.writeHead(404).end()
      return
    }
    written.set(endpoint, 0)
    done.set(endpoint, new Promise<void>((resolve) => res.once('close', () => resolve())))
    const answer = answers.get(endpoint)
    if (!answer) {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(wellBehaved(endpoint, origin)))
      return
    }
    const count = (n: number) => written.set(endpoint, (written.get(endpoint) ?? 0) + n)
    switch (answer.kind) {
      case 'raw':
        res.writeHead(answer.status, answer.headers ?? {})
        res.end(answer.body ?? '')
        return
      case 'large':
        res.writeHead(answer.status ?? 200, {
          'content-type': 'application/json',
          'content-length': String(answer.bytes),
        })
        stream(res, answer.bytes, () => FILLER, count)
        return
      case 'chunked':
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' })
        stream(res, answer.bytes, () => FILLER, count)
        return
      case 'gzip-bomb': {
        res.writeHead(answer.status ?? 200, {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
        })
        const members = Math.ceil(answer.bytes / (1024 * 1024))
        stream(res, members * BOMB_MEMBER.length, () => BOMB_MEMBER, count)
        return
      }
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    issuer: origin,
    tokenEndpoint: `${origin}/token`,
    authorizationEndpoint: `${origin}/authorize`,
    jwksUri: `${origin}/jwks`,
    answer(endpoint, answer) {
      if (answer) answers.set(endpoint, answer)
      else answers.delete(endpoint)
    },
    bytesWritten: (endpoint) => written.get(endpoint) ?? 0,
    settled: (endpoint) => done.get(endpoint) ?? Promise.resolve(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function wellBehaved(endpoint: HostileEndpoint, origin: string): unknown {
  if (endpoint === 'discovery') {
    return {
      issuer: origin,
      authorization_endpoint: `${origin}/authorize`,
      token_endpoint: `${origin}/token`,
      jwks_uri: `${origin}/jwks`,
      response_types_supported: ['code'],
    }
  }
  if (endpoint === 'jwks') return { keys: [] }
  return { error: 'invalid_grant', error_description: 'the hostile IdP issues no tokens' }
}

/** Writes `total` bytes in chunks from `next()`, waiting for drain, stopping if the client goes. */
function stream(
  res: ServerResponse,
  total: number,
  next: () => Buffer,
  count: (n: number) => void,
): void {
  let left = total
  let gone = false
  res.once('close', () => {
    gone = true
  })
  const pump = () => {
    while (!gone && left > 0) {
      const chunk = next()
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left)
      left -= part.length
      count(part.length)
      if (!res.write(part)) {
        res.once('drain', pump)
        return
      }
    }
    if (!gone) res.end()
  }
  pump()
}
