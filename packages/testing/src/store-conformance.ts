/**
 * The FlowStore contract, as one suite every store runs (memory, sealed, DynamoDB on dynalite,
 * Redis on redis-server and on a Redis Cluster). Shapes are restated here, structurally, so this
 * private package needs no dependency on core.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

type Kind = 'authorize' | 'code'

interface Record {
  kind: Kind
  redirectUri: string
  verifier: string
  nonce?: string
  state?: string
  code?: string
}

export interface ConformingStore {
  save(record: never, ttlSeconds: number): Promise<string>
  take(handle: string, kind: Kind): Promise<unknown>
}

export interface ConformanceOptions {
  /** A fresh store on the given clock (ms since the epoch). */
  make(now: () => number): ConformingStore | Promise<ConformingStore>
  /** False for the sealed store: it has no one-time guarantee (documented). */
  oneTime?: boolean
  before?: () => Promise<void>
  after?: () => Promise<void>
}

const REDIRECT = 'https://example.auth.eu-west-1.amazoncognito.com/oauth2/idpresponse'

export const conformanceRecords = {
  authorize: (n: number): Record => ({
    kind: 'authorize',
    state: `cognito-state-${n}-${'s'.repeat(200)}`,
    redirectUri: REDIRECT,
    verifier: `verifier-${n}-${'v'.repeat(43)}`,
    nonce: `nonce-${n}-${'n'.repeat(22)}`,
  }),
  code: (n: number): Record => ({
    kind: 'code',
    code: `idp-code-${n}`,
    redirectUri: REDIRECT,
    verifier: `verifier-${n}-${'v'.repeat(43)}`,
    nonce: `nonce-${n}-${'n'.repeat(22)}`,
  }),
}

/** Registers and runs the contract as its own uvu suite named `name`. */
export function runStoreConformance(name: string, options: ConformanceOptions): void {
  const test = suite(`${name}: FlowStore contract`)
  let clock = 1_900_000_000_000
  const now = () => clock
  if (options.before) test.before(options.before)
  if (options.after) test.after(options.after)
  const make = () => Promise.resolve(options.make(now))
  const save = (store: ConformingStore, record: Record, ttl: number) =>
    store.save(record as never, ttl)

  test('save then take returns the record of each kind, nonce included', async () => {
    const store = await make()
    for (const record of [conformanceRecords.authorize(1), conformanceRecords.code(1)]) {
      const handle = await save(store, record, 60)
      assert.match(handle, /^[A-Za-z0-9_.-]{16,}$/)
      assert.equal(await store.take(handle, record.kind), record)
    }
  })

  test('a take of the wrong kind returns nothing and leaves the record usable', async () => {
    const store = await make()
    const code = await save(store, conformanceRecords.code(2), 60)
    const flow = await save(store, conformanceRecords.authorize(2), 60)
    assert.is(await store.take(code, 'authorize'), undefined, 'a code handle sent as state')
    assert.is(await store.take(flow, 'code'), undefined, 'a state handle sent as code')
    assert.equal(await store.take(code, 'code'), conformanceRecords.code(2))
    assert.equal(await store.take(flow, 'authorize'), conformanceRecords.authorize(2))
  })

  test('wrong-kind takes racing the right one never consume it', async () => {
    const store = await make()
    const handles = await Promise.all(
      Array.from({ length: 20 }, (_, n) => save(store, conformanceRecords.code(n), 60)),
    )
    const results = await Promise.all(
      handles.flatMap((h) => [store.take(h, 'authorize'), store.take(h, 'code')]),
    )
    for (let n = 0; n < 20; n++) {
      assert.is(results[2 * n], undefined)
      assert.equal(results[2 * n + 1], conformanceRecords.code(n), `handle ${n}`)
    }
  })

  if (options.oneTime !== false) {
    test('take is one-time, also under 50 concurrent double-takes', async () => {
      const store = await make()
      const handles = await Promise.all(
        Array.from({ length: 50 }, (_, n) => save(store, conformanceRecords.authorize(n), 60)),
      )
      const results = await Promise.all(
        handles.flatMap((h) => [store.take(h, 'authorize'), store.take(h, 'authorize')]),
      )
      for (let n = 0; n < 50; n++) {
        const winners = [results[2 * n], results[2 * n + 1]].filter((r) => r !== undefined)
        assert.is(winners.length, 1, `handle ${n}`)
        assert.equal(winners[0], conformanceRecords.authorize(n))
      }
      assert.is(await store.take(handles[0] as string, 'authorize'), undefined, 'used')
    })
  }

  test('an expired record is never returned, whatever the backend still holds', async () => {
    const store = await make()
    const old = await save(store, conformanceRecords.authorize(3), 60)
    const fresh = await save(store, conformanceRecords.code(3), 120)
    clock += 60_000
    assert.is(await store.take(old, 'authorize'), undefined)
    assert.equal(await store.take(fresh, 'code'), conformanceRecords.code(3), 'still valid')
  })

  test('unknown and malformed handles read as absent', async () => {
    const store = await make()
    for (const handle of ['A'.repeat(43), 'never-issued-handle-000000000000', 'eyJ.bad.x.y.z']) {
      assert.is(await store.take(handle, 'authorize'), undefined)
      assert.is(await store.take(handle, 'code'), undefined)
    }
  })

  test.run()
}
