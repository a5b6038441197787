/** `@idp-proxy/lambda-adapter/dynamodb`: the DynamoDB flow store alone (for the standalone server). */
export {
  DYNAMODB_ATTRIBUTES,
  DYNAMODB_STORE_ACTIONS,
  DynamoDbFlowStore,
  type DynamoDbFlowStoreOptions,
} from './dynamodb-store.js'
