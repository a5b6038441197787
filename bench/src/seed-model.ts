/**
 * The seed's token path, modelled in Node so that only the pattern differs from ours, not the
 * language: on every call it reads the private key from Secrets Manager, imports it, signs the
 * assertion, and POSTs to the IdP on a new TLS connection (Python `requests.post` without a
 * session). Secrets Manager's connection is kept alive, as boto3's pool does.
 */
import { Agent, request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { importJWK, SignJWT } from 'jose'

export interface SeedModelOptions {
  secretsManagerPort: number
  secretArn: string
  idpPort: number
  /** The IdP stub's certificate (self-signed). */
  ca: string
  clientId: string
}

export function seedTokenCall(
  options: SeedModelOptions,
): (form: URLSearchParams) => Promise<number> {
  const smAgent = new Agent({ keepAlive: true, maxSockets: 1 })
  const audience = `https://127.0.0.1:${options.idpPort}/token`

  const getSecret = () => getSecretValue(options.secretsManagerPort, options.secretArn, smAgent)

  return async (cognitoForm) => {
    const jwk = JSON.parse(await getSecret()) as { kid: string; alg?: string }
    const key = await importJWK(jwk, 'RS256')
    const now = Math.floor(Date.now() / 1000)
    const assertion = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
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
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: options.idpPort,
          method: 'POST',
          path: '/token',
          // A new connection (TCP + TLS handshake) for every call, as the seed does.
          agent: false,
          ca: options.ca,
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
