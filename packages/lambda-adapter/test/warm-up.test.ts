import type { Proxy as IdpProxy, LogFields, Logger } from '@idp-proxy/core'
import { ProxyError } from '@idp-proxy/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createHandler, warmUp } from '../src/index.js'

function recorder(): Logger & { lines: [string, string, LogFields | undefined][] } {
  const lines: [string, string, LogFields | undefined][] = []
  return { lines, log: (level, event, fields) => lines.push([level, event, fields]) }
}

function fakeProxy(ready: () => Promise<unknown>): IdpProxy {
  return { ready, handle: async () => new Response('ok') } as unknown as IdpProxy
}

test('warmUp runs the proxy’s ready() once, in init, before any request', async () => {
  let calls = 0
  const logger = recorder()
  const handler = createHandler(
    () =>
      fakeProxy(async () => {
        calls++
      }),
    { logger },
  )
  await warmUp(handler)
  assert.is(calls, 1)
  assert.equal(logger.lines, [])
})

test('warmUp never rejects: a failing ready() is one warning with its code', async () => {
  const logger = recorder()
  const handler = createHandler(
    () =>
      fakeProxy(async () => {
        throw new ProxyError('ERR_IDP_UNAVAILABLE', 'down')
      }),
    { logger },
  )
  await warmUp(handler)
  assert.equal(logger.lines, [['warn', 'warm_up_failed', { code: 'ERR_IDP_UNAVAILABLE' }]])
})

test('warmUp gives up after its timeout, and a proxy that failed to build adds no line', async () => {
  const logger = recorder()
  const hanging = createHandler(() => fakeProxy(() => new Promise(() => {})), { logger })
  await warmUp(hanging, 20)
  assert.equal(logger.lines, [['warn', 'warm_up_timeout', { ms: 20 }]])
  const broken = recorder()
  const failed = createHandler(
    () => {
      throw new ProxyError('ERR_INVALID_OPTION', 'bad')
    },
    { logger: broken },
  )
  await warmUp(failed)
  assert.equal(
    broken.lines.map(([, event]) => event),
    ['proxy_init_failed'],
  )
})

test.run()
