/**
 * Flow stores: save + take pairs per second from one caller, which is what one /authorize +
 * /callback (or /callback + /token) costs in storage. Redis and DynamoDB run on local servers:
 * loopback latency, not a network's; dynalite is a DynamoDB API emulator, not DynamoDB's speed.
 */
import {
  createMemoryStore,
  createSealedStore,
  type FlowStore,
  generateSealingKey,
} from '@idp-proxy/core'
import { type ClosableStore, isSkipped, loadDynamoStore, loadRedisStore } from '../adapters.js'
import { fmt, type Row, type SectionResult, skipped } from '../report.js'
import { type Service, startDynalite, startRedis } from '../services.js'
import { timeLoop } from '../stats.js'

const SECTION = 'stores'

async function measure(store: FlowStore, durationMs: number) {
  let n = 0
  return timeLoop(
    async () => {
      const handle = await store.save(
        {
          kind: 'authorize',
          state: `cognito-state-${n++}`,
          redirectUri: 'https://auth.example.com/oauth2/idpresponse',
          verifier: 'v'.repeat(43),
        },
        600,
      )
      const record = await store.take(handle, 'authorize')
      if (!record) throw new Error('the store lost a record')
    },
    { durationMs, warmupMs: Math.min(300, durationMs / 4) },
  )
}

export async function storesSection(options: { durationMs: number }): Promise<SectionResult> {
  const rows: Row[] = []
  const data: Record<string, unknown> = {}
  const record = async (name: string, note: string, store: FlowStore) => {
    const result = await measure(store, options.durationMs)
    data[name] = result
    rows.push({
      section: SECTION,
      measure: `${name} save+take/s`,
      ours: `${fmt(result.opsPerSecond, 0)}/s`,
      compare: `p50 ${fmt(result.latency.p50, 3)} ms per pair${note ? `; ${note}` : ''}`,
      status: 'info',
    })
  }

  await record('memory', '', createMemoryStore())
  await record(
    'sealed',
    'no server state, no one-time guarantee',
    createSealedStore({ keys: [generateSealingKey()] }),
  )

  await withService(startRedis, loadRedisStore, async (store) => {
    await record('redis', 'redis-server on loopback', store)
  }).then((why) => why && rows.push(skipped(SECTION, 'redis save+take/s', why)))

  await withService(startDynalite, loadDynamoStore, async (store) => {
    await record('dynamodb (dynalite)', 'dynalite emulator: not DynamoDB speed', store)
  }).then((why) => why && rows.push(skipped(SECTION, 'dynamodb (dynalite) save+take/s', why)))

  return { rows, data }
}

/** Starts the service, loads the store on it, runs `body`, stops both; returns why it could not. */
async function withService(
  start: () => Promise<Service | string>,
  load: (url: string) => Promise<ClosableStore | { skipped: string }>,
  body: (store: FlowStore) => Promise<void>,
): Promise<string | undefined> {
  const service = await start()
  if (typeof service === 'string') return service
  try {
    const loaded = await load(service.url)
    if (isSkipped(loaded)) return loaded.skipped
    try {
      await body(loaded.store)
    } finally {
      await loaded.close()
    }
    return undefined
  } catch (error) {
    return `failed: ${String((error as Error).message ?? error).split('\n')[0]}`
  } finally {
    await service.stop()
  }
}
