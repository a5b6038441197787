/**
 * The DynamoDB SDK, imported on first use by the flow store when it calls through an SDK
 * client (dynamodb-store.ts): on the lean path it is never evaluated. Named re-exports, so the
 * bundles keep only what is used.
 */
export { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb'
