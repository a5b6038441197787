// Cold-start part: the AWS SDK's Secrets Manager client alone, built at module scope.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'

export const handler = new SecretsManagerClient({ region: 'us-east-1' })
