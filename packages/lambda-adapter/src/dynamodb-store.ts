/**
 * A FlowStore on one DynamoDB table.
 *
 * Item: `pk` (S, the table's partition key) = storageKey(handle), a SHA-256 of the handle, so the
 * table holds no handle that could be replayed; `record` (S) = the encoded flow; `expiresAt`
 * (N, epoch seconds) = the attribute to enable DynamoDB TTL on. TTL deletes up to days late, so
 * expiry is also checked on every read; `kind` (S) = the record's kind. `take` is a DeleteItem
 * returning ALL_OLD with a condition on `kind`: DynamoDB serialises writes to one item, so of
 * concurrent takes exactly one gets the attributes, and a take of the wrong kind (a code handle
 * presented as `state` at /callback) fails its condition and leaves the item as it was.
 *
 * The calls go through the lean client (aws-json.ts) when given a `target` and no `client`, else
 * through the SDK client, whose module is imported on first use: a function on the lean path
 * never evaluates it.
 */
import { randomBytes } from 'node:crypto'
import type {
  DeleteItemCommandInput,
  DynamoDBClient,
  DynamoDBClientConfig,
  PutItemCommandInput,
} from '@aws-sdk/client-dynamodb'
import {
  decodeRecord,
  encodeRecord,
  type FlowKind,
  type FlowRecord,
  type FlowStore,
  invalidOption,
  storageKey,
} from '@idp-proxy/core'
import { type AwsTarget, awsJsonClient } from './aws-json.js'
import { DYNAMODB_ATTRIBUTES, DYNAMODB_STORE_ACTIONS } from './dynamodb-schema.js'
import { type ClientInput, lazyAsyncClient } from './lazy.js'

export interface DynamoDbFlowStoreOptions {
  tableName: string
  client?: ClientInput<DynamoDBClient>
  /** Used only when neither `client` nor `target` is given. */
  clientConfig?: DynamoDBClientConfig
  /**
   * Call DynamoDB with the lean client (aws-json.ts: SigV4-signed, no SDK) at this region,
   * endpoint and credentials; `awsTargetFromEnv(process.env, 'dynamodb')` on Lambda. Used only
   * when `client` is not given.
   */
  target?: AwsTarget
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

export { DYNAMODB_ATTRIBUTES, DYNAMODB_STORE_ACTIONS }

export class DynamoDbFlowStore implements FlowStore {
  readonly tableName: string
  readonly #call: Call
  readonly #now: () => number

  constructor(options: DynamoDbFlowStoreOptions) {
    if (!options.tableName) throw invalidOption('tableName', 'is required')
    this.tableName = options.tableName
    this.#call =
      options.target && !options.client
        ? (awsJsonClient('dynamodb', options.target) as Call)
        : sdkCall(options)
    this.#now = options.now ?? (() => Date.now())
  }

  async save(record: FlowRecord, ttlSeconds: number): Promise<string> {
    const handle = randomBytes(32).toString('base64url')
    const expiresAt = Math.floor(this.#now() / 1000) + ttlSeconds
    await this.#call('PutItem', {
      TableName: this.tableName,
      Item: {
        pk: { S: await storageKey(handle) },
        record: { S: encodeRecord(record) },
        expiresAt: { N: String(expiresAt) },
        kind: { S: record.kind },
      },
      // 256 random bits never collide; the condition makes sure a write never replaces a flow.
      ConditionExpression: 'attribute_not_exists(pk)',
    })
    return handle
  }

  async take(handle: string, kind: FlowKind): Promise<FlowRecord | undefined> {
    let output: { Attributes?: Record<string, { S?: string; N?: string }> }
    try {
      output = await this.#call('DeleteItem', {
        TableName: this.tableName,
        Key: { pk: { S: await storageKey(handle) } },
        // Items written before `kind` existed (a deploy mid-flow) are taken as before; core
        // still checks the kind inside the record.
        ConditionExpression: 'attribute_not_exists(#kind) OR #kind = :kind',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':kind': { S: kind } },
        ReturnValues: 'ALL_OLD',
      })
    } catch (error) {
      // Another kind of record: not ours to take, and left untouched (SDK and lean errors alike).
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return undefined
      throw error
    }
    const item = output.Attributes
    if (!item?.record?.S || !item.expiresAt?.N) return undefined
    // An expired item that TTL has not removed yet is deleted now and refused.
    if (Number(item.expiresAt.N) <= Math.floor(this.#now() / 1000)) return undefined
    return decodeRecord(item.record.S)
  }
}

type Call = {
  (operation: 'PutItem', input: PutItemCommandInput): Promise<unknown>
  (
    operation: 'DeleteItem',
    input: DeleteItemCommandInput,
  ): Promise<{ Attributes?: Record<string, { S?: string; N?: string }> }>
}

/** The calls through an SDK client: the given one, or one made on first use. */
function sdkCall(options: DynamoDbFlowStoreOptions): Call {
  const client = lazyAsyncClient(
    options.client,
    async () => new (await import('./dynamodb-sdk.js')).DynamoDBClient(options.clientConfig ?? {}),
  )
  return (async (operation: 'PutItem' | 'DeleteItem', input: never) => {
    const [sdk, ready] = await Promise.all([import('./dynamodb-sdk.js'), client()])
    return operation === 'PutItem'
      ? ready.send(new sdk.PutItemCommand(input))
      : ready.send(new sdk.DeleteItemCommand(input))
  }) as Call
}
