/** dynalite (a real DynamoDB API server) in this process, on a free port, with the flow table. */
import type { AddressInfo } from 'node:net'
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import dynalite from 'dynalite'
import { DYNAMODB_ATTRIBUTES } from '../../src/dynamodb-store.js'
import { AWS_TEST_CONFIG } from './aws.js'

export interface Dynalite {
  client: DynamoDBClient
  endpoint: string
  /** Creates a fresh table with the store's schema and returns its name. */
  createTable(): Promise<string>
  stop(): Promise<void>
}

let tables = 0

export async function startDynalite(): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const endpoint = `http://127.0.0.1:${port}`
  const client = new DynamoDBClient({ ...AWS_TEST_CONFIG, endpoint })
  return {
    client,
    endpoint,
    async createTable() {
      const name = `flows-${++tables}`
      await client.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: DYNAMODB_ATTRIBUTES.key, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: DYNAMODB_ATTRIBUTES.key, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      )
      // dynalite answers CreateTable while the table is still CREATING (ACTIVE a timer later),
      // and a request in between is ResourceNotFound: wait for ACTIVE (the lean client is quick
      // enough to get there first).
      for (let attempt = 0; attempt < 100; attempt++) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: name }))
        if (Table?.TableStatus === 'ACTIVE') return name
        await new Promise((resolve) => setImmediate(resolve))
      }
      throw new Error(`dynalite: table ${name} never became ACTIVE`)
    },
    async stop() {
      client.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
