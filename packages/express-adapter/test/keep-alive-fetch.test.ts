import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { keepAliveFetch } from '../src/index.js'

async function serve(
  listener: Parameters<typeof createServer>[1],
): Promise<{ server: Server; url: string; connections: () => number }> {
  const server = createServer(listener)
  let connections = 0
  server.on('connection', () => connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${port}`, connections: () => connections }
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve) => server.close(() => resolve()))
}

test('POSTs a form and reads status, headers and body, over one kept-alive connection', async () => {
  const seen: string[] = []
  const { server, url, connections } = await serve((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
    })
    req.on('end', () => {
      seen.push(
        `${req.method} ${req.headers['content-type']} ${req.headers['content-length']} ${body}`,
      )
      res.writeHead(201, { 'content-type': 'application/json', 'x-extra': 'yes' })
      res.end('{"ok":true}')
    })
  })
  try {
    const send = keepAliveFetch()
    for (let i = 0; i < 5; i++) {
      const response = await send(`${url}/token`, {
        method: 'POST',
        body: new URLSearchParams({ a: 'b c' }),
      })
      assert.is(response.status, 201)
      assert.is(response.headers.get('x-extra'), 'yes')
      assert.equal(await response.json(), { ok: true })
    }
    assert.is(seen[0], 'POST application/x-www-form-urlencoded;charset=UTF-8 5 a=b+c')
    assert.is(seen.length, 5)
    assert.is(connections(), 1)
  } finally {
    await stop(server)
  }
})

test('an aborted signal rejects with its reason; an unanswered request ends at the timeout', async () => {
  const { server, url } = await serve(() => {})
  try {
    const send = keepAliveFetch()
    const started = AbortSignal.abort(new Error('gone'))
    await send(url, { signal: started }).then(
      () => assert.unreachable('answered'),
      (error: Error) => assert.is(error.message, 'gone'),
    )
    await send(url, { signal: AbortSignal.timeout(50) }).then(
      () => assert.unreachable('answered'),
      (error: Error) => assert.is(error.name, 'TimeoutError'),
    )
  } finally {
    await stop(server)
  }
})

test('a reader that stops early closes the connection: the rest of a large body is never read', async () => {
  let closed = false
  const { server, url } = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    // Writes until the connection goes away; a body read in full would never end.
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) {}
    }
    res.on('drain', pump)
    res.on('close', () => {
      closed = true
    })
    pump()
  })
  try {
    const response = await keepAliveFetch()(url)
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const first = await reader.read()
    assert.ok((first.value?.byteLength ?? 0) > 0)
    await reader.cancel()
    for (let i = 0; i < 100 && !closed; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.ok(closed, 'the server saw the connection close')
  } finally {
    await stop(server)
  }
})

test.run()
