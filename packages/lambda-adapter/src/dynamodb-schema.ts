/**
 * The DynamoDB flow table as the store uses it: attribute names and the IAM actions it calls.
 * No AWS SDK here, so a deployment (the Pulumi component, `@idp-proxy/lambda-adapter/iam`)
 * imports the table's shape without loading the SDK.
 */

/** Attribute names, for the table definition (Pulumi, CloudFormation) and tests. */
export const DYNAMODB_ATTRIBUTES = {
  key: 'pk',
  record: 'record',
  ttl: 'expiresAt',
  kind: 'kind',
} as const

/**
 * The IAM actions the store calls on its table: `save` is a PutItem, `take` a DeleteItem with
 * ReturnValues ALL_OLD; no GetItem, Query or Scan. Function policies are built from these.
 */
export const DYNAMODB_STORE_ACTIONS = {
  save: ['dynamodb:PutItem'],
  take: ['dynamodb:DeleteItem'],
} as const
