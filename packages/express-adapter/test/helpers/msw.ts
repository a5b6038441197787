/**
 * One msw server for the whole test process (uvu imports every test file into one process, and
 * two servers would stack their interceptors). Requests to loopback (the app under test, Redis's
 * neighbours, the stub IdP) pass through; anything else unhandled fails the request.
 */
import { setupServer } from 'msw/node'

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

export const mswServer = setupServer()
mswServer.listen({
  onUnhandledRequest(request, print) {
    if (LOOPBACK.has(new URL(request.url).hostname)) return
    print.error()
  },
})
