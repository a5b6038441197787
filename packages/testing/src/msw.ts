/**
 * The one msw server of a test process: uvu imports every test file into one process, and two
 * servers would stack their interceptors. Requests to loopback (servers under test, dynalite,
 * Redis, a loopback IdP) pass through; any other request without a handler fails.
 */
import type { RequestHandler } from 'msw'
import { type SetupServer, setupServer } from 'msw/node'
import type { Test } from 'uvu'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

const server = setupServer()
let listening = false

/** Starts the shared server if it is not listening yet, and returns it. */
export function startMsw(): SetupServer {
  if (!listening) {
    server.listen({
      onUnhandledFrame({ frame }) {
        const { request } = frame.data as { request?: Request }
        if (!request) return
        const url = new URL(request.url)
        if (LOOPBACK.has(url.hostname)) return
        // Our own line, not msw's (which prints the body: secrets). A thrown Response.error()
        // fails the request as a network error (any other throw would answer a 500).
        console.error(`no msw handler for ${request.method} ${url.origin}${url.pathname}`)
        throw Response.error()
      },
    })
    listening = true
  }
  return server
}

/** The shared server, listening, with exactly `handlers` installed. */
export function mswServer(...handlers: RequestHandler[]): SetupServer {
  startMsw().resetHandlers(...handlers)
  return server
}

/**
 * Scopes the shared server to a suite: listening from before its first test to after its last,
 * with the handlers a test adds removed after it.
 */
// biome-ignore lint/suspicious/noExplicitAny: uvu's suite context type is generic
export function useMsw(suite: Test<any>): SetupServer {
  suite.before(() => {
    startMsw()
  })
  suite.after.each(() => {
    server.resetHandlers()
  })
  suite.after(() => {
    server.close()
    listening = false
  })
  return server
}

/**
 * Runs a suite with the shared server closed, restarting it afterwards if it was listening. For
 * suites that speak raw TCP to a loopback server: msw 3 intercepts every `net.Socket` connect
 * and holds a request's bytes until the request is whole before passing it through, so a server
 * under test would never see a client trickle its headers.
 */
// biome-ignore lint/suspicious/noExplicitAny: uvu's suite context type is generic
export function withoutMsw(suite: Test<any>): void {
  let wasListening = false
  suite.before(() => {
    wasListening = listening
    if (listening) {
      server.close()
      listening = false
    }
  })
  suite.after(() => {
    if (wasListening) startMsw()
  })
}
