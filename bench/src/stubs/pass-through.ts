/**
 * The /token floor of any proxy in front of the IdP: a bare node:http server that reads the
 * form and POSTs it unchanged to the IdP over a keep-alive connection, then relays the answer.
 * No crypto, no checks, no Web objects: what one extra hop and one extra IdP exchange cost on
 * this machine, whatever the proxy does besides.
 */
import { Agent, createServer, request, type Server } from 'node:http'

export function passThrough(idpPort: number): Server {
  const agent = new Agent({ keepAlive: true, maxFreeSockets: 4 })
  return createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const upstream = request(
        {
          host: '127.0.0.1',
          port: idpPort,
          path: '/token',
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': body.byteLength,
          },
        },
        (answer) => {
          const parts: Buffer[] = []
          answer.on('data', (chunk: Buffer) => parts.push(chunk))
          answer.on('end', () => {
            const text = Buffer.concat(parts)
            res.writeHead(answer.statusCode ?? 502, {
              'content-type': 'application/json',
              'content-length': text.byteLength,
            })
            res.end(text)
          })
        },
      )
      upstream.on('error', () => {
        res.writeHead(502).end()
      })
      upstream.end(body)
    })
  })
}
