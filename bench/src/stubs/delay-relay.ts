/**
 * A TCP relay that models a network path on loopback: every chunk waits `oneWayMs` in each
 * direction, and a new connection's first bytes wait one extra round trip (the TCP handshake
 * a real connect costs). A kept-alive connection pays one round trip per request; a new TLS 1.3
 * connection pays three (TCP, TLS, request), as on a real network.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

export function delayRelay(targetPort: number, oneWayMs: number): Server {
  return createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    const handshakeDone = Date.now() + 2 * oneWayMs
    pipeDelayed(client, upstream, oneWayMs, handshakeDone)
    pipeDelayed(upstream, client, oneWayMs, 0)
    // A reset on either side resets both; a clean close is forwarded once the queued bytes are out.
    const reset = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', reset)
    upstream.on('error', reset)
  })
}

function pipeDelayed(from: Socket, to: Socket, oneWayMs: number, notBefore: number): void {
  // One chain per direction keeps the chunks in order whatever the timers do.
  let chain = Promise.resolve()
  from.on('data', (chunk: Buffer) => {
    const at = Math.max(Date.now(), notBefore) + oneWayMs
    chain = chain.then(async () => {
      const wait = at - Date.now()
      if (wait > 0) await sleep(wait)
      if (!to.destroyed) to.write(chunk)
    })
  })
  const finish = () => {
    chain = chain.then(() => {
      if (!to.destroyed) to.end()
    })
  }
  from.on('end', finish)
  from.on('close', finish)
}
