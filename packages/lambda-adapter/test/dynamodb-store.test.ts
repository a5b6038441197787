import { PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb'
import { type AuthorizeFlow, storageKey } from '@idp-proxy/core'
import { runStoreConformance } from '@idp-proxy/testing'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { awsTargetFromEnv } from '../src/aws-json.js'
import { DYNAMODB_ATTRIBUTES, DynamoDbFlowStore } from '../src/dynamodb.js'
import { type Dynalite, startDynalite } from './helpers/dynalite.js'

const test = suite('DynamoDbFlowStore on dynalite')
let db: Dynalite

test.before(async () => {
  db = await startDynalite()
})
test.after(async () => {
  await db.stop()
})

const flow: AuthorizeFlow = {
  kind: 'authorize',
  state: 'cognito-state-value',
  redirectUri: 'https://auth.example.com/oauth2/idpresponse',
  verifier: 'v'.repeat(43),
}

async function newStore(now: () => number = () => Date.now()) {
  const tableName = await db.createTable()
  return { tableName, store: new DynamoDbFlowStore({ tableName, client: db.client, now }) }
}

test('an expired item still in the table (TTL lags) is refused and removed', async () => {
  let clock = 1_800_000_000_000
  const { store, tableName } = await newStore(() => clock)
  const handle = await store.save(flow, 60)
  clock += 61_000
  assert.is(await store.take(handle, 'authorize'), undefined)
  const left = await db.client.send(new ScanCommand({ TableName: tableName }))
  assert.is(left.Count, 0)
  // And one inside its lifetime is still served.
  const fresh = await store.save(flow, 60)
  clock += 59_000
  assert.equal(await store.take(fresh, 'authorize'), flow)
})

test('the table holds the hashed handle, the TTL attribute, and no handle in clear', async () => {
  const clock = 1_800_000_000_000
  const { store, tableName } = await newStore(() => clock)
  const handle = await store.save(flow, 600)
  const { Items = [] } = await db.client.send(new ScanCommand({ TableName: tableName }))
  assert.is(Items.length, 1)
  const item = Items[0]!
  const { key, record, ttl, kind } = DYNAMODB_ATTRIBUTES
  assert.is(item[key]?.S, await storageKey(handle))
  assert.is(item[ttl]?.N, String(clock / 1000 + 600))
  assert.equal(Object.keys(item).sort(), [key, record, ttl, kind].sort())
  assert.is(item[kind]?.S, 'authorize')
  assert.not.ok(JSON.stringify(Items).includes(handle))
})

test('a missing table is an error the proxy turns into 503', async () => {
  const store = new DynamoDbFlowStore({ tableName: 'no-such-table', client: db.client })
  try {
    await store.save(flow, 60)
    assert.unreachable('should have thrown')
  } catch (error) {
    assert.is((error as Error).name, 'ResourceNotFoundException')
  }
})

test('a table name is required, and the error names the option, not a variable', () => {
  assert.throws(
    () => new DynamoDbFlowStore({ tableName: '' }),
    (error: { code?: string; option?: string }) =>
      error.code === 'ERR_INVALID_OPTION' && error.option === 'tableName',
  )
})

test('an item written before the kind attribute existed is still taken', async () => {
  const { store, tableName } = await newStore()
  const handle = 'a-handle-from-the-previous-version-0000000'
  await db.client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: {
        pk: { S: await storageKey(handle) },
        record: { S: JSON.stringify(flow) },
        expiresAt: { N: String(Math.floor(Date.now() / 1000) + 60) },
      },
    }),
  )
  assert.equal(await store.take(handle, 'authorize'), flow)
})

test.run()

let contractDb: Promise<Dynalite> | undefined
runStoreConformance('DynamoDbFlowStore on dynalite', {
  async make(now) {
    contractDb ??= startDynalite()
    const started = await contractDb
    const tableName = await started.createTable()
    return new DynamoDbFlowStore({ tableName, client: started.client, now })
  },
  async after() {
    await (await contractDb?.catch(() => undefined))?.stop()
  },
})

// The same contract through the lean client (aws-json.ts), as the Lambda functions run it.
let leanDb: Promise<Dynalite> | undefined
runStoreConformance('DynamoDbFlowStore on dynalite, lean client', {
  async make(now) {
    leanDb ??= startDynalite()
    const started = await leanDb
    const tableName = await started.createTable()
    const target = awsTargetFromEnv(
      {
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'test-secret-access-key',
        AWS_SESSION_TOKEN: 'test-session-token',
        AWS_ENDPOINT_URL_DYNAMODB: started.endpoint,
      },
      'dynamodb',
    )
    if (!target) throw new Error('no lean target')
    return new DynamoDbFlowStore({ tableName, target, now })
  },
  async after() {
    await (await leanDb?.catch(() => undefined))?.stop()
  },
})
