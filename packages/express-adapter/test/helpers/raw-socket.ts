/**
 * A raw TCP client for the server-limit tests: what a slow or greedy client does, byte by byte,
 * without an HTTP client's own timeouts and pooling in the way.
 */
import { connect, type Socket } from 'node:net'

export interface RawClient {
  socket: Socket
  /** Everything the server sent so far. */
  readonly received: string
  /** Resolves once the connection is closed (or failed), with all the server sent. */
  closed: Promise<string>
  /** Resolves once the server has ended its side of the connection, with all it sent. */
  ended: Promise<string>
  /** Resolves when `received` matches `pattern` (or the connection closed first). */
  waitFor(pattern: RegExp): Promise<string>
  /**
   * Sends `text` one character every `everyMs` (a slow client) until it is all sent or the
   * server closed the connection. Resolves with whether the server closed it first.
   */
  trickle(text: string, everyMs: number): Promise<boolean>
}

export async function rawClient(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  socket.setEncoding('utf8')
  let received = ''
  let isClosed = false
  const waiters: (() => void)[] = []
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter()
  }
  socket.on('data', (chunk: string) => {
    received += chunk
    wake()
  })
  const closed = new Promise<string>((resolve) => {
    socket.once('close', () => {
      isClosed = true
      wake()
      resolve(received)
    })
  })
  const ended = new Promise<string>((resolve) => {
    socket.once('end', () => resolve(received))
    socket.once('close', () => resolve(received))
  })
  // A reset by the server is a close too; the test asserts on what was received.
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })

  return {
    socket,
    get received() {
      return received
    },
    closed,
    ended,
    async waitFor(pattern) {
      while (!pattern.test(received) && !isClosed) {
        await new Promise<void>((resolve) => waiters.push(resolve))
      }
      return received
    },
    async trickle(text, everyMs) {
      for (const char of text) {
        if (isClosed || socket.destroyed) return true
        socket.write(char)
        // Paces the slow client; no assertion depends on how long this takes.
        await new Promise((resolve) => setTimeout(resolve, everyMs))
      }
      return isClosed
    },
  }
}

/** The status codes of every response in `text` (pipelined responses come back in order). */
export function statuses(text: string): number[] {
  return [...text.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((match) => Number(match[1]))
}
