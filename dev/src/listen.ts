/**
 * Binds the three local servers before any of them is configured: each needs the others' URLs,
 * and with port 0 (tests) those are known only once bound. Handlers are attached afterwards.
 */
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface BoundServer {
  server: Server
  /** `http://127.0.0.1:<port>` */
  origin: string
  /** Attach the request handler (an Express app is one). */
  serve(listener: RequestListener): void
  close(): Promise<void>
}

/** Listens on `host:port`; a taken port fails with a message saying which variable moves it. */
export function bind(
  name: string,
  host: string,
  port: number,
  envName?: string,
): Promise<BoundServer> {
  const server = createServer()
  // Keep-alive sockets from the browser would hold close() open.
  server.keepAliveTimeout = 1000
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        const hint = envName ? `; set ${envName} to another port` : ''
        reject(new Error(`${name}: port ${port} on ${host} is already in use${hint}`))
      } else {
        reject(error)
      }
    })
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo
      resolve({
        server,
        origin: `http://${host}:${address.port}`,
        serve(listener) {
          server.on('request', listener)
        },
        close() {
          return new Promise((done) => {
            server.close(() => done())
            server.closeAllConnections()
          })
        },
      })
    })
  })
}
