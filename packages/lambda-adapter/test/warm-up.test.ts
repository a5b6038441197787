import type { Proxy as IdpProxy, LogFields, Logger } from '@idp-proxy/core'
import { ProxyError } from '@idp-proxy/core'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createHandler, warmUp } from '../src/index.js'
import { withWarmUpTasks } from '../src/warm-up-tasks.js'

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

test('warmUp runs the proxy’s warm-up tasks beside ready(), not after it', async () => {
  // ready() finishes only once the task has started: run one after the other, this times out.
  let started!: () => void
  const taskStarted = new Promise<void>((resolve) => {
    started = resolve
  })
  const logger = recorder()
  let finished = false
  const handler = createHandler(
    () =>
      withWarmUpTasks(
        fakeProxy(() => taskStarted),
        [
          async () => {
            started()
            finished = true
          },
        ],
      ),
    { logger },
  )
  await warmUp(handler, 1_000)
  assert.ok(finished)
  assert.equal(logger.lines, [])
})

test('a failing warm-up task is one warning with its code, after ready() has run', async () => {
  let readyRuns = 0
  const logger = recorder()
  const handler = createHandler(
    () =>
      withWarmUpTasks(
        fakeProxy(async () => {
          readyRuns++
        }),
        [
          async () => {
            throw new ProxyError('ERR_KEYS_UNAVAILABLE', 'down')
          },
        ],
      ),
    { logger },
  )
  await warmUp(handler)
  assert.is(readyRuns, 1)
  assert.equal(logger.lines, [['warn', 'warm_up_failed', { code: 'ERR_KEYS_UNAVAILABLE' }]])
})

test.run()
