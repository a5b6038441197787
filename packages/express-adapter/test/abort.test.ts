/**
 * A client that drops the connection in the middle of a /token body is its own quiet outcome
 * (ERR_CLIENT_ABORTED at info level), not an internal error anyone could use to inflate the
 * error count.
 */
import { connect } from 'node:net'
import type { LogFields, Logger } from '@idp-proxy/core'
import express from 'express'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { proxyRouter } from '../src/index.js'
import { listen, type TestServer, testProxy } from './helpers/app.js'

let server: TestServer

test.before(async () => {
  server = await listen()
})
test.after(async () => {
  await server?.close()
})

test('a client that aborts mid-/token-body: logged as ERR_CLIENT_ABORTED at info, no error', async () => {
  const lines: (LogFields & { level: string; event: string })[] = []
  let logged: () => void = () => {}
  const requestLogged = new Promise<void>((resolve) => {
    logged = resolve
  })
  const logger: Logger = {
    log(level, event, fields) {
      lines.push({ level, event, ...fields })
      if (event === 'request') logged()
    },
  }
  const { proxy } = await testProxy(server.origin, { logger })
  const app = express()
  app.use(proxyRouter(proxy))
  let arrived: () => void = () => {}
  const reachedServer = new Promise<void>((resolve) => {
    arrived = resolve
  })
  server.setListener((req, res) => {
    arrived()
    app(req, res)
  })

  const { port } = new URL(server.origin)
  const socket = connect(Number(port), '127.0.0.1')
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write(
    'POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\ngrant_type=authorization_code&code=',
  )
  // The server has the headers and part of the body; then the client is gone.
  await reachedServer
  socket.destroy()
  await requestLogged

  const request = lines.find((line) => line.event === 'request')
  assert.is(request?.code, 'ERR_CLIENT_ABORTED', JSON.stringify(lines))
  assert.is(request?.status, 400)
  assert.is(request?.level, 'info')
  assert.not.ok(
    lines.some((line) => line.level === 'error' || line.level === 'warn'),
    JSON.stringify(lines),
  )
})

test.run()
