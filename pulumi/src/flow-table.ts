/**
 * The flow table's shape as the lambda-adapter's DynamoDB store uses it: the hash key holds a
 * hash of the handle, the expiry attribute is checked on every take (TTL only tidies up, late).
 * The names are the store's own (`DYNAMODB_ATTRIBUTES`), imported without the AWS SDK.
 */
import { DYNAMODB_ATTRIBUTES } from '@idp-proxy/lambda-adapter/iam'

export const FLOW_TABLE_ATTRIBUTES = {
  hashKey: DYNAMODB_ATTRIBUTES.key,
  expiresAt: DYNAMODB_ATTRIBUTES.ttl,
} as const
