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

/** The local run's three servers, bound in order; on a failure the ones bound are closed. */
export interface LocalServers {
  idp: BoundServer
  proxy: BoundServer
  standin: BoundServer
  close(): Promise<void>
}

export async function bindLocalServers(
  host: string,
  ports: { idp?: number; proxy?: number; standin?: number } = {},
): Promise<LocalServers> {
  const servers: BoundServer[] = []
  const close = async () => {
    await Promise.all(servers.map((server) => server.close()))
  }
  try {
    servers.push(await bind('development IdP', host, ports.idp ?? 0, 'IDP_PORT'))
    servers.push(await bind('proxy', host, ports.proxy ?? 0, 'PROXY_PORT'))
    servers.push(await bind('Cognito stand-in', host, ports.standin ?? 0, 'STANDIN_PORT'))
  } catch (error) {
    await close()
    throw error
  }
  const [idp, proxy, standin] = servers as [BoundServer, BoundServer, BoundServer]
  return { idp, proxy, standin, close }
}
