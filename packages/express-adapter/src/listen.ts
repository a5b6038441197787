/** Listening on a port, and the URL to show for it (a wildcard address becomes loopback). */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Listens on `port` and `host`; resolves with the server's URL, e.g. `http://127.0.0.1:8080`. */
export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${shown === '0.0.0.0' ? '127.0.0.1' : shown === '[::]' ? '[::1]' : shown}:${address.port}`
}

/** Closes `server`, ending its idle connections at once (a scrape keeps none open for long). */
export function closeNow(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeAllConnections()
  return closed
}
