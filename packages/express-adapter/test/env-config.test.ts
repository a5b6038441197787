import { generateSealingKey, isProxyError } from '@idp-proxy/core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { configFromEnv, RedisFlowStore } from '../src/index.js'
import { testKeys } from './helpers/keys.js'

const env = async (extra: Record<string, string | undefined> = {}) => ({
  PROXY_BASE_URL: 'https://proxy.example.test',
  IDP_ISSUER: 'https://idp.example.test',
  IDP_CLIENT_ID: 'client',
  COGNITO_REDIRECT_URIS: 'https://auth.example.test/oauth2/idpresponse',
  COGNITO_CLIENT_SECRET: 'a-secret-of-thirty-two-characters',
  PRIVATE_KEY: JSON.stringify((await testKeys()).privateJwk),
  LOG_LEVEL: 'error',
  ...extra,
})

async function refusal(
  extra: Record<string, string | undefined>,
): Promise<{ option?: string; message: string }> {
  try {
    await configFromEnv(await env(extra))
  } catch (error) {
    assert.ok(isProxyError(error), String(error))
    return error as { option?: string; message: string }
  }
  throw new Error('configuration was accepted')
}

const test = suite('configFromEnv (standalone server)')

test('STORE picks the store: memory by default, redis:// builds a RedisFlowStore with the prefix', async () => {
  const memory = await configFromEnv(await env())
  assert.type(memory.options.store?.take, 'function')
  const redis = await configFromEnv(
    await env({ STORE: 'redis://127.0.0.1:1', REDIS_KEY_PREFIX: 'p:' }),
  )
  assert.instance(redis.options.store, RedisFlowStore)
  assert.is((redis.options.store as RedisFlowStore).keyPrefix, 'p:')
  await redis.closeStore()
})

test('STORE=sealed is built by core from SEALING_KEYS', async () => {
  const config = await configFromEnv(
    await env({ STORE: 'sealed', SEALING_KEYS: generateSealingKey() }),
  )
  const handle = await config.options.store?.save(
    { kind: 'code', code: 'c', verifier: 'v', redirectUri: 'https://auth.example.test/cb' },
    60,
  )
  assert.type(handle, 'string')
  assert.is((await refusal({ STORE: 'sealed' })).option, 'SEALING_KEYS')
})

test("STORE=dynamodb loads the Lambda adapter's DynamoDbFlowStore on the table", async () => {
  const config = await configFromEnv(await env({ STORE: 'dynamodb', FLOW_TABLE_NAME: 'flows' }))
  const store = config.options.store as { constructor: { name: string }; tableName?: string }
  assert.is(store.tableName, 'flows')
})

test('every refusal names its variable', async () => {
  assert.is((await refusal({ COGNITO_CLIENT_SECRET: undefined })).option, 'COGNITO_CLIENT_SECRET')
  assert.is((await refusal({ PRIVATE_KEY: undefined })).option, 'PRIVATE_KEY')
  assert.is(
    (await refusal({ PRIVATE_KEY: undefined, PRIVATE_KEY_FILE: '/nonexistent/key.json' })).option,
    'PRIVATE_KEY_FILE',
  )
  assert.is((await refusal({ STORE: 'postgres://x' })).option, 'STORE')
  assert.is((await refusal({ STORE: 'dynamodb' })).option, 'FLOW_TABLE_NAME')
  assert.is((await refusal({ PKCE: 'sometimes' })).option, 'PKCE')
  assert.is((await refusal({ PROXY_BASE_URL: 'not a url' })).option, 'PROXY_BASE_URL')
  assert.is((await refusal({ PORT: '70000' })).option, 'PORT')
})

test('every problem at once: each setting, the key file and a setting that cannot apply', async () => {
  const error = await refusal({
    PRIVATE_KEY: undefined,
    PRIVATE_KEY_FILE: '/nonexistent/key.json',
    PORT: 'eighty',
    STORE: 'dynamodb',
    PKCE: 'false',
    ADD_NONCE: 'true',
  })
  assert.equal(
    (error as unknown as { problems: { name: string }[] }).problems.map((p) => p.name).sort(),
    ['ADD_NONCE', 'FLOW_TABLE_NAME', 'PORT', 'PRIVATE_KEY_FILE'],
  )
})

test.run()
