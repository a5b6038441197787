/**
 * AWS Signature Version 4 for the lean client's requests (aws-json.ts): a POST with a JSON body,
 * no query string, a handful of headers. The general algorithm, as AWS documents it ("Create a
 * signed AWS API request"), for that case only: canonical request, string to sign, the derived
 * key (date, region, service), HMAC-SHA256 on node:crypto. Checked against the SDK's own signer
 * (@smithy/signature-v4) and AWS's published example in test/sigv4.test.ts.
 */
import { createHash, createHmac } from 'node:crypto'
import type { AwsCredentials } from './aws-json.js'

export interface SigningInput {
  method: string
  /** The request path, already URI-encoded (the lean client's is "/"). */
  path: string
  /** Lower-case names; `host` included. All of them are signed. */
  headers: Record<string, string>
  body: string
  service: string
  region: string
  credentials: AwsCredentials
  now: Date
}

const hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex')
const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data, 'utf8').digest()

/** The request's headers with X-Amz-Date, X-Amz-Security-Token (if any) and Authorization added. */
export function signRequest(input: SigningInput): Record<string, string> {
  const { credentials } = input
  // 20150830T123600Z: ISO 8601 basic format, seconds, UTC.
  const amzDate = input.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
  const date = amzDate.slice(0, 8)
  const headers: Record<string, string> = { ...input.headers, 'x-amz-date': amzDate }
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken
  const names = Object.keys(headers)
    .map((name) => name.toLowerCase())
    .sort()
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  )
  const signedHeaders = names.join(';')
  const canonicalRequest = [
    input.method,
    input.path,
    '', // no query string
    // Values trimmed, inner runs of spaces folded to one (the canonical form).
    ...names.map((name) => `${name}:${String(lower[name]).trim().replace(/\s+/g, ' ')}`),
    '',
    signedHeaders,
    hex(input.body),
  ].join('\n')
  const scope = `${date}/${input.region}/${input.service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonicalRequest)].join('\n')
  const key = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), input.region), input.service),
    'aws4_request',
  )
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex')
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`
  return headers
}
