import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createMemoryStore,
  createSealedStore,
  type FlowRecord,
  type FlowStore,
  generateSealingKey,
} from '../src/index.js'
import { COGNITO_REDIRECT, COGNITO_STATE } from './support/fixtures.js'

const record: FlowRecord = {
  kind: 'authorize',
  state: COGNITO_STATE,
  redirectUri: COGNITO_REDIRECT,
  verifier: 'v'.repeat(43),
}
const code: FlowRecord = {
  kind: 'code',
  code: 'idp-code',
  redirectUri: COGNITO_REDIRECT,
  verifier: 'v'.repeat(43),
}

function clock(start = 1_700_000_000_000) {
  let now = start
  return {
    now: () => now,
    advance: (seconds: number) => {
      now += seconds * 1000
    },
  }
}

const stores: [string, (now: () => number) => FlowStore][] = [
  ['memory', (now) => createMemoryStore({ now })],
  ['sealed', (now) => createSealedStore({ keys: [generateSealingKey()], now })],
]

for (const [name, make] of stores) {
  test(`${name}: save then take returns the record`, async () => {
    const store = make(clock().now)
    for (const r of [record, code]) {
      const handle = await store.save(r, 60)
      assert.match(handle, /^[A-Za-z0-9_.-]+$/)
      assert.equal(await store.take(handle), r)
    }
  })

  test(`${name}: expired records are never returned`, async () => {
    const time = clock()
    const store = make(time.now)
    const handle = await store.save(record, 60)
    time.advance(60)
    assert.is(await store.take(handle), undefined)
  })

  test(`${name}: unknown and malformed handles read as absent`, async () => {
    const store = make(clock().now)
    for (const handle of [
      'A'.repeat(43),
      'x',
      '',
      'eyJ.bad.handle.value.here',
      '../../etc/passwd',
    ]) {
      assert.is(await store.take(handle), undefined)
    }
  })
}

test('memory: take is one-time, also under concurrent double-takes', async () => {
  const store = createMemoryStore()
  const handles = await Promise.all(Array.from({ length: 100 }, () => store.save(record, 60)))
  const results = await Promise.all(handles.flatMap((h) => [store.take(h), store.take(h)]))
  for (let i = 0; i < results.length; i += 2) {
    assert.is([results[i], results[i + 1]].filter(Boolean).length, 1, `handle ${i / 2}`)
  }
})

test('memory: bounded; the oldest record goes first when full', async () => {
  const store = createMemoryStore({ maxEntries: 3 })
  const handles = []
  for (let i = 0; i < 4; i++) handles.push(await store.save({ ...record, state: `s${i}` }, 60))
  assert.is(await store.take(handles[0] as string), undefined)
  assert.is(((await store.take(handles[3] as string)) as { state: string }).state, 's3')
  assert.throws(() => createMemoryStore({ maxEntries: 0 }), /maxEntries/)
})

test('sealed: tampered handles and handles sealed with an unknown key are refused', async () => {
  const store = createSealedStore({ keys: [generateSealingKey()] })
  const handle = await store.save(record, 60)
  const parts = handle.split('.')
  const flipped = (parts[3] as string).startsWith('A')
    ? `B${(parts[3] as string).slice(1)}`
    : `A${(parts[3] as string).slice(1)}`
  parts[3] = flipped
  assert.is(await store.take(parts.join('.')), undefined)
  const other = createSealedStore({ keys: [generateSealingKey()] })
  assert.is(await other.take(handle), undefined)
})

test('sealed: a new key first keeps old handles readable during rotation', async () => {
  const oldKey = generateSealingKey()
  const before = createSealedStore({ keys: [oldKey] })
  const handle = await before.save(record, 60)
  const after = createSealedStore({ keys: [generateSealingKey(), oldKey] })
  assert.equal(await after.take(handle), record)
})

test('sealed: handle length is as documented (compact, carries the record)', async () => {
  const store = createSealedStore({ keys: [generateSealingKey()] })
  const handle = await store.save(record, 60)
  const documented =
    Math.ceil((4 / 3) * (COGNITO_STATE.length + COGNITO_REDIRECT.length + 110)) + 80
  assert.ok(handle.length <= documented, `${handle.length} <= ${documented}`)
  const short = await store.save({ ...record, state: 'abc' }, 60)
  assert.ok(short.length < 300, `short state gives a short handle: ${short.length}`)
})

test('sealed: bad keys are refused at creation', () => {
  assert.throws(() => createSealedStore({ keys: [] }), /at least one key/)
  assert.throws(() => createSealedStore({ keys: ['c2hvcnQ'] }), /32 bytes/)
})

test.run()
