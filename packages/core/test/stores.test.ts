import { runStoreConformance } from '@idp-proxy/testing'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  createMemoryStore,
  createSealedStore,
  decodeRecord,
  encodeRecord,
  type FlowRecord,
  generateDpopKey,
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

runStoreConformance('memory', { make: (now) => createMemoryStore({ now }) })
runStoreConformance('sealed', {
  make: (now) => createSealedStore({ keys: [generateSealingKey()], now }),
  oneTime: false,
})

test('memory: bounded; the oldest record goes first when full', async () => {
  const store = createMemoryStore({ maxEntries: 3 })
  const handles = []
  for (let i = 0; i < 4; i++) handles.push(await store.save({ ...record, state: `s${i}` }, 60))
  assert.is(await store.take(handles[0] as string, 'authorize'), undefined)
  assert.is(
    ((await store.take(handles[3] as string, 'authorize')) as { state: string }).state,
    's3',
  )
  assert.throws(() => createMemoryStore({ maxEntries: 0 }), /maxEntries/)
  assert.throws(() => createMemoryStore({ maxCodes: 1.5 }), /maxCodes/)
})

test('memory: a flood of new sign-ins never evicts a code already issued', async () => {
  const store = createMemoryStore({ maxEntries: 100, maxCodes: 100 })
  const issued = await Promise.all(
    Array.from({ length: 10 }, (_, n) => store.save({ ...code, code: `c${n}` }, 120)),
  )
  const inProgress = await store.save(record, 600)
  for (let i = 0; i < 1_000; i++) await store.save({ ...record, state: `flood-${i}` }, 600)
  assert.is(await store.take(inProgress, 'authorize'), undefined, 'the flood evicts old flows')
  for (const [n, handle] of issued.entries()) {
    assert.equal(await store.take(handle, 'code'), { ...code, code: `c${n}` }, `code ${n}`)
  }
})

test('sealed: tampered handles and handles sealed with an unknown key are refused', async () => {
  const store = createSealedStore({ keys: [generateSealingKey()] })
  const handle = await store.save(record, 60)
  const parts = handle.split('.')
  const flipped = (parts[3] as string).startsWith('A')
    ? `B${(parts[3] as string).slice(1)}`
    : `A${(parts[3] as string).slice(1)}`
  parts[3] = flipped
  assert.is(await store.take(parts.join('.'), 'authorize'), undefined)
  const other = createSealedStore({ keys: [generateSealingKey()] })
  assert.is(await other.take(handle, 'authorize'), undefined)
})

test('sealed: a new key first keeps old handles readable during rotation', async () => {
  const oldKey = generateSealingKey()
  const before = createSealedStore({ keys: [oldKey] })
  const handle = await before.save(record, 60)
  const after = createSealedStore({ keys: [generateSealingKey(), oldKey] })
  assert.equal(await after.take(handle, 'authorize'), record)
})

test('sealed: handle length is as documented (compact, carries the record)', async () => {
  const store = createSealedStore({ keys: [generateSealingKey()] })
  const handle = await store.save(record, 60)
  const documented =
    Math.ceil((4 / 3) * (COGNITO_STATE.length + COGNITO_REDIRECT.length + 160)) + 80
  assert.ok(handle.length <= documented, `${handle.length} <= ${documented}`)
  const short = await store.save({ ...record, state: 'abc' }, 60)
  assert.ok(short.length < 300, `short state gives a short handle: ${short.length}`)
})

test('sealed: bad keys are refused at creation', () => {
  assert.throws(() => createSealedStore({ keys: [] }), /at least one key/)
  assert.throws(() => createSealedStore({ keys: ['c2hvcnQ'] }), /32 bytes/)
})

test('FAPI records: the DPoP key rides in H and K, record A round-trips, in every core store', async () => {
  const dpopKey = await generateDpopKey()
  const records: FlowRecord[] = [
    { ...record, nonce: 'n'.repeat(43), dpopKey },
    { ...code, dpopKey },
    {
      kind: 'access',
      accessToken: 'idp-access-token',
      tokenType: 'dpop',
      dpopKey,
      sub: 'user-1',
      claims: { email: 'ada@example.com', email_verified: true },
    },
    { kind: 'access', accessToken: 't', tokenType: 'bearer', sub: 'u', claims: {} },
  ]
  for (const store of [createMemoryStore(), createSealedStore({ keys: [generateSealingKey()] })]) {
    for (const saved of records) {
      const handle = await store.save(saved, 60)
      // A handle of one kind is refused at another kind's route and stays usable.
      const other = saved.kind === 'access' ? 'code' : 'access'
      assert.is(await store.take(handle, other), undefined)
      assert.equal(await store.take(handle, saved.kind), saved)
    }
  }
  // The shared decoder refuses a malformed DPoP key or access record (server-side stores).
  assert.is(decodeRecord(encodeRecord({ ...code, dpopKey: { ...dpopKey, d: 'short' } })), undefined)
  assert.is(decodeRecord(JSON.stringify({ kind: 'access', accessToken: 't', sub: 'u' })), undefined)
})

test.run()
