/**
 * The lean AWS client (aws-json.ts): when the environment lets it stand in for the SDK, and how
 * it calls: signed, with the session token, retrying what the SDK retries, bounded in time.
 * Secrets Manager answers through msw at its HTTPS endpoint; retries and timeouts against a
 * loopback server.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { useMsw } from '@idp-proxy/testing'
import { HttpResponse, http } from 'msw'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { type AwsCallError, awsJsonClient, awsTargetFromEnv } from '../src/aws-json.js'
import { secretStringSource } from '../src/secrets-manager.js'
import { SECRETS_URL } from './helpers/aws.js'

const test = suite('the lean AWS client')
const server = useMsw(test)

const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'test-secret-access-key',
  AWS_SESSION_TOKEN: 'session-token-1',
}

test('stands in for the SDK only where the environment gives it all, as Lambda does', () => {
  const target = awsTargetFromEnv(LAMBDA_ENV, 'dynamodb')
  assert.is(target?.endpoint.href, 'https://dynamodb.us-east-1.amazonaws.com/')
  assert.equal(target?.credentials(), {
    accessKeyId: 'ASIAEXAMPLE',
    secretAccessKey: 'test-secret-access-key',
    sessionToken: 'session-token-1',
  })
  assert.is(
    awsTargetFromEnv(LAMBDA_ENV, 'secretsmanager')?.endpoint.host,
    'secretsmanager.us-east-1.amazonaws.com',
  )
  // The service's own endpoint setting wins over the general one, as in the SDK.
  const local = {
    AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:2',
  }
  assert.is(awsTargetFromEnv({ ...LAMBDA_ENV, ...local }, 'dynamodb')?.endpoint.port, '2')
  assert.is(awsTargetFromEnv({ ...LAMBDA_ENV, ...local }, 'secretsmanager')?.endpoint.port, '1')
  const { AWS_ACCESS_KEY_ID: _id, ...noCredentials } = LAMBDA_ENV
  for (const env of [
    noCredentials, // a profile, SSO, a container or instance role: the SDK's chain
    { ...LAMBDA_ENV, AWS_REGION: '' },
    { ...LAMBDA_ENV, AWS_REGION: 'cn-north-1' },
    { ...LAMBDA_ENV, AWS_REGION: 'us-gov-west-1' },
    { ...LAMBDA_ENV, AWS_USE_FIPS_ENDPOINT: 'true' },
    { ...LAMBDA_ENV, AWS_USE_DUALSTACK_ENDPOINT: 'true' },
  ]) {
    assert.is(awsTargetFromEnv(env, 'dynamodb'), undefined, JSON.stringify(env))
  }
})

test('reads a secret with a signed request that carries the session token', async () => {
  const seen: Headers[] = []
  server.use(
    http.post(SECRETS_URL, async ({ request }) => {
      seen.push(request.headers)
      const { SecretId } = (await request.json()) as { SecretId: string }
      return HttpResponse.json({
        ARN: SecretId,
        SecretBinary: Buffer.from('cognito-shared-secret-0123456789').toString('base64'),
        VersionId: 'v1',
      })
    }),
  )
  const target = awsTargetFromEnv(LAMBDA_ENV, 'secretsmanager')
  const read = secretStringSource({ secretId: 'cognito', ...(target ? { target } : {}) })
  assert.is(await read(), 'cognito-shared-secret-0123456789')
  const headers = seen[0]
  assert.is(headers?.get('x-amz-target'), 'secretsmanager.GetSecretValue')
  assert.is(headers?.get('content-type'), 'application/x-amz-json-1.1')
  assert.is(headers?.get('x-amz-security-token'), 'session-token-1')
  assert.match(
    String(headers?.get('authorization')),
    /^AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE\/\d{8}\/us-east-1\/secretsmanager\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
  )
})

async function loopback(answer: (n: number, res: import('node:http').ServerResponse) => void) {
  let requests = 0
  const stub: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => answer(++requests, res))
  })
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve))
  const target = awsTargetFromEnv(
    { ...LAMBDA_ENV, AWS_ENDPOINT_URL: `http://127.0.0.1:${(stub.address() as AddressInfo).port}` },
    'dynamodb',
  )
  if (!target) throw new Error('no target')
  return {
    target,
    requests: () => requests,
    close: () => {
      stub.closeAllConnections()
      stub.close()
    },
  }
}

// Waits long enough for a loaded machine; only the test of a silent service shortens them.
const SETTINGS = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 5000, requestTimeout: 5000 },
}
const SILENT = { maxAttempts: 2, requestHandler: { connectionTimeout: 5000, requestTimeout: 150 } }

test('retries a 5xx and a throttling answer, as the SDK does, then returns the answer', async () => {
  const stub = await loopback((n, res) => {
    if (n === 1) res.writeHead(500).end('{"__type":"InternalServerError"}')
    else if (n === 2)
      res
        .writeHead(400)
        .end('{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow"}')
    else res.writeHead(200).end('{"Attributes":{"pk":{"S":"x"}}}')
  })
  try {
    const call = awsJsonClient('dynamodb', stub.target, SETTINGS)
    assert.equal(await call('DeleteItem', {}), { Attributes: { pk: { S: 'x' } } })
    assert.is(stub.requests(), 3)
  } finally {
    stub.close()
  }
})

test('a refusal is one call and an error named as the service names it', async () => {
  const stub = await loopback((_, res) =>
    res
      .writeHead(400)
      .end(
        '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}',
      ),
  )
  try {
    const call = awsJsonClient('dynamodb', stub.target, SETTINGS)
    const error = (await call('PutItem', {}).catch((e: unknown) => e)) as AwsCallError
    assert.is(error.name, 'ConditionalCheckFailedException')
    assert.is(error.status, 400)
    assert.is(error.message, 'The conditional request failed')
    assert.is(stub.requests(), 1)
  } finally {
    stub.close()
  }
})

test('a service that never answers is a TimeoutError after every attempt', async () => {
  const stub = await loopback(() => {})
  try {
    const call = awsJsonClient('dynamodb', stub.target, SILENT)
    const error = (await call('PutItem', {}).catch((e: unknown) => e)) as AwsCallError
    assert.is(error.name, 'TimeoutError')
    assert.is(stub.requests(), 2)
  } finally {
    stub.close()
  }
})

test.run()
