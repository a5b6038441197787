/**
 * The flow table's shape as the lambda-adapter's DynamoDB store uses it: the hash key holds a
 * hash of the handle, the expiry attribute is checked on every take (TTL only tidies up, late).
 * One module, so it can be replaced by the lambda-adapter's own export in one place.
 */
export const FLOW_TABLE_ATTRIBUTES = { hashKey: 'pk', expiresAt: 'expiresAt' } as const
