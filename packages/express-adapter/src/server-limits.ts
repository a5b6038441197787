/**
 * The standalone server's timeouts and connection limits. Node's defaults suit an app server that
 * trusts its clients (a minute for the headers, five for the whole request, no connection cap):
 * here a client that trickles its headers or body would hold a socket for minutes. Each limit is
 * chosen for Cognito's traffic (a token request is under 1 KiB, sent at once) and documented in
 * docs/operations.md.
 */
import type { IncomingMessage, ServerOptions } from 'node:http'
import type { Socket } from 'node:net'
import {
  SERVER_LIMITS as CORE_SERVER_LIMITS,
  invalidOption,
  type LimitRange,
} from '@idp-proxy/core'

export interface ServerLimits {
  /** Longest wait for a request's headers, from its first byte, in ms. Node answers 408. */
  headersTimeoutMs: number
  /** Longest wait for a whole request (headers and body), in ms. Node answers 408. */
  requestTimeoutMs: number
  /**
   * Longest wait for the rest of a body once the request reaches a proxy route, in ms: the proxy
   * answers 408 with an OAuth JSON error and closes the connection. (`requestTimeoutMs` is the
   * backstop for bodies no route reads.)
   */
  bodyTimeoutMs: number
  /** How long an idle keep-alive connection stays open after a response, in ms. */
  keepAliveTimeoutMs: number
  /** Requests served on one connection before it is closed (0: no limit). */
  maxRequestsPerSocket: number
  /** Headers parsed per request; the rest are ignored. */
  maxHeadersCount: number
  /** Largest request line plus headers, in bytes. Larger: Node answers 431. */
  maxHeaderBytes: number
  /** Open connections at most; a connection past it is closed at once. */
  maxConnections: number
}

/**
 * Each limit's default and accepted range: core's table, which the settings
 * (`HEADERS_TIMEOUT_MS`, …) parse with too, so each range is written once.
 */
export const SERVER_LIMITS: Readonly<Record<keyof ServerLimits, LimitRange>> = CORE_SERVER_LIMITS

export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = Object.fromEntries(
  Object.entries(SERVER_LIMITS).map(([name, limit]) => [name, limit.default]),
) as unknown as ServerLimits

/** Fills in defaults and checks every limit; a bad one throws ERR_INVALID_OPTION naming it. */
export function resolveServerLimits(given: Partial<ServerLimits> = {}): ServerLimits {
  const limits = { ...DEFAULT_SERVER_LIMITS }
  for (const [name, value] of Object.entries(given) as [keyof ServerLimits, unknown][]) {
    const range = SERVER_LIMITS[name]
    if (!range) throw invalidOption(`limits.${name}`, 'is not a server limit')
    if (value === undefined) continue
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < range.min ||
      value > range.max
    ) {
      throw invalidOption(
        `limits.${name}`,
        `must be a whole number from ${range.min} to ${range.max}`,
      )
    }
    limits[name] = value
  }
  // Node refuses a header deadline past the request deadline; a body deadline past it never fires.
  for (const name of ['headersTimeoutMs', 'bodyTimeoutMs'] as const) {
    if (limits[name] > limits.requestTimeoutMs) {
      throw invalidOption(`limits.${name}`, 'must not exceed limits.requestTimeoutMs')
    }
  }
  return limits
}

/** The `http.createServer` options for `limits`. */
export function httpServerOptions(limits: ServerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderBytes,
    // Node checks both deadlines on this interval (30 s by default, which would let a 10 s
    // deadline run to 40 s): a quarter of the shorter deadline, at most one second.
    connectionsCheckingInterval: Math.max(
      25,
      Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)),
    ),
  }
}

/** The limits that are properties of the server rather than `createServer` options. */
export function applyServerLimits(
  server: {
    maxConnections: number
    maxHeadersCount: number | null
    maxRequestsPerSocket: number | null
  },
  limits: ServerLimits,
): void {
  server.maxConnections = limits.maxConnections
  server.maxHeadersCount = limits.maxHeadersCount
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket
}

/**
 * True for the last request `maxRequestsPerSocket` allows on its connection. Node then answers
 * `Connection: close` but (Node 20) leaves the socket open until the keep-alive timeout; the
 * server sets the header itself on this response, which makes Node close it right after.
 */
export function requestCounter(limits: ServerLimits): (req: IncomingMessage) => boolean {
  const served = new WeakMap<Socket, number>()
  return (req) => {
    if (limits.maxRequestsPerSocket === 0) return false
    const count = (served.get(req.socket) ?? 0) + 1
    served.set(req.socket, count)
    return count >= limits.maxRequestsPerSocket
  }
}
