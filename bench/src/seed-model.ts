/**
 * The original sample (the seed: three Python functions), modelled in Node so that only the
 * pattern differs from ours, not the language. Its token path: on every call it reads the private
 * key from Secrets Manager, imports it, signs the assertion, and POSTs to the IdP on a new
 * connection (Python `requests.post` without a session); Secrets Manager's connection is kept
 * alive, as boto3's pool does. `seedColdSignIn` is a whole sign-in's work on three cold functions
 * (every connection new); their Python init is measured apart, as real processes.
 */
import { Agent, request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { importJWK, SignJWT } from 'jose'

export interface SeedModelOptions {
  secretsManagerPort: number
  secretArn: string
  idpPort: number
  /** The IdP stub's certificate (self-signed); plain HTTP without one. */
  ca?: string
  clientId: string
  /** The RSA key's `alg`; the seed's key was RSA-4096 with RS256. */
  alg?: string
}

export function seedTokenCall(
  options: SeedModelOptions,
): (form: URLSearchParams) => Promise<number> {
  const smAgent = new Agent({ keepAlive: true, maxSockets: 1 })
  const secure = options.ca !== undefined
  const audience = `${secure ? 'https' : 'http'}://127.0.0.1:${options.idpPort}/token`
  const alg = options.alg ?? 'RS256'

  const getSecret = () => getSecretValue(options.secretsManagerPort, options.secretArn, smAgent)

  return async (cognitoForm) => {
    const jwk = JSON.parse(await getSecret()) as { kid: string; alg?: string }
    const key = await importJWK(jwk, alg)
    const now = Math.floor(Date.now() / 1000)
    const assertion = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg, kid: jwk.kid })
      .setIssuer(options.clientId)
      .setSubject(options.clientId)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(key)
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code: cognitoForm.get('code') ?? '',
      redirect_uri: cognitoForm.get('redirect_uri') ?? '',
      client_id: options.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }).toString()
    return new Promise<number>((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(
        {
          host: '127.0.0.1',
          port: options.idpPort,
          method: 'POST',
          path: '/token',
          // A new connection (TCP + TLS handshake) for every call, as the seed does.
          agent: false,
          ...(secure ? { ca: options.ca } : {}),
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(form),
          },
        },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        },
      )
      req.on('error', reject)
      req.end(form)
    })
  }
}

/** GetSecretValue over plain HTTP to the local stub (the protocol the AWS SDK speaks). */
export function getSecretValue(port: number, secretArn: string, agent: Agent): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const body = JSON.stringify({ SecretId: secretArn })
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: port,
        method: 'POST',
        path: '/',
        agent,
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'secretsmanager.GetSecretValue',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => resolve((JSON.parse(text) as { SecretString: string }).SecretString))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** One call of the AWS JSON protocol (DynamoDB 1.0) to a local stand-in. */
export function awsJson(
  port: number,
  target: string,
  input: unknown,
  agent: Agent,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(input)
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': target,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () => resolve(JSON.parse(text || '{}')))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

export interface SeedColdOptions extends SeedModelOptions {
  dynamoDbPort: number
  tableName: string
}

/**
 * The seed's work for one sign-in on three cold functions, in milliseconds per function. authorize:
 * store the flow (PutItem), answer the redirect. callback: take the flow (DeleteItem), store the
 * code (PutItem). token: take the code (DeleteItem), then its token path (above). Each function is
 * a new container: new connections everywhere.
 */
export async function seedColdSignIn(
  options: SeedColdOptions,
): Promise<Record<'authorize' | 'callback' | 'token', number>> {
  const ddb = (target: string, input: unknown, agent: Agent) =>
    awsJson(
      options.dynamoDbPort,
      `DynamoDB_20120810.${target}`,
      { TableName: options.tableName, ...(input as object) },
      agent,
    )
  const item = (pk: string, record: unknown) => ({
    Item: {
      pk: { S: pk },
      record: { S: JSON.stringify(record) },
      expiresAt: { N: String(Math.floor(Date.now() / 1000) + 600) },
    },
  })
  let at = performance.now()
  const authorizeAgent = new Agent({ keepAlive: true })
  const state = crypto.randomUUID()
  await ddb(
    'PutItem',
    item(state, { state: 'cognito-state', verifier: 'v'.repeat(43) }),
    authorizeAgent,
  )
  const authorize = performance.now() - at
  authorizeAgent.destroy()

  at = performance.now()
  const callbackAgent = new Agent({ keepAlive: true })
  await ddb('DeleteItem', { Key: { pk: { S: state } }, ReturnValues: 'ALL_OLD' }, callbackAgent)
  const code = crypto.randomUUID()
  await ddb('PutItem', item(code, { code: 'idp-code', verifier: 'v'.repeat(43) }), callbackAgent)
  const callback = performance.now() - at
  callbackAgent.destroy()

  at = performance.now()
  const tokenAgent = new Agent({ keepAlive: true })
  await ddb('DeleteItem', { Key: { pk: { S: code } }, ReturnValues: 'ALL_OLD' }, tokenAgent)
  const status = await seedTokenCall(options)(
    new URLSearchParams({
      code: 'idp-code',
      redirect_uri: 'https://auth.example.com/oauth2/idpresponse',
    }),
  )
  if (status !== 200) throw new Error(`seed model: the IdP stub answered ${status}`)
  const token = performance.now() - at
  tokenAgent.destroy()
  return { authorize, callback, token }
}
