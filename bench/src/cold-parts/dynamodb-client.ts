// Cold-start part: the AWS SDK's DynamoDB client alone, built at module scope.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'

export const handler = new DynamoDBClient({ region: 'us-east-1' })
