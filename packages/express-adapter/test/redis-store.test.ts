import { createHash } from 'node:crypto'
import { type FlowRecord, type LogFields, type Logger, storageKey } from '@idp-proxy/core'
import { runStoreConformance } from '@idp-proxy/testing'
import express from 'express'
import { createClient, createCluster } from 'redis'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { DEFAULT_KEY_PREFIX, proxyRouter, RedisFlowStore } from '../src/index.js'
import { listen, type TestServer, testProxy } from './helpers/app.js'
import { authorizeAtProxy, callbackAtProxy, pkceFlow, tokenAtProxy } from './helpers/flow.js'
import {
  type RedisCluster,
  type RedisProcess,
  startRedis,
  startRedisCluster,
} from './helpers/redis.js'
import { setUp } from './helpers/setup.js'

const record = (n: number): FlowRecord => ({
  kind: 'authorize',
  state: `state-${n}`,
  redirectUri: 'https://auth.example.test/oauth2/idpresponse',
  verifier: `verifier-${n}-${'v'.repeat(43)}`,
})

let redis: RedisProcess
let client: ReturnType<typeof createClient>

const store = suite('RedisFlowStore against redis-server')

setUp(store, async () => {
  redis = await startRedis()
  client = createClient({ url: redis.url, disableOfflineQueue: true })
  client.on('error', () => {})
  await client.connect()
})
store.after(async () => {
  await client?.close()
  await redis?.stop()
})

store(
  'expiry is checked on read (clock moved, Redis still has the key) and the key has a TTL',
  async () => {
    let now = Date.UTC(2026, 0, 1)
    const flows = new RedisFlowStore({ client, now: () => now })
    const handle = await flows.save(record(2), 60)
    const key = DEFAULT_KEY_PREFIX + (await storageKey(handle))
    const ttl = await client.ttl(key)
    assert.ok(ttl > 0 && ttl <= 60, `TTL ${ttl}`)

    const fresh = await flows.save(record(3), 60)
    now += 59_999
    assert.equal(await flows.take(fresh, 'authorize'), record(3), 'still valid just before expiry')

    now += 2
    assert.is(await client.exists(key), 1, 'Redis has not expired it yet')
    assert.is(await flows.take(handle, 'authorize'), undefined, 'expired on read')
    assert.is(await client.exists(key), 0, 'and removed')
  },
)

store('key prefixes isolate stores sharing one Redis', async () => {
  const a = new RedisFlowStore({ client, keyPrefix: 'tenant-a:' })
  const b = new RedisFlowStore({ client, keyPrefix: 'tenant-b:' })
  const handle = await a.save(record(4), 60)
  assert.is(await b.take(handle, 'authorize'), undefined)
  assert.is((await client.keys('tenant-a:*')).length, 1)
  assert.is((await client.keys('tenant-b:*')).length, 0)
  assert.equal(await a.take(handle, 'authorize'), record(4))
})

store(
  'handles are not stored in clear: the key is the prefix + SHA-256 of the handle',
  async () => {
    const flows = new RedisFlowStore({ client, keyPrefix: 'clear-check:' })
    const handle = await flows.save(record(5), 60)
    const keys = await client.keys('clear-check:*')
    assert.equal(keys, [`clear-check:${createHash('sha256').update(handle).digest('base64url')}`])
    const value = (await client.get(keys[0] as string)) as string
    assert.not.ok(keys[0]?.includes(handle))
    assert.not.ok(value.includes(handle))
    assert.ok(value.includes('"e":'), 'expiry stored in the value')
  },
)

store('a garbage value reads as absent', async () => {
  const flows = new RedisFlowStore({ client, keyPrefix: 'garbage:' })
  const handle = 'a-handle-nobody-saved-000000'
  await client.set(`garbage:${await storageKey(handle)}`, 'not json')
  assert.is(await flows.take(handle, 'authorize'), undefined)
})

store('a store from a url owns its client: connect, use, close', async () => {
  const flows = new RedisFlowStore({ url: redis.url, keyPrefix: 'owned:' })
  await flows.connect()
  const handle = await flows.save(record(6), 30)
  assert.equal(await flows.take(handle, 'authorize'), record(6))
  await flows.close()
  try {
    await flows.save(record(7), 30)
    assert.unreachable('a closed store must refuse')
  } catch (error) {
    assert.instance(error, Error)
  }
})

store('options are checked', () => {
  assert.throws(
    () => new RedisFlowStore({}),
    (error: Error & { code?: string }) => error.code === 'ERR_INVALID_OPTION',
  )
  assert.throws(
    () => new RedisFlowStore({ url: 'http://127.0.0.1:6379' }),
    (error: Error & { option?: string }) => error.option === 'url',
  )
})

store.run()

// The shared FlowStore contract, on one redis-server and on a three-node Redis Cluster. Each
// backend starts at the first test that needs it, so a failure to start fails those tests.
let single: Promise<{ client: ReturnType<typeof createClient>; redis: RedisProcess }> | undefined
runStoreConformance('RedisFlowStore on redis-server', {
  async make(now) {
    single ??= (async () => {
      const redis = await startRedis()
      const client = createClient({ url: redis.url, disableOfflineQueue: true })
      client.on('error', () => {})
      await client.connect()
      return { client, redis }
    })()
    return new RedisFlowStore({ client: (await single).client, now })
  },
  async after() {
    const started = await single?.catch(() => undefined)
    await started?.client.close()
    await started?.redis.stop()
  },
})

type Cluster = ReturnType<typeof createCluster>
let cluster: Promise<{ client: Cluster; nodes: RedisCluster }> | undefined
runStoreConformance('RedisFlowStore on a Redis Cluster (3 masters)', {
  async make(now) {
    cluster ??= (async () => {
      const nodes = await startRedisCluster()
      const client = createCluster({
        rootNodes: nodes.urls.map((url) => ({ url })),
        defaults: { disableOfflineQueue: true },
      })
      client.on('error', () => {})
      await client.connect()
      return { client, nodes }
    })()
    return new RedisFlowStore({ client: (await cluster).client, now })
  },
  async after() {
    const started = await cluster?.catch(() => undefined)
    await started?.client.close()
    await started?.nodes.stop()
  },
})

/** A logger that lets a test wait for an event instead of sleeping. */
function eventLogger() {
  const waiting = new Map<string, (() => void)[]>()
  const seen: { level: string; event: string; fields?: LogFields }[] = []
  const logger: Logger = {
    log(level, event, fields) {
      seen.push({ level, event, ...(fields ? { fields } : {}) })
      for (const resolve of waiting.get(event) ?? []) resolve()
      waiting.delete(event)
    },
  }
  const next = (event: string) =>
    new Promise<void>((resolve) => {
      waiting.set(event, [...(waiting.get(event) ?? []), resolve])
    })
  return { logger, seen, next }
}

const outage = suite('Redis outage in the middle of a flow')
let server: TestServer

/** The proxy on `store`, mounted on the shared test server; its IdP and its route URLs. */
async function serveWithStore(store: RedisFlowStore) {
  const { proxy, idp } = await testProxy(server.origin, { store })
  const app = express()
  app.use(proxyRouter(proxy))
  server.setListener(app)
  return { idp, urls: { authorize: `${server.origin}/authorize`, token: `${server.origin}/token` } }
}
let outageRedis: RedisProcess

setUp(outage, async () => {
  outageRedis = await startRedis()
  server = await listen()
})
outage.after(async () => {
  await server?.close()
  await outageRedis?.stop()
})

outage(
  'redis killed after /authorize: /callback and /token answer 503; restarted: a new flow succeeds',
  async () => {
    const events = eventLogger()
    const flows = new RedisFlowStore({
      url: outageRedis.url,
      logger: events.logger,
      commandTimeoutMs: 500,
    })
    await flows.connect()
    const { idp, urls } = await serveWithStore(flows)

    try {
      const started = await authorizeAtProxy(urls, idp)
      const disconnected = events.next('redis_error')
      await outageRedis.kill()
      await disconnected

      const callback = await fetch(started.callbackUrl, { redirect: 'manual' })
      assert.is(callback.status, 503)
      assert.ok((await callback.text()).includes('ERR_STORE_UNAVAILABLE'))
      const token = await tokenAtProxy(urls.token, 'a-code-handle-while-redis-is-down')
      assert.is(token.status, 503)
      assert.is(token.body.error, 'temporarily_unavailable')

      const back = events.next('redis_ready')
      await outageRedis.start()
      await back
      const result = await pkceFlow(urls, idp)
      assert.is(result.status, 200, JSON.stringify(result.body))
      assert.equal(idp.refusals, [])
      assert.ok(
        events.seen.some((entry) => entry.event === 'redis_error' && entry.level === 'error'),
      )
    } finally {
      await flows.close()
    }
  },
)

outage(
  'a Redis that stops answering (SIGSTOP) fails requests after the command timeout, not never',
  async () => {
    const flows = new RedisFlowStore({ url: outageRedis.url, commandTimeoutMs: 200 })
    await flows.connect()
    const { idp, urls } = await serveWithStore(flows)
    try {
      const started = await authorizeAtProxy(urls, idp)
      outageRedis.freeze()
      const callback = await fetch(started.callbackUrl, { redirect: 'manual' })
      assert.is(callback.status, 503)
      outageRedis.thaw()
    } finally {
      outageRedis.thaw()
      await flows.close()
    }
  },
)

outage(
  'through the proxy on Redis: a code handle sent as state to /callback is refused and stays redeemable',
  async () => {
    const flows = new RedisFlowStore({ url: outageRedis.url })
    await flows.connect()
    const { idp, urls } = await serveWithStore(flows)
    try {
      const started = await authorizeAtProxy(urls, idp)
      const code = await callbackAtProxy(started.callbackUrl, started.state)
      const misuse = await fetch(`${server.origin}/callback?code=x&state=${code}`, {
        redirect: 'manual',
      })
      assert.is(misuse.status, 400)
      assert.is(misuse.headers.get('location'), null)
      assert.ok((await misuse.text()).includes('ERR_FLOW_NOT_FOUND'))
      const token = await tokenAtProxy(urls.token, code)
      assert.is(token.status, 200, JSON.stringify(token.body))
      assert.type(token.body.id_token, 'string')
    } finally {
      await flows.close()
    }
  },
)

outage.run()
