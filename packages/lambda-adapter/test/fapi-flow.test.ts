/**
 * FAPI 2.0 sign-ins through the Lambda handlers, per layout (per-route functions and the single
 * function): /authorize pushes the request (PAR, client assertion + DPoP) with the key the
 * authorize function reads from Secrets Manager, /callback, /token with DPoP and an encrypted ID
 * token decrypted with the `use: "enc"` key of the same secret (or a KMS decryption key named by
 * KMS_DECRYPTION_KEY_IDS), then /userinfo through the token function. DynamoDB on dynalite;
 * the IdP is core's msw FAPI IdP (core/test/support/fapi-idp.ts), reused rather than copied.
 */
import { KMSClient } from '@aws-sdk/client-kms'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { useMsw } from '@idp-proxy/testing'
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
// Core's test IdP: the same FAPI rules core's route tests hold the proxy to.
import {
  FAPI_AUTHORIZE,
  FAPI_ISSUER,
  FAPI_USER,
  startFapiIdp,
} from '../../core/test/support/fapi-idp.js'
import { CLIENT_ID } from '../../core/test/support/fixtures.js'
import { browserProxyFromEnv } from '../src/browser-proxy.js'
import type { HttpResultV2 } from '../src/convert.js'
import { createHandler, type LambdaHandler } from '../src/handler.js'
import { tokenProxyFromEnv } from '../src/token-proxy.js'
import { AWS_TEST_CONFIG } from './helpers/aws.js'
import { type KmsMock, kmsKey, kmsMock, secretsManagerMock } from './helpers/aws-mocks.js'
import { type Dynalite, startDynalite } from './helpers/dynalite.js'
import { httpEvent } from './helpers/events.js'

const test = suite('FAPI 2.0 sign-ins through the Lambda handlers')
const server = useMsw(test)

const BASE = 'https://abc123defg.execute-api.us-east-1.amazonaws.com/v1'
const COGNITO = 'https://auth.example.com/oauth2/idpresponse'
const KEY_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:idp-proxy/key-AbCdEf'
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:idp-proxy/cognito-GhIjKl'
const CLIENT_SECRET = 'cognito-shared-secret-0123456789'
const COGNITO_STATE = `H4sIAAAAAAAAAE2QXW${'x'.repeat(300)}`

let db: Dynalite
let secretsClient: SecretsManagerClient
let kmsClient: KMSClient

test.before(async () => {
  db = await startDynalite()
  secretsClient = new SecretsManagerClient(AWS_TEST_CONFIG)
  kmsClient = new KMSClient(AWS_TEST_CONFIG)
})
test.after(async () => {
  secretsClient.destroy()
  kmsClient.destroy()
  await db.stop()
})

const publicOf = ({ d: _d, ...rest }: JWK): JWK => rest

async function privateKey(alg: 'ES256' | 'ECDH-ES+A256KW', kid: string, use: 'sig' | 'enc') {
  const { privateKey } = await generateKeyPair(alg, { crv: 'P-256', extractable: true })
  return { ...(await exportJWK(privateKey)), kid, alg, use }
}

type Layout = 'per-route' | 'single'
type EncKey = 'secret' | 'kms'

async function setup(layout: Layout, encKey: EncKey) {
  const signing = await privateKey('ES256', 'sig-1', 'sig')
  const enc = await privateKey('ECDH-ES+A256KW', 'enc-1', 'enc')
  const kms: KmsMock = { keys: [], calls: { GetPublicKey: 0, Sign: 0 } }
  const decryptionKey = kmsKey('ECC_NIST_P256', 'enc-key', 'KEY_AGREEMENT')
  if (encKey === 'kms') kms.keys.push(decryptionKey)
  const secrets = {
    calls: new Map<string, number>(),
    secrets: new Map([
      [
        KEY_ARN,
        {
          value: JSON.stringify({ keys: encKey === 'secret' ? [signing, enc] : [signing] }),
          versionId: 'v1',
        },
      ],
      [SECRET_ARN, { value: CLIENT_SECRET, versionId: 'v1' }],
    ]),
  }
  const env: Record<string, string> = {
    PROXY_BASE_URL: BASE,
    IDP_ISSUER: FAPI_ISSUER,
    IDP_CLIENT_ID: CLIENT_ID,
    COGNITO_REDIRECT_URIS: COGNITO,
    STORE: 'dynamodb',
    FLOW_TABLE_NAME: await db.createTable(),
    PRIVATE_KEY_SECRET_ARN: KEY_ARN,
    CLIENT_SECRET_ARN: SECRET_ARN,
    PAR: 'always',
    DPOP: 'true',
    ID_TOKEN_ENCRYPTION_REQUIRED: 'true',
    ASSERTION_AUDIENCE: 'issuer',
    LOG_LEVEL: 'error',
    ...(encKey === 'kms' ? { KMS_DECRYPTION_KEY_IDS: decryptionKey.arn } : {}),
  }
  const clients = { dynamoDb: db.client, secretsManager: secretsClient, kms: kmsClient }
  // The token function's handler; in the single layout it serves every route (entries/all.ts).
  const token = createHandler(() => tokenProxyFromEnv(env, clients))
  const handlers: Record<'authorize' | 'callback' | 'token' | 'userinfo', LambdaHandler> =
    layout === 'single'
      ? { authorize: token, callback: token, token, userinfo: token }
      : {
          authorize: createHandler(() => browserProxyFromEnv(env, clients)),
          callback: createHandler(() => browserProxyFromEnv(env, { ...clients, fn: 'callback' })),
          token,
          userinfo: token,
        }
  server.use(secretsManagerMock(secrets), kmsMock(kms))
  // The IdP encrypts to the key the proxy publishes with use "enc" (its JWKS route).
  const { result: jwksResult } = await invoke(token, httpEvent('GET', '/v1/.well-known/jwks.json'))
  const jwks = JSON.parse(jwksResult.body) as { keys: JWK[] }
  const encryptTo = jwks.keys.find((key) => key.use === 'enc')
  assert.ok(encryptTo, jwksResult.body)
  const fapi = await startFapiIdp({
    clientJwks: async () => ({ keys: [publicOf(signing)] }),
    encryptTo: encryptTo as never,
    dpop: true,
  })
  // startFapiIdp installs exactly its handlers: AWS comes back on top.
  server.use(secretsManagerMock(secrets), kmsMock(kms))
  return { fapi, handlers, secrets, kms, jwks, env }
}

async function invoke(handler: LambdaHandler, event: unknown) {
  const result = (await handler(event, {})) as HttpResultV2
  return { result }
}

function location(result: HttpResultV2): URL {
  assert.is(result.statusCode, 302, result.body)
  return new URL(String(result.headers?.location))
}

function tokenEvent(code: string) {
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: COGNITO,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
  }).toString()
  return httpEvent('POST', '/v1/token', {
    body,
    base64: true,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
}

for (const layout of ['per-route', 'single'] as const) {
  for (const encKey of ['secret', 'kms'] as const) {
    test(`${layout}: PAR + DPoP + encrypted ID token (${encKey} enc key) + /userinfo`, async () => {
      const { fapi, handlers, secrets, kms, jwks } = await setup(layout, encKey)
      assert.equal(jwks.keys.map((key) => key.use).sort(), ['enc', 'sig'])

      const query = new URLSearchParams({
        client_id: CLIENT_ID,
        redirect_uri: COGNITO,
        response_type: 'code',
        scope: 'openid email',
        state: COGNITO_STATE,
      })
      const { result: toIdp } = await invoke(
        handlers.authorize,
        httpEvent('GET', `/v1/authorize?${query}`),
      )
      const atIdpUrl = location(toIdp)
      // PAR: the browser carries client_id and request_uri only.
      assert.is(atIdpUrl.origin + atIdpUrl.pathname, FAPI_AUTHORIZE)
      assert.equal([...atIdpUrl.searchParams.keys()].sort(), ['client_id', 'request_uri'])
      const [par] = fapi.seen.par
      assert.is(par?.assertion.aud, FAPI_ISSUER)
      assert.ok(par?.dpop, 'PAR carries a DPoP proof')
      assert.is(par?.form.get('redirect_uri'), `${BASE}/callback`)
      // The authorize function read the key secret (the signing key) itself.
      assert.ok((secrets.calls.get(KEY_ARN) ?? 0) >= 1)

      const atIdp = fapi.signIn(atIdpUrl.href)
      const callbackQuery = new URLSearchParams({
        code: atIdp.code,
        state: atIdp.state,
        iss: FAPI_ISSUER,
      })
      const { result: back } = await invoke(
        handlers.callback,
        httpEvent('GET', `/v1/callback?${callbackQuery}`),
      )
      const toCognito = location(back)
      assert.is(toCognito.origin + toCognito.pathname, COGNITO)
      assert.is(toCognito.searchParams.get('state'), COGNITO_STATE)
      const code = toCognito.searchParams.get('code') ?? ''

      const { result: tokenResult } = await invoke(handlers.token, tokenEvent(code))
      assert.is(tokenResult.statusCode, 200, tokenResult.body)
      const body = JSON.parse(tokenResult.body) as Record<string, unknown>
      // One use_dpop_nonce, one retry.
      assert.equal(
        fapi.seen.token.map((t) => t.status),
        [400, 200],
      )
      const idToken = body.id_token as string
      assert.is(idToken.split('.').length, 3, 'Cognito gets the signed inner ID token')
      assert.is(decodeProtectedHeader(idToken).alg, 'ES256')
      assert.is(decodeJwt(idToken).nonce, par?.form.get('nonce'))
      assert.is(body.token_type, 'Bearer')
      assert.is.not(body.access_token, fapi.seen.accessTokens[0])
      if (encKey === 'kms') assert.is(kms.calls.DeriveSharedSecret, 1)

      for (const method of ['GET', 'POST'] as const) {
        const { result: info } = await invoke(
          handlers.userinfo,
          httpEvent(method, '/v1/userinfo', {
            headers: { authorization: `Bearer ${body.access_token}` },
          }),
        )
        if (method === 'GET') {
          assert.is(info.statusCode, 200, info.body)
          assert.equal(JSON.parse(info.body), FAPI_USER)
        } else {
          // The handle is taken once: Cognito calls /userinfo once per sign-in.
          assert.is(info.statusCode, 401)
          assert.match(String(info.headers?.['www-authenticate']), /invalid_token/)
        }
      }
      const [call] = fapi.seen.userinfo
      assert.is(call?.authorization, `DPoP ${fapi.seen.accessTokens[0]}`)
    })
  }
}

test('per-route: /authorize signs the PAR request with the KMS signing key (KMS_KEY_ID)', async () => {
  const signingKey = kmsKey('ECC_NIST_P256', 'signing-key')
  const kms: KmsMock = { keys: [signingKey], calls: { GetPublicKey: 0, Sign: 0 } }
  const secrets = {
    calls: new Map<string, number>(),
    secrets: new Map([[SECRET_ARN, { value: CLIENT_SECRET, versionId: 'v1' }]]),
  }
  const env = {
    PROXY_BASE_URL: BASE,
    IDP_ISSUER: FAPI_ISSUER,
    IDP_CLIENT_ID: CLIENT_ID,
    COGNITO_REDIRECT_URIS: COGNITO,
    STORE: 'dynamodb',
    FLOW_TABLE_NAME: await db.createTable(),
    KMS_KEY_ID: signingKey.arn,
    CLIENT_SECRET_ARN: SECRET_ARN,
    PAR: 'always',
    DPOP: 'true',
    ASSERTION_AUDIENCE: 'issuer',
    LOG_LEVEL: 'error',
  }
  const clients = { dynamoDb: db.client, secretsManager: secretsClient, kms: kmsClient }
  const authorize = createHandler(() => browserProxyFromEnv(env, clients))
  const token = createHandler(() => tokenProxyFromEnv(env, clients))
  server.use(secretsManagerMock(secrets), kmsMock(kms))
  const { result: jwksResult } = await invoke(token, httpEvent('GET', '/v1/.well-known/jwks.json'))
  const jwks = JSON.parse(jwksResult.body) as { keys: JWK[] }
  const fapi = await startFapiIdp({ clientJwks: async () => jwks, dpop: true })
  server.use(secretsManagerMock(secrets), kmsMock(kms))
  const signsBefore = kms.calls.Sign
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    redirect_uri: COGNITO,
    response_type: 'code',
    scope: 'openid',
    state: COGNITO_STATE,
  })
  const { result } = await invoke(authorize, httpEvent('GET', `/v1/authorize?${query}`))
  const atIdp = location(result)
  assert.is(atIdp.origin + atIdp.pathname, FAPI_AUTHORIZE)
  assert.ok(atIdp.searchParams.get('request_uri'))
  // The IdP verified the assertion against the proxy's JWKS: KMS signed it, at /authorize.
  assert.is(fapi.seen.par[0]?.assertion.aud, FAPI_ISSUER)
  assert.is(kms.calls.Sign - signsBefore, 1)
  assert.is(secrets.calls.size, 0, 'the authorize function read no secret')
})

test('the authorize function with PAR and no key setting fails at init, naming the setting', async () => {
  const env = {
    PROXY_BASE_URL: BASE,
    IDP_ISSUER: FAPI_ISSUER,
    IDP_CLIENT_ID: CLIENT_ID,
    COGNITO_REDIRECT_URIS: COGNITO,
    STORE: 'dynamodb',
    FLOW_TABLE_NAME: 'flows',
    PAR: 'always',
  }
  try {
    browserProxyFromEnv(env, { dynamoDb: db.client })
    assert.unreachable('init should fail')
  } catch (error) {
    assert.is((error as { code?: string }).code, 'ERR_INVALID_OPTION')
    assert.match(String((error as Error).message), /keys|PRIVATE_KEY/)
  }
})

test.run()
