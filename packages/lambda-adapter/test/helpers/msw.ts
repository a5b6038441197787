/**
 * One msw server for every test file (uvu loads all files into one process): each suite calls
 * `useMsw(suite)`, which listens before its first test and closes after its last. Requests to
 * loopback (dynalite) pass through; anything else unhandled fails the test.
 */
import { setupServer } from 'msw/node'
import type { Test } from 'uvu'

export const server = setupServer()

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

// biome-ignore lint/suspicious/noExplicitAny: uvu's suite context type is generic
export function useMsw(suite: Test<any>): void {
  suite.before(() => {
    server.listen({
      onUnhandledRequest(request, print) {
        if (LOOPBACK.has(new URL(request.url).hostname)) return
        print.error()
        throw new Error(`unhandled request: ${request.method} ${request.url}`)
      },
    })
  })
  suite.after.each(() => {
    server.resetHandlers()
  })
  suite.after(() => {
    server.close()
  })
}
