/**
 * The parts of idp-proxy built by other packages, loaded dynamically so that every section runs
 * on what exists and reports "skipped: <why>" for what does not (yet).
 */
import { existsSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FlowStore, Proxy as IdpProxy } from '@idp-proxy/core'
import type { RequestHandler } from 'express'

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const LAMBDA_DIST = join(REPO_ROOT, 'packages', 'lambda-adapter', 'dist')
export const LAMBDA_FUNCTIONS = ['authorize', 'callback', 'token'] as const
export type LambdaFunction = (typeof LAMBDA_FUNCTIONS)[number]

export interface ClosableStore {
  store: FlowStore
  close(): Promise<void>
}

type Loaded<T> = T | { skipped: string }

export function isSkipped<T>(value: Loaded<T>): value is { skipped: string } {
  return typeof value === 'object' && value !== null && 'skipped' in value
}

async function importModule(specifier: string): Promise<Loaded<Record<string, unknown>>> {
  try {
    return (await import(specifier)) as Record<string, unknown>
  } catch (error) {
    return { skipped: `${specifier} cannot be imported yet (${firstLine(error)})` }
  }
}

function firstLine(error: unknown): string {
  return (
    String((error as Error)?.message ?? error)
      .split('\n')[0]
      ?.slice(0, 90) ?? ''
  )
}

/** `proxyRouter(proxy)` from the Express adapter. */
export async function loadProxyRouter(): Promise<Loaded<(proxy: IdpProxy) => RequestHandler>> {
  const module = await importModule('@idp-proxy/express-adapter')
  if (isSkipped(module)) return module
  if (typeof module.proxyRouter !== 'function') {
    return { skipped: '@idp-proxy/express-adapter has no proxyRouter export yet' }
  }
  return module.proxyRouter as (proxy: IdpProxy) => RequestHandler
}

/** The Express adapter's RedisFlowStore on `url`. */
export async function loadRedisStore(url: string): Promise<Loaded<ClosableStore>> {
  const module = await importModule('@idp-proxy/express-adapter')
  if (isSkipped(module)) return module
  const RedisFlowStore = module.RedisFlowStore as
    | (new (options: {
        url: string
        keyPrefix?: string
      }) => FlowStore & { close?(): Promise<void>; connect?(): Promise<unknown> })
    | undefined
  if (typeof RedisFlowStore !== 'function')
    return { skipped: 'express-adapter has no RedisFlowStore export yet' }
  const store = new RedisFlowStore({ url, keyPrefix: 'bench:' })
  await store.connect?.()
  return { store, close: async () => store.close?.() }
}

/** The Lambda adapter's DynamoDbFlowStore against a DynamoDB endpoint (dynalite here). */
export async function loadDynamoStore(endpoint: string): Promise<Loaded<ClosableStore>> {
  const module = await importModule('@idp-proxy/lambda-adapter/dynamodb')
  if (isSkipped(module)) return module
  const DynamoDbFlowStore = module.DynamoDbFlowStore as
    | (new (
        options: Record<string, unknown>,
      ) => FlowStore)
    | undefined
  if (typeof DynamoDbFlowStore !== 'function')
    return { skipped: 'lambda-adapter has no DynamoDbFlowStore export yet' }
  // The store's own key attribute name, not a copy of it.
  const { key } = module.DYNAMODB_ATTRIBUTES as { key: string }
  const { CreateTableCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb')
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  })
  const tableName = 'bench-flows'
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  )
  const store = new DynamoDbFlowStore({ client, tableName })
  return { store, close: async () => client.destroy() }
}

/** Each Lambda bundle's path and size, or why it is missing. */
export function lambdaBundle(
  name: LambdaFunction | 'all',
): Loaded<{ path: string; bytes: number }> {
  const path = join(LAMBDA_DIST, name, 'index.mjs')
  if (!existsSync(path)) {
    return { skipped: `${name} bundle not built (pnpm --filter @idp-proxy/lambda-adapter build)` }
  }
  return { path, bytes: statSync(path).size }
}
