/**
 * A FlowStore on one DynamoDB table.
 *
 * Item: `pk` (S, the table's partition key) = storageKey(handle), a SHA-256 of the handle, so the
 * table holds no handle that could be replayed; `record` (S) = the encoded flow; `expiresAt`
 * (N, epoch seconds) = the attribute to enable DynamoDB TTL on. TTL deletes up to days late, so
 * expiry is also checked on every read. `take` is a DeleteItem returning ALL_OLD: DynamoDB
 * serialises writes to one item, so of concurrent takes exactly one gets the attributes.
 */
import { randomBytes } from 'node:crypto'
import {
  DeleteItemCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb'
import {
  decodeRecord,
  encodeRecord,
  type FlowRecord,
  type FlowStore,
  invalidOption,
  storageKey,
} from '@idp-proxy/core'
import { type ClientInput, lazyClient } from './lazy.js'

export interface DynamoDbFlowStoreOptions {
  tableName: string
  client?: ClientInput<DynamoDBClient>
  /** Used only when `client` is not given. */
  clientConfig?: DynamoDBClientConfig
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number
}

/** Attribute names, for the table definition (Pulumi, CloudFormation) and tests. */
export const DYNAMODB_ATTRIBUTES = { key: 'pk', record: 'record', ttl: 'expiresAt' } as const

/**
 * The IAM actions the store calls on its table: `save` is a PutItem, `take` a DeleteItem with
 * ReturnValues ALL_OLD; no GetItem, Query or Scan. Function policies are built from these.
 */
export const DYNAMODB_STORE_ACTIONS = {
  save: ['dynamodb:PutItem'],
  take: ['dynamodb:DeleteItem'],
} as const

export class DynamoDbFlowStore implements FlowStore {
  readonly tableName: string
  readonly #client: () => DynamoDBClient
  readonly #now: () => number

  constructor(options: DynamoDbFlowStoreOptions) {
    if (!options.tableName) throw invalidOption('tableName', 'is required')
    this.tableName = options.tableName
    this.#client = lazyClient(options.client, () => new DynamoDBClient(options.clientConfig ?? {}))
    this.#now = options.now ?? (() => Date.now())
  }

  async save(record: FlowRecord, ttlSeconds: number): Promise<string> {
    const handle = randomBytes(32).toString('base64url')
    const expiresAt = Math.floor(this.#now() / 1000) + ttlSeconds
    await this.#client().send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: await storageKey(handle) },
          record: { S: encodeRecord(record) },
          expiresAt: { N: String(expiresAt) },
        },
        // 256 random bits never collide; the condition makes sure a write never replaces a flow.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    )
    return handle
  }

  async take(handle: string): Promise<FlowRecord | undefined> {
    const output = await this.#client().send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: await storageKey(handle) } },
        ReturnValues: 'ALL_OLD',
      }),
    )
    const item = output.Attributes
    if (!item?.record?.S || !item.expiresAt?.N) return undefined
    // An expired item that TTL has not removed yet is deleted now and refused.
    if (Number(item.expiresAt.N) <= Math.floor(this.#now() / 1000)) return undefined
    return decodeRecord(item.record.S)
  }
}
