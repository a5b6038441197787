// Cold-start prototype of a proposed fix (not shipped): the authorize function with the AWS SDK
// loaded on first use (`await import()`, bundled with esbuild `splitting: true`), so init is the
// proxy alone and the first request pays for the SDK.
import { createProxy, type FlowStore, type KeySource, optionsFromEnv } from '@idp-proxy/core'
// The handler module itself, not the package index: the index re-exports modules that import the
// SDK statically, and the SDK's modules are not side-effect free, so they would stay in.
import { createHandler } from '../../../packages/lambda-adapter/src/handler.js'

// The authorize function never signs nor checks Cognito's secret.
const noKeys: KeySource = {
  signer: () => Promise.reject(new Error('authorize does not sign')),
  publicJwks: () => Promise.reject(new Error('authorize has no keys')),
}

let flows: Promise<FlowStore> | undefined
const table = (): Promise<FlowStore> => {
  flows ??= import('@idp-proxy/lambda-adapter/dynamodb').then(
    ({ DynamoDbFlowStore }) =>
      new DynamoDbFlowStore({ tableName: process.env.FLOW_TABLE_NAME ?? '' }),
  )
  return flows
}
const store: FlowStore = {
  save: async (record, ttlSeconds) => (await table()).save(record, ttlSeconds),
  take: async (handle, kind) => (await table()).take(handle, kind),
}

export const handler = createHandler(() =>
  createProxy({
    ...optionsFromEnv(process.env),
    store,
    keys: noKeys,
    clientSecret: () => Promise.reject(new Error('authorize checks no secret')),
  }),
)
