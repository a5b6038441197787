// The SDK warns once per process that 2027 releases need Node 22; tests run on Node 20 on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

/** Dummy credentials and region for SDK clients in tests (msw or dynalite answer, never AWS). */
export const AWS_TEST_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret-access-key' },
  maxAttempts: 1,
} as const

export const SECRETS_URL = 'https://secretsmanager.us-east-1.amazonaws.com/'
export const KMS_URL = 'https://kms.us-east-1.amazonaws.com/'

/** An AWS JSON 1.1 error response, as the services send it. */
export function awsError(type: string, message: string, status = 400): Response {
  return new Response(JSON.stringify({ __type: type, message }), {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
  })
}

export function awsJson(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    headers: { 'content-type': 'application/x-amz-json-1.1' },
  })
}
